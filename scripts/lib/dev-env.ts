// The dev stack's configuration: which clusters it runs, and the environment of each child process.
// A user's variables reach every child (POLICY_FILE, API_KEYS_FILE, REDIS_URL, LOG_LEVEL, audit sink
// settings, ...); the stack sets only what wires the parts together, and adds its own dev key and admin
// identity to the user's API_KEYS and ADMIN_IDENTITIES instead of replacing them.

import { EnvReader } from '../../common/env.js';
import { isValidClusterId } from '../../common/subjects.js';
import type { KubeContext } from './kube-context.js';

export type Env = Record<string, string | undefined>;

/** The cluster `npm run dev` serves when CLUSTERS is unset. */
export const DEFAULT_DEV_CLUSTER = 'local';
/** The identity of the dev stack's own API key; it is an admin. */
export const DEV_IDENTITY = 'dev';

/**
 * Variables the stack sets per child, so a user's value for one part never reaches another part:
 * its NATS wiring and credentials, each agent's cluster and token.
 */
const STACK_OWNED = [
  'NATS_URL',
  'NATS_CREDS',
  'NATS_CREDS_FILE',
  'NATS_OPERATOR_SIGNING_KEY',
  'NATS_OPERATOR_SIGNING_KEY_FILE',
  'AGENT_TOKEN',
  'AGENT_TOKEN_FILE',
  'CLUSTER_ID',
];

/** CLUSTERS (comma-separated) or `local`; throws one line naming every invalid id. */
export function devClusters(env: Env): string[] {
  const clusters = [...new Set(new EnvReader(env).list('CLUSTERS'))];
  const invalid = clusters.filter((id) => !isValidClusterId(id));
  if (invalid.length > 0) {
    throw new Error(
      `CLUSTERS: ${invalid.map((id) => `"${id}"`).join(', ')} is not a valid cluster id (lowercase letters, digits, '-')`,
    );
  }
  return clusters.length > 0 ? clusters : [DEFAULT_DEV_CLUSTER];
}

/** The user's environment without what the stack owns: the base of every child's environment. */
export function passThrough(env: Env): Env {
  const out: Env = { ...env };
  for (const name of STACK_OWNED) delete out[name];
  return out;
}

/** `first` then the user's comma- or newline-separated entries (empty ones dropped). */
function joined(first: string, user: string | undefined): string {
  return [first, ...(user ?? '').split(/[\n,]/)]
    .map((s) => s.trim())
    .filter(Boolean)
    .join(',');
}

export interface GatewayEnvInput {
  natsUrl: string;
  natsCreds: string;
  /** The operator signing key: turns on POST/DELETE /admin/agents/<cluster>/token (`kubently cluster add`). */
  signingKey: string;
  apiKey: string;
  clusters: string[];
  port: number;
  metricsPort: number;
}

/** The gateway's own settings on top of passThrough(env). HOST defaults to loopback, as a dev stack should. */
export function gatewayEnv(env: Env, input: GatewayEnvInput): Env {
  return {
    NATS_URL: input.natsUrl,
    NATS_CREDS: input.natsCreds,
    NATS_OPERATOR_SIGNING_KEY: input.signingKey,
    API_KEYS: joined(`${DEV_IDENTITY}:${input.apiKey}`, env.API_KEYS),
    ADMIN_IDENTITIES: joined(DEV_IDENTITY, env.ADMIN_IDENTITIES),
    CLUSTERS: input.clusters.join(','),
    HOST: env.HOST || '127.0.0.1',
    PORT: String(input.port),
    METRICS_PORT: String(input.metricsPort),
  };
}

export interface AuditEnvInput {
  natsUrl: string;
  natsCreds: string;
  /** Default AUDIT_LOG_FILE, in the dev directory. */
  logFile: string;
  /** Default AUDIT_CHAIN_KEY_FILE, in the dev directory: the dev log is tamper-evident like a deployed one. */
  chainKeyFile: string;
  metricsPort: number;
}

/** The audit consumer's settings; AUDIT_LOG_FILE, AUDIT_CHAIN_KEY_FILE and AUDIT_STDOUT are only defaults. */
export function auditEnv(env: Env, input: AuditEnvInput): Env {
  return {
    NATS_URL: input.natsUrl,
    NATS_CREDS: input.natsCreds,
    AUDIT_LOG_FILE: env.AUDIT_LOG_FILE || input.logFile,
    AUDIT_CHAIN_KEY_FILE: env.AUDIT_CHAIN_KEY_FILE || input.chainKeyFile,
    AUDIT_STDOUT: env.AUDIT_STDOUT || 'false',
    METRICS_PORT: String(input.metricsPort),
  };
}

export interface AgentEnvInput {
  natsUrl: string;
  clusterId: string;
  agentToken: string;
  /** KUBECONFIG and KUBE_CONTEXT for this agent's cluster (see agentKube). */
  kube: Env;
}

export function agentEnv(input: AgentEnvInput): Env {
  return {
    NATS_URL: input.natsUrl,
    CLUSTER_ID: input.clusterId,
    AGENT_TOKEN: input.agentToken,
    ...input.kube,
  };
}

export interface KubeChoice {
  /** The agent's KUBECONFIG and KUBE_CONTEXT; empty means the simulated cluster. */
  env: Env;
  /** What the stack prints about it. */
  description: string;
}

/**
 * Which cluster an agent talks to: the kubeconfig context named like the cluster, else the user's
 * KUBE_CONTEXT or current context, else (undefined) the bundled simulated cluster.
 */
export function agentKube(
  clusterId: string,
  env: Env,
  kube: Pick<KubeContext, 'context' | 'contexts' | 'path'> | undefined,
): KubeChoice | undefined {
  if (!kube) return undefined;
  const context = kube.contexts.includes(clusterId) ? clusterId : env.KUBE_CONTEXT || kube.context;
  const out: Env = { KUBE_CONTEXT: context };
  if (kube.path) out.KUBECONFIG = kube.path;
  return { env: out, description: `kubeconfig context "${context}"` };
}
