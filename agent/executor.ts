// Turns a validated Command into apiserver reads and kubectl's output, in process. One keep-alive
// client serves every command; nothing here spawns kubectl. Outcomes follow kubectl: stdout is
// `output`, stderr is `error`, a non-zero exit is `failure`, the deadline is `timeout`.

import { grepLines, hasHeaders } from '../common/command/output-view.js';
import type { Command, Target } from '../common/command/types.js';
import type { Logger } from '../common/logger.js';
import type { ResourceType } from '../common/resources.js';
import { escapeJsonControls, escapeTerminal } from '../common/terminal.js';
import {
  BudgetExceededError,
  budgetedClient,
  type CommandBudget,
  DEFAULT_COMMAND_BUDGET,
  MemoryPool,
} from './budget.js';
import { describe as describeCommand } from './describe/index.js';
import { kubeReaderOf } from './describe/kube-reader.js';
import type { CommandExecutor, ExecutionOutcome, FollowOutcome } from './executor-types.js';
import { isAbortError, KubeApiError, type KubeClient } from './kube-client.js';
import { limitOutput, stoppedNotice } from './output-limit.js';
import { YamlReaderError } from './printers/yaml.js';
import { unreachableApiText } from './transport-error.js';
import { runApiResources, runApiVersions } from './verbs/api-resources.js';
import { runClusterInfo, runVersion } from './verbs/cluster-info.js';
import type { ExecutorLimits, VerbContext, VerbResult } from './verbs/context.js';
import { createDocumentCache } from './verbs/document-cache.js';
import { runEvents } from './verbs/events.js';
import { runExplain } from './verbs/explain.js';
import { followEvents } from './verbs/follow-events.js';
import { followLogs } from './verbs/follow-logs.js';
import { RefusedError, runGet } from './verbs/get.js';
import { runLogs } from './verbs/logs.js';
import { PolicyDeniedError } from './verbs/refused.js';
import { type AllowsGroup, createTypeResolver } from './verbs/resolve-type.js';
import { runRollout } from './verbs/rollout.js';
import { runTop } from './verbs/top.js';
import { watchGet } from './verbs/watch-get.js';
import { watchRollout } from './verbs/watch-rollout.js';

export type { ExecutorLimits } from './verbs/context.js';

export interface ExecutorDeps {
  kube: KubeClient;
  log: Logger;
  limits: ExecutorLimits;
  /** What one command may cost (response size, apiserver requests, bytes held); defaults apply. */
  budget?: CommandBudget;
  /** The bytes all commands in flight may hold together; a new pool of the default size otherwise. */
  pool?: MemoryPool;
  /** How long discovery and OpenAPI documents are reused. */
  discoveryTtlMs?: number;
  /**
   * Whether custom resources of an API group may be read: the agent's policy for its cluster, read at
   * each command (a reloaded policy applies at once). Without it no custom resource is read.
   */
  allowsCustomGroup?: AllowsGroup;
  now?: () => number;
}

const defaultDiscoveryTtlMs = 30_000;

/**
 * No verb but `logs` hands a terminal anything it would act on. Printers escape per cell before laying
 * out columns (as kubectl does); this last pass covers every other path. Logs stay byte-exact: the
 * CLI escapes them when it writes to a terminal. JSON keeps its value: C1 becomes `\u009b` escapes.
 */
function safeOutput(command: Command, output: string): string {
  if (command.verb === 'logs') return output;
  return command.output === 'json' ? escapeJsonControls(output) : escapeTerminal(output);
}

/** The command's grep strings and output cap: the one it asked for, never above the policy's (`policyMax`). */
export function outputLimits(
  command: Command,
  policyMax: number,
): { grep: readonly string[] | undefined; maxOutputBytes: number } {
  const asked = command.view?.maxOutputBytes;
  return {
    grep: command.view?.grep,
    maxOutputBytes: asked === undefined ? policyMax : Math.min(asked, policyMax),
  };
}

/** The served types of a command's custom targets, resolved (and judged) before anything is read. */
async function customTypes(ctx: VerbContext, command: Command): Promise<Map<Target, ResourceType[]>> {
  const map = new Map<Target, ResourceType[]>();
  for (const target of command.targets)
    if (target.custom) map.set(target, await ctx.types.resolve(ctx, target));
  return map;
}

export function createExecutor(deps: ExecutorDeps): CommandExecutor {
  const { kube, log, limits, now = Date.now } = deps;
  const cache = createDocumentCache(deps.discoveryTtlMs ?? defaultDiscoveryTtlMs, now);
  const budget = deps.budget ?? DEFAULT_COMMAND_BUDGET;
  const pool = deps.pool ?? new MemoryPool();
  const types = createTypeResolver(deps.allowsCustomGroup ?? (() => false), now);

  async function run(command: Command, ctx: VerbContext): Promise<VerbResult> {
    switch (command.verb) {
      case 'get':
        return runGet(ctx, command);
      case 'describe':
        if (command.targets.some((t) => t.resource === 'secrets'))
          throw new RefusedError('error: the Kubently agent never reads secrets');
        return describeCommand(
          kubeReaderOf(ctx.kube),
          command,
          ctx.signal,
          now,
          limits.maxOutputBytes,
          await customTypes(ctx, command),
        );
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
      case 'top':
        return runTop(ctx, command);
      case 'rollout':
        return runRollout(ctx, command);
    }
  }

  /** What a failed command says: the apiserver's or the agent's refusal as kubectl would, else an internal error. */
  function failureText(err: unknown, command: Command): string {
    if (err instanceof BudgetExceededError) {
      log.warn({ commandId: command.id, budget: err.kind }, 'command stopped at a budget');
      return err.message;
    }
    if (err instanceof KubeApiError || err instanceof RefusedError)
      return escapeTerminal(err instanceof KubeApiError ? err.text : err.message);
    log.error({ err, commandId: command.id, verb: command.verb }, 'command failed in the agent');
    // A socket error carries a code (ECONNREFUSED, ECONNRESET, ...); anything else is the agent's own fault.
    return unreachableApiText(err) ?? 'error: internal error in the agent';
  }

  return {
    async follow(command, sink, signal): Promise<FollowOutcome> {
      const lease = pool.lease(budget.maxHeldBytes);
      const ctx: VerbContext = {
        kube: budgetedClient(kube, budget, lease),
        log,
        limits,
        cache,
        types,
        signal,
        now,
      };
      // Tables are escaped per cell by their printer; logs stay byte-exact as with kubectl logs.
      const escaped: typeof sink =
        command.verb === 'logs' ? sink : { write: (text) => sink.write(safeOutput(command, text)) };
      try {
        signal.throwIfAborted();
        const outcome =
          command.verb === 'logs'
            ? await followLogs(ctx, command, escaped)
            : command.verb === 'rollout'
              ? await watchRollout(ctx, command, escaped)
              : command.verb === 'events'
                ? await followEvents(ctx, command, escaped)
                : await watchGet(ctx, command, escaped);
        return { ...outcome, error: outcome.error === null ? null : escapeTerminal(outcome.error) };
      } catch (err) {
        // Stopped from outside (client gone, a cap, shutdown): the caller knows why.
        if (signal.aborted) return { status: 'success', error: null };
        return { status: 'failure', error: failureText(err, command) };
      } finally {
        lease.close();
      }
    },
    async execute(command, signal) {
      const lease = pool.lease(budget.maxHeldBytes);
      const { grep, maxOutputBytes } = outputLimits(command, limits.maxOutputBytes);
      // With grep the verb reads up to the policy's cap, so lines past the requested cap can still match.
      const verbLimits = grep ? limits : { ...limits, maxOutputBytes };
      const ctx: VerbContext = {
        kube: budgetedClient(kube, budget, lease),
        log,
        limits: verbLimits,
        cache,
        types,
        signal,
        now,
      };
      let result: VerbResult;
      try {
        signal.throwIfAborted();
        result = await run(command, ctx);
      } catch (err) {
        if (err instanceof BudgetExceededError) {
          log.warn({ commandId: command.id, budget: err.kind }, 'command stopped at a budget');
          return { status: 'failure', output: '', error: err.message, truncated: false };
        }
        if (signal.aborted || isAbortError(err)) {
          return {
            status: 'timeout',
            output: '',
            error: `the command did not finish within ${command.timeoutMs} ms`,
            truncated: false,
          };
        }
        if (err instanceof PolicyDeniedError) {
          log.warn({ commandId: command.id, rule: err.rule }, 'command denied by agent policy');
          return { status: 'denied', output: '', error: escapeTerminal(err.message), truncated: false };
        }
        if (err instanceof KubeApiError || err instanceof RefusedError || err instanceof YamlReaderError) {
          return {
            status: 'failure',
            output: '',
            error: escapeTerminal(err instanceof KubeApiError ? err.text : err.message),
            truncated: false,
          };
        }
        log.error({ err, commandId: command.id, verb: command.verb }, 'command failed in the agent');
        // A socket error carries a code (ECONNREFUSED, ECONNRESET, ...); anything else is the agent's own fault.
        const error = unreachableApiText(err) ?? 'error: internal error in the agent';
        return { status: 'failure', output: '', error, truncated: false };
      } finally {
        lease.close();
      }
      const text = grep ? grepLines(result.output, grep, hasHeaders(command)) : result.output;
      let limited = limitOutput(text, maxOutputBytes);
      if (!limited.truncated && result.truncatedBecause) {
        const notice = stoppedNotice(result.truncatedBecause);
        limited = limitOutput(text + notice, maxOutputBytes);
      }
      const outcome: ExecutionOutcome = {
        status: result.error === null ? 'success' : 'failure',
        output: safeOutput(command, limited.text),
        error: result.error === null ? null : escapeTerminal(result.error),
        truncated: limited.truncated || result.truncated === true,
      };
      return outcome;
    },
  };
}
