// Turns a validated Command into apiserver reads and kubectl's output, in process. One keep-alive
// client serves every command; nothing here spawns kubectl. Outcomes follow kubectl: stdout is
// `output`, stderr is `error`, a non-zero exit is `failure`, the deadline is `timeout`.

import type { Command } from '../common/command/types.js';
import type { Logger } from '../common/logger.js';
import { describe as describeCommand } from './describe/index.js';
import { kubeReaderOf } from './describe/kube-reader.js';
import type { CommandExecutor, ExecutionOutcome } from './executor-types.js';
import { isAbortError, KubeApiError, type KubeClient } from './kube-client.js';
import { limitOutput } from './output-limit.js';
import { runApiResources, runApiVersions } from './verbs/api-resources.js';
import { runClusterInfo, runVersion } from './verbs/cluster-info.js';
import type { ExecutorLimits, VerbContext, VerbResult } from './verbs/context.js';
import { createDocumentCache } from './verbs/document-cache.js';
import { runEvents } from './verbs/events.js';
import { runExplain } from './verbs/explain.js';
import { RefusedError, runGet } from './verbs/get.js';
import { runLogs } from './verbs/logs.js';

export type { ExecutorLimits } from './verbs/context.js';

export type DescribeFn = (
  command: Command,
  signal: AbortSignal,
) => Promise<{ output: string; error: string | null }>;

export interface ExecutorDeps {
  kube: KubeClient;
  log: Logger;
  limits: ExecutorLimits;
  /** `kubectl describe`; defaults to agent/describe over the same client. */
  describe?: DescribeFn;
  /** How long discovery and OpenAPI documents are reused. */
  discoveryTtlMs?: number;
  now?: () => number;
}

const defaultDiscoveryTtlMs = 30_000;

export function createExecutor(deps: ExecutorDeps): CommandExecutor {
  const { kube, log, limits, now = Date.now } = deps;
  const cache = createDocumentCache(deps.discoveryTtlMs ?? defaultDiscoveryTtlMs, now);
  const reader = kubeReaderOf(kube);
  const describe: DescribeFn =
    deps.describe ?? ((command, signal) => describeCommand(reader, command, signal, now));

  function run(command: Command, ctx: VerbContext): Promise<VerbResult> {
    switch (command.verb) {
      case 'get':
        return runGet(ctx, command);
      case 'describe':
        if (command.targets.some((t) => t.resource === 'secrets'))
          throw new RefusedError('error: the Kubently agent never reads secrets');
        return describe(command, ctx.signal);
      case 'logs':
        return runLogs(ctx, command);
      case 'events':
        return runEvents(ctx, command);
      case 'explain':
        return runExplain(ctx, command);
      case 'version':
        return runVersion(ctx, command);
      case 'cluster-info':
        return runClusterInfo(ctx);
      case 'api-resources':
        return runApiResources(ctx, command);
      case 'api-versions':
        return runApiVersions(ctx);
    }
  }

  return {
    async execute(command, signal) {
      const ctx: VerbContext = { kube, log, limits, cache, signal, now };
      let result: VerbResult;
      try {
        signal.throwIfAborted();
        result = await run(command, ctx);
      } catch (err) {
        if (signal.aborted || isAbortError(err)) {
          return {
            status: 'timeout',
            output: '',
            error: `the command did not finish within ${command.timeoutMs} ms`,
            truncated: false,
          };
        }
        if (err instanceof KubeApiError || err instanceof RefusedError) {
          return {
            status: 'failure',
            output: '',
            error: err instanceof KubeApiError ? err.text : err.message,
            truncated: false,
          };
        }
        log.error({ err, commandId: command.id, verb: command.verb }, 'command failed in the agent');
        // A socket error carries a code (ECONNREFUSED, ECONNRESET, ...); anything else is the agent's own fault.
        const code = (err as NodeJS.ErrnoException).code;
        const error = code
          ? `error: the agent could not reach the Kubernetes API (${code})`
          : 'error: internal error in the agent';
        return { status: 'failure', output: '', error, truncated: false };
      }
      const limited = limitOutput(result.output, limits.maxOutputBytes);
      const outcome: ExecutionOutcome = {
        status: result.error === null ? 'success' : 'failure',
        output: limited.text,
        error: result.error,
        truncated: limited.truncated || result.truncated === true,
      };
      return outcome;
    },
  };
}
