// What the gateway needs from the command policy. The adapter in policy-adapter.ts binds it to
// common/policy and common/command/parse; tests may bind it to anything with the same behaviour.

import type { Command } from '../common/command/types.js';

export interface PolicyDecision {
  allowed: boolean;
  rule: string;
  reason: string;
  token?: string | undefined;
}

/** The request forms of POST /debug/execute and /debug/validate, as validated by their JSON Schema. */
export interface CommandRequestBody {
  cluster_id: string;
  session_id?: string;
  command?: string;
  command_type?: string;
  args?: string[];
  namespace?: string;
  timeout_seconds?: number;
  extra_args?: string[];
  correlation_id?: string;
}

export interface CommandContext {
  id: string;
  clusterId: string;
  identity: string;
  sessionId: string | null;
  timeoutMs: number;
}

export interface Explanation {
  allowed: boolean;
  normalized_argv: string[];
  rule: string;
  reason: string;
  token?: string | undefined;
}

export interface GatewayPolicy {
  /** Whether the identity's rules let it use the cluster at all. */
  canUseCluster(identity: string, clusterId: string): boolean;
  /** The timeout to run with: the requested one (or the policy default) capped at the policy maximum. */
  timeoutMs(clusterId: string, requestedMs: number | undefined): number;
  /** Throws KubentlyError invalid_command / unauthorized_command for what the grammar refuses. */
  parse(request: CommandRequestBody, context: CommandContext): Command;
  evaluate(command: Command): PolicyDecision;
  /** Never throws for a bad command: the explanation says why it is refused. */
  explain(request: CommandRequestBody, context: CommandContext): Explanation;
}
