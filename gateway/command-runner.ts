// One command on one cluster, the way every front door runs it (REST /debug/execute, /fleet/execute, MCP):
// cluster visible to the caller → session (the caller's, for that cluster) → one decision (parse and gateway
// policy, from one policy snapshot) → an agent is connected (else agent_unavailable at once) → command_attempt
// recorded durably (fail-closed) → relay → result kept → audited. The caller turns the outcome into its answer.

import { createHash, randomUUID } from 'node:crypto';
import type { CommandRequestBody, CommandResult } from '../common/api.js';
import type { AuditEventInput } from '../common/audit/events.js';
import { outputDigest } from '../common/audit/output-digest.js';
import { isFollowCommand } from '../common/command/follow.js';
import type { CommandContext } from '../common/command/parse.js';
import type { Command } from '../common/command/types.js';
import { isKubentlyError, KubentlyError } from '../common/errors.js';
import {
  type CommandDecision,
  type CommandRefused,
  checkCommand,
  checkParsed,
  effectiveTimeoutMs,
  type Policy,
  streamLimits,
} from '../common/policy/index.js';
import { callerOf } from './auth/authenticate.js';
import { gatewayResult, toResult } from './command-results.js';
import type { GatewayContext } from './context.js';
import type { RequestOrigin } from './refusals.js';
import type { StreamEnded, StreamTarget } from './stream-relay.js';

/** What a runner needs: the gateway's services. */
export type RunnerContext = Pick<
  GatewayContext,
  'config' | 'sessions' | 'agents' | 'audit' | 'relay' | 'results' | 'metrics' | 'log' | 'refusals' | 'policy'
>;

export interface RunRequest {
  /** The authenticated request (a FastifyRequest fits): who asks, from where, through which route. */
  origin: RequestOrigin;
  /** The REST body; `cluster_id` names the cluster. */
  body: CommandRequestBody;
  /** The request's policy snapshot; the current one otherwise. */
  policy?: Policy;
  /**
   * The command already parsed from `body` (for any cluster): a fan-out parses once and only evaluates the
   * policy per cluster. Its id, cluster, owner, session and timeout are replaced by this run's.
   */
  parsed?: Command;
  /** Caps the command's deadline below the policy's (a fan-out's remaining time), in ms; ≥ 1. */
  maxTimeoutMs?: number;
  /** The `performance.now()` time after which the command must not be waited for (a fan-out's deadline). */
  deadline?: number;
  /** Merged into the details of every audit record this run emits (e.g. `{fleet_id}`). */
  auditDetails?: Record<string, unknown>;
  /** The command's id, when the caller must know it before the run ends; a new UUID otherwise. */
  commandId?: string;
  /**
   * Shapes a result before it is kept, audited and returned (a fan-out's share of its output budget): the
   * audit record's digest is then of what the caller receives.
   */
  shape?: (result: CommandResult) => CommandResult;
  /**
   * Where a follow command's output goes (the SSE response). Without it a follow command is refused as
   * `invalid` (rule `follow_needs_event_stream`); other commands ignore it.
   */
  stream?: Omit<StreamTarget, 'maxMs' | 'maxBytes'>;
}

/**
 * How a run ended when it did not throw:
 * - `invalid`: the grammar did not understand the command (400); recorded as `access_denied`.
 * - `denied`: the gateway policy (or grammar) forbids it (403); recorded as `unauthorized_command_attempt`.
 *   `result` is the `denied` result the REST API answers with under the error shape.
 * - `result`: the command ran (or was sent and no answer came: `timedOut` holds the 504 error, and
 *   `result.status` is `timeout`). The result is kept and audited; `ms` is the whole round trip.
 */
export type RunOutcome =
  | { kind: 'invalid'; error: KubentlyError; decision: CommandRefused }
  | { kind: 'denied'; error: KubentlyError; decision: CommandRefused; result: CommandResult }
  | { kind: 'result'; result: CommandResult; timedOut: KubentlyError | null; ms: number }
  | { kind: 'stream'; ended: StreamEnded; command: Command; ms: number };

export interface CommandRunner {
  /**
   * Runs one command on one cluster. Throws (KubentlyError) `not_found` for a cluster or session the caller
   * may not use (recorded as `access_denied`), `agent_unavailable` (503) when no agent of the cluster is
   * connected, `service_unavailable` when the bus refuses the command, and whatever a fail-closed audit
   * write throws; every such failure after the decision is audited.
   */
  run(request: RunRequest): Promise<RunOutcome>;
}

/** The error a refusal answers with: 400 for what the grammar does not understand, else 403. */
export function refusalError(d: CommandRefused): KubentlyError {
  return new KubentlyError(d.code, d.reason, {
    details: d.token === undefined ? { rule: d.rule } : { rule: d.rule, token: d.token },
  });
}

/**
 * A forbidden flag's value may be a credential (`--token=…`, `--password=…`): the audit trail keeps the flag,
 * never its value. The answer goes back to the caller who sent it and shows it whole, like /debug/validate.
 */
export function withoutFlagValue(rule: string, token: string | undefined): string | undefined {
  if (token === undefined || rule !== 'forbidden_flag') return token;
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    return eq < 0 ? token : `${token.slice(0, eq)}=[redacted]`;
  }
  return token.length > 2 ? `${token.slice(0, 2)}[redacted]` : token;
}

/** Who asked, from where, and which command: the fields every command's audit record starts with. */
export function auditBase(origin: RequestOrigin, c: CommandContext) {
  const caller = callerOf(origin);
  return {
    source_ip: origin.ip,
    api_key_prefix: caller.keyPrefix,
    identity: caller.identity,
    cluster_id: c.clusterId,
    session_id: c.sessionId,
    command_id: c.id,
  } satisfies Partial<AuditEventInput>;
}

/** What the audit record of a refused command says: the rule, why, the token (a flag's value redacted), the argv. */
export function refusalDetails(
  body: Pick<CommandRequestBody, 'correlation_id'>,
  d: CommandRefused,
): Record<string, unknown> {
  return {
    rule: d.rule,
    reason: d.reason,
    token: withoutFlagValue(d.rule, d.token) ?? null,
    argv: d.argv,
    correlation_id: body.correlation_id ?? null,
  };
}

/** The grep strings and output cap the caller asked for, when it did: they shape what the caller was sent. */
export function viewDetails(command: Pick<Command, 'view'>): Record<string, unknown> {
  const view = command.view;
  if (view === undefined) return {};
  return {
    ...(view.grep ? { grep: view.grep } : {}),
    ...(view.maxOutputBytes ? { max_output_bytes: view.maxOutputBytes } : {}),
  };
}

/**
 * The command's id, owner and time budget: the requested timeout (or the policy default) capped by the policy,
 * then by `maxTimeoutMs` when given.
 */
export function commandContext(
  policy: Policy,
  body: CommandRequestBody,
  caller: Pick<CommandContext, 'identity' | 'groups'>,
  id: string = randomUUID(),
  maxTimeoutMs?: number,
): CommandContext {
  const requestedMs = body.timeout_seconds === undefined ? undefined : body.timeout_seconds * 1000;
  const timeoutMs = effectiveTimeoutMs(policy, body.cluster_id, requestedMs);
  return {
    id,
    clusterId: body.cluster_id,
    identity: caller.identity,
    groups: caller.groups,
    sessionId: body.session_id ?? null,
    timeoutMs: maxTimeoutMs === undefined ? timeoutMs : Math.max(1, Math.min(timeoutMs, maxTimeoutMs)),
  };
}

/**
 * The refusal of a follow command sent without `Accept: text/event-stream`, or through `route`, which answers
 * once (a fleet request).
 */
export function followNeedsEventStream(command: Command, route?: string): CommandRefused {
  const flag = command.verb === 'logs' ? '--follow' : command.flags.watchOnly ? '--watch-only' : '--watch';
  const how =
    route === undefined
      ? 'send the request with "Accept: text/event-stream"'
      : `${route} answers once: send it to one cluster with POST /debug/execute and "Accept: text/event-stream"`;
  return {
    allowed: false,
    code: 'invalid_command',
    rule: 'follow_needs_event_stream',
    reason: `${command.verb} ${flag} streams its output as it happens: ${how} (kubently exec does), or leave out ${flag}`,
    token: flag,
    argv: command.argv,
  };
}

export function createCommandRunner(ctx: RunnerContext): CommandRunner {
  const { config, sessions, agents, audit, relay, results, metrics, log, refusals } = ctx;
  /** Follow commands streaming now, per identity (MAX_STREAMS_PER_IDENTITY). */
  const streaming = new Map<string, number>();

  /** A session id that is not the caller's (or not for this cluster): recorded, and the same 404. */
  function refuseSession(r: RunRequest, sessionId: string): KubentlyError {
    refusals.record(r.origin, {
      reason: 'session_not_found',
      cluster_id: r.body.cluster_id,
      session_id: sessionId,
    });
    return new KubentlyError('not_found', 'session not found');
  }

  /** The session, when one is named, must be the caller's and for this cluster. */
  async function requireSession(r: RunRequest, identity: string): Promise<void> {
    const { session_id: id, cluster_id: clusterId } = r.body;
    if (id === undefined) return;
    const session = await sessions.get(id, identity);
    if (!session || session.clusterId !== clusterId) throw refuseSession(r, id);
  }

  function decide(r: RunRequest, policy: Policy, c: CommandContext): CommandDecision {
    if (r.parsed === undefined) return checkCommand(policy, r.body, c);
    // Parsed for the same caller: its identity and groups are already this run's.
    const { id, clusterId, sessionId, timeoutMs } = c;
    return checkParsed(policy, { ...r.parsed, id, clusterId, sessionId, timeoutMs });
  }

  /** Records a refusal: an `access_denied` for a request the grammar does not understand, else an attempt. */
  function refuse(r: RunRequest, c: CommandContext, d: CommandRefused): RunOutcome {
    const error = refusalError(d);
    if (d.code === 'invalid_command') {
      refusals.record(r.origin, {
        reason: 'invalid_command',
        cluster_id: c.clusterId,
        session_id: c.sessionId,
        command_id: c.id,
        details: { ...refusalDetails(r.body, d), ...r.auditDetails, message: d.reason },
      });
      return { kind: 'invalid', error, decision: d };
    }
    metrics.unauthorizedCommands.inc({ cluster_id: c.clusterId, rule: d.rule });
    void audit.emit({
      ...auditBase(r.origin, c),
      event_type: 'unauthorized_command_attempt',
      details: { ...refusalDetails(r.body, d), ...r.auditDetails },
    });
    return { kind: 'denied', error, decision: d, result: gatewayResult(c, 'denied', d.reason, 0) };
  }

  /** Nothing is published without a connected agent, a live session and (fail-closed) a recorded attempt. */
  async function admit(r: RunRequest, c: CommandContext, command: Command): Promise<void> {
    if (!agents.isConnected(c.clusterId)) {
      void audit.emit({
        ...auditBase(r.origin, c),
        event_type: 'agent_connection_failure',
        details: { reason: 'no_agent_connected', ...r.auditDetails },
      });
      throw new KubentlyError('agent_unavailable', 'no agent of this cluster is connected', {
        details: { cluster_id: c.clusterId },
      });
    }
    // The session may have ended (deleted, expired) since it was checked: then nothing runs.
    if (c.sessionId !== null && !(await sessions.touch(c.sessionId, c.identity)))
      throw refuseSession(r, c.sessionId);
    const attempt: AuditEventInput = {
      ...auditBase(r.origin, c),
      event_type: 'command_attempt',
      details: {
        argv: command.argv,
        correlation_id: r.body.correlation_id ?? null,
        ...viewDetails(command),
        ...r.auditDetails,
      },
    };
    if (config.auditFailClosed) await audit.record(attempt);
    else void audit.emit(attempt);
  }

  /** The `command_executed` record: the verb and argv, then what happened. */
  function executed(r: RunRequest, c: CommandContext, command: Command, what: Record<string, unknown>): void {
    void audit.emit({
      ...auditBase(r.origin, c),
      event_type: 'command_executed',
      details: {
        verb: command.verb,
        argv: command.argv,
        ...viewDetails(command),
        ...what,
        ...r.auditDetails,
      },
    });
  }

  /**
   * Sends the command and waits for its result; a timeout becomes a `timeout` result (with the relay's error
   * to answer with), any other failure is recorded and rethrown.
   */
  async function relayed(
    r: RunRequest,
    c: CommandContext,
    command: Command,
    deadline: number,
  ): Promise<RunOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // Waiting for the recorded attempt spent part of the command's time: it may run only for what is left, and
    // not at all once none is (a fan-out may already have answered without it). Rounded up: the wait ends at
    // the deadline, not a millisecond before it, so a fan-out's next turn finds no time left.
    const timeoutMs = Math.min(command.timeoutMs, Math.ceil(deadline - started));
    try {
      if (timeoutMs < 1)
        throw new KubentlyError(
          'timeout',
          `no time left for cluster "${c.clusterId}" once the attempt was recorded`,
          {
            details: { command_id: c.id, timeout_ms: command.timeoutMs },
          },
        );
      const result = toResult(await relay.send({ ...command, timeoutMs }), command);
      return { kind: 'result', result, timedOut: null, ms: elapsed() };
    } catch (err) {
      if (isKubentlyError(err) && err.code === 'timeout') {
        const ms = elapsed();
        return { kind: 'result', result: gatewayResult(c, 'timeout', err.message, ms), timedOut: err, ms };
      }
      executed(r, c, command, { status: 'error', error: (err as Error).message });
      throw err;
    }
  }

  /** Counts, audits and keeps the result (kept before answering, so a client can fetch it right after). */
  async function recordResult(
    r: RunRequest,
    c: CommandContext,
    command: Command,
    result: CommandResult,
    ms: number,
  ): Promise<void> {
    metrics.commands.inc({ cluster_id: c.clusterId, status: result.status });
    metrics.commandDuration.observe({ cluster_id: c.clusterId }, ms / 1000);
    executed(r, c, command, {
      status: result.status,
      // The agent's own time, and the whole round trip as the gateway saw it.
      execution_time_ms: result.execution_time_ms,
      duration_ms: ms,
      error: result.error,
      truncated: result.truncated,
      correlation_id: r.body.correlation_id ?? null,
      // What the caller is sent: the output's digest, never the output.
      ...outputDigest(result.output),
    });
    // Losing the cache must not lose the answer.
    await results
      .put(result, c.identity)
      .catch((err) => log.warn({ err, commandId: c.id }, 'result not kept'));
  }

  /**
   * A follow command: one of the identity's stream slots (429 when they are taken), then admitted like any
   * command, then streamed to `target` under the gateway policy's caps. The audit record is written when the
   * stream ends, with its duration, bytes and reason. An agent that answers with a result instead (its policy
   * denied the command) gives an ordinary result.
   */
  async function streamed(
    r: RunRequest,
    c: CommandContext,
    command: Command,
    policy: Policy,
    target: NonNullable<RunRequest['stream']>,
  ): Promise<RunOutcome> {
    if (!relay.stream) throw new KubentlyError('service_unavailable', 'this gateway cannot stream');
    const open = streaming.get(c.identity) ?? 0;
    if (open >= config.maxStreamsPerIdentity) {
      void audit.emit({
        ...auditBase(r.origin, c),
        event_type: 'rate_limit_exceeded',
        details: {
          limit: 'streams',
          max: config.maxStreamsPerIdentity,
          argv: command.argv,
          ...r.auditDetails,
        },
      });
      throw new KubentlyError(
        'rate_limited',
        `${config.maxStreamsPerIdentity} follow commands of this identity are streaming already; end one first`,
        { details: { limit: 'streams', max: config.maxStreamsPerIdentity } },
      );
    }
    streaming.set(c.identity, open + 1);
    try {
      await admit(r, c, command);
      const { maxMs, maxBytes } = streamLimits(policy, c.clusterId);
      const started = performance.now();
      let outcome: Awaited<ReturnType<NonNullable<typeof relay.stream>>>;
      // The digest of what the client was handed, as for every command (never the output itself).
      const digest = createHash('sha256');
      const write = (text: string) => {
        digest.update(text, 'utf8');
        return target.write(text);
      };
      try {
        outcome = await relay.stream(command, { ...target, write, maxMs, maxBytes });
      } catch (err) {
        executed(r, c, command, { status: 'error', error: (err as Error).message, streamed: true });
        throw err;
      }
      const ms = Math.round(performance.now() - started);
      if (outcome.kind === 'result') {
        const result = toResult(outcome.result, command);
        await recordResult(r, c, command, result, ms);
        return { kind: 'result', result, timedOut: null, ms };
      }
      const ended = outcome;
      metrics.commands.inc({ cluster_id: c.clusterId, status: ended.status });
      metrics.commandDuration.observe({ cluster_id: c.clusterId }, ms / 1000);
      executed(r, c, command, {
        status: ended.status,
        streamed: true,
        reason: ended.reason,
        duration_ms: ms,
        error: ended.error,
        truncated: ended.truncated,
        correlation_id: r.body.correlation_id ?? null,
        output_sha256: digest.digest('hex'),
        output_bytes: ended.bytes,
      });
      return { kind: 'stream', ended, command, ms };
    } finally {
      const left = (streaming.get(c.identity) ?? 1) - 1;
      if (left > 0) streaming.set(c.identity, left);
      else streaming.delete(c.identity);
    }
  }

  return {
    async run(r) {
      const caller = callerOf(r.origin);
      // One snapshot per request: a policy reloaded meanwhile applies to the next one.
      const policy = r.policy ?? ctx.policy();
      refusals.requireCluster(r.origin, r.body.cluster_id, policy);
      await requireSession(r, caller.identity);
      const c = commandContext(policy, r.body, caller, r.commandId ?? randomUUID(), r.maxTimeoutMs);
      // The command's time starts now: no command outlives its timeout, however long admitting it takes.
      const deadline = Math.min(performance.now() + c.timeoutMs, r.deadline ?? Number.POSITIVE_INFINITY);
      const decision = decide(r, policy, c);
      if (!decision.allowed) return refuse(r, c, decision);
      if (isFollowCommand(decision.command)) {
        if (!r.stream) return refuse(r, c, followNeedsEventStream(decision.command));
        return streamed(r, c, decision.command, policy, r.stream);
      }
      await admit(r, c, decision.command);
      const outcome = await relayed(r, c, decision.command, deadline);
      if (outcome.kind !== 'result') return outcome;
      if (r.shape) outcome.result = r.shape(outcome.result);
      await recordResult(r, c, decision.command, outcome.result, outcome.ms);
      return outcome;
    },
  };
}
