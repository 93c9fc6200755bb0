// POST /debug/execute.
//
// Cluster visible to the caller → session (the caller's, for that cluster) → one decision (parse and gateway
// policy, from one policy snapshot) → an agent is connected (else 503 at once) → command_attempt recorded
// durably (fail-closed) → relay → result kept → reply. A refused or timed-out command answers with the error
// shape AND the result shape (`status: 'denied' | 'timeout'`): generic HTTP clients read `error`, Kubently's
// clients read `status`; both find what they expect.

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CommandRequestBody,
  type CommandResult,
  commandRequestSchema,
  type RefusedResult,
} from '../../common/api.js';
import type { AuditEventInput } from '../../common/audit/events.js';
import { outputDigest } from '../../common/audit/output-digest.js';
import type { CommandContext } from '../../common/command/parse.js';
import type { Command } from '../../common/command/types.js';
import { isKubentlyError, KubentlyError } from '../../common/errors.js';
import {
  type CommandRefused,
  checkCommand,
  effectiveTimeoutMs,
  type Policy,
} from '../../common/policy/index.js';
import { MAX_RESULT_ERROR_CHARS, malformedResultFields, type ResultMessage } from '../../common/wire.js';
import { type Caller, callerOf } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import { errorBodyOf } from '../plugins/errors.js';
import { COMMAND_EXAMPLES, EXECUTE_DESCRIPTION, errorRef, refusedRef, resultRef } from '../schemas.js';
import { foldUpstreamHeaders, upstreamHeadersSchema } from '../upstream-headers.js';

/**
 * The client-facing result. The relay already matched the reply's subject to the command's cluster; the
 * agent's payload is still not trusted: the ids are the command's own, an over-long error is cut, and a reply
 * with any field outside its schema (an object where text belongs, an unknown status, a date that is not
 * one) is a failure that names the fields, passing none of the agent's values on.
 */
export function toResult(reply: ResultMessage, command: Command): CommandResult {
  const r = { ...reply };
  if (typeof r.error === 'string' && r.error.length > MAX_RESULT_ERROR_CHARS)
    r.error = `${r.error.slice(0, MAX_RESULT_ERROR_CHARS - 1)}…`;
  const ids = { command_id: command.id, session_id: command.sessionId, cluster_id: command.clusterId };
  const malformed = malformedResultFields(r);
  if (malformed.length === 0) {
    const { status, output, error, execution_time_ms, executed_at, truncated } = r;
    return { ...ids, status, output, error, execution_time_ms, executed_at, truncated };
  }
  const status = malformed.includes('status')
    ? `, unknown status ${String(JSON.stringify(r.status ?? null)).slice(0, 40)}`
    : '';
  return {
    ...ids,
    status: 'failure',
    output: '',
    error: `the agent answered with a malformed result (${malformed.join(', ')}${status})`,
    execution_time_ms: 0,
    executed_at: new Date().toISOString(),
    truncated: false,
  };
}

/** A result the gateway answers itself: the command was refused before it left, or no answer came in time. */
function gatewayResult(
  c: CommandContext,
  status: 'denied' | 'timeout',
  error: string,
  ms: number,
): CommandResult {
  return {
    command_id: c.id,
    session_id: c.sessionId,
    cluster_id: c.clusterId,
    status,
    output: '',
    error,
    execution_time_ms: ms,
    executed_at: new Date().toISOString(),
    truncated: false,
  };
}

/** The 403/504 answer: the result with the error shape over it (`error` becomes the code). */
function sendRefused(reply: FastifyReply, err: KubentlyError, result: CommandResult) {
  const body: RefusedResult = { ...result, ...errorBodyOf(err) };
  return reply.code(err.statusCode).send(body);
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
export function auditBase(request: FastifyRequest, c: CommandContext) {
  const caller = callerOf(request);
  return {
    source_ip: request.ip,
    api_key_prefix: caller.keyPrefix,
    identity: caller.identity,
    cluster_id: c.clusterId,
    session_id: c.sessionId,
    command_id: c.id,
  } satisfies Partial<AuditEventInput>;
}

/** What the audit record of a refused command says: the rule, why, the token (a flag's value redacted), the argv. */
export function refusalDetails(
  request: FastifyRequest<{ Body: CommandRequestBody }>,
  d: CommandRefused,
): Record<string, unknown> {
  return {
    rule: d.rule,
    reason: d.reason,
    token: withoutFlagValue(d.rule, d.token) ?? null,
    argv: d.argv,
    correlation_id: request.body.correlation_id ?? null,
  };
}

/** The command's id, owner and time budget: the requested timeout (or the policy default) capped by the policy. */
export function commandContext(
  policy: Policy,
  body: CommandRequestBody,
  caller: Caller,
  id: string = randomUUID(),
): CommandContext {
  const requestedMs = body.timeout_seconds === undefined ? undefined : body.timeout_seconds * 1000;
  return {
    id,
    clusterId: body.cluster_id,
    identity: caller.identity,
    groups: caller.groups,
    sessionId: body.session_id ?? null,
    timeoutMs: effectiveTimeoutMs(policy, body.cluster_id, requestedMs),
  };
}

export async function executeRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { config, sessions, agents, audit, relay, results, metrics, log } = ctx;

  type Request = FastifyRequest<{ Body: CommandRequestBody }>;

  /** A session id that is not the caller's (or not for this cluster): recorded, and the same 404. */
  function refuseSession(request: Request, sessionId: string): KubentlyError {
    ctx.refusals.record(request, {
      reason: 'session_not_found',
      cluster_id: request.body.cluster_id,
      session_id: sessionId,
    });
    return new KubentlyError('not_found', 'session not found');
  }

  /** The session, when one is named, must be the caller's and for this cluster. */
  async function requireSession(request: Request, identity: string): Promise<void> {
    const { session_id: id, cluster_id: clusterId } = request.body;
    if (id === undefined) return;
    const session = await sessions.get(id, identity);
    if (!session || session.clusterId !== clusterId) throw refuseSession(request, id);
  }

  /** Records and answers a refusal: 400 for a request the grammar does not understand, 403 for a forbidden one. */
  function refuse(request: Request, reply: FastifyReply, c: CommandContext, d: CommandRefused) {
    const err = refusalError(d);
    if (d.code === 'invalid_command') {
      ctx.refusals.record(request, {
        reason: 'invalid_command',
        cluster_id: c.clusterId,
        session_id: c.sessionId,
        command_id: c.id,
        details: { ...refusalDetails(request, d), message: d.reason },
      });
      return reply.code(err.statusCode).send(errorBodyOf(err));
    }
    metrics.unauthorizedCommands.inc({ cluster_id: c.clusterId, rule: d.rule });
    void audit.emit({
      ...auditBase(request, c),
      event_type: 'unauthorized_command_attempt',
      details: refusalDetails(request, d),
    });
    return sendRefused(reply, err, gatewayResult(c, 'denied', d.reason, 0));
  }

  /** Nothing is published without a connected agent, a live session and (fail-closed) a recorded attempt. */
  async function admit(request: Request, c: CommandContext, command: Command): Promise<void> {
    if (!agents.isConnected(c.clusterId)) {
      void audit.emit({
        ...auditBase(request, c),
        event_type: 'agent_connection_failure',
        details: { reason: 'no_agent_connected' },
      });
      throw new KubentlyError('agent_unavailable', 'no agent of this cluster is connected', {
        details: { cluster_id: c.clusterId },
      });
    }
    // The session may have ended (deleted, expired) since it was checked: then nothing runs.
    if (c.sessionId !== null && !(await sessions.touch(c.sessionId, c.identity)))
      throw refuseSession(request, c.sessionId);
    const attempt: AuditEventInput = {
      ...auditBase(request, c),
      event_type: 'command_attempt',
      details: { argv: command.argv, correlation_id: request.body.correlation_id ?? null },
    };
    if (config.auditFailClosed) await audit.record(attempt);
    else void audit.emit(attempt);
  }

  /**
   * Sends the command and waits for its result; a timeout becomes a `timeout` result (with the relay's error
   * to answer with), any other failure is recorded and rethrown.
   */
  async function relayed(
    request: Request,
    c: CommandContext,
    command: Command,
  ): Promise<{ result: CommandResult; timedOut: KubentlyError | null; ms: number }> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const result = toResult(await relay.send(command), command);
      return { result, timedOut: null, ms: elapsed() };
    } catch (err) {
      if (isKubentlyError(err) && err.code === 'timeout') {
        return { result: gatewayResult(c, 'timeout', err.message, elapsed()), timedOut: err, ms: elapsed() };
      }
      void audit.emit({
        ...auditBase(request, c),
        event_type: 'command_executed',
        details: { verb: command.verb, argv: command.argv, status: 'error', error: (err as Error).message },
      });
      throw err;
    }
  }

  /** Counts, audits and keeps the result (kept before answering, so a client can fetch it right after). */
  async function recordResult(
    request: Request,
    c: CommandContext,
    command: Command,
    result: CommandResult,
    ms: number,
  ) {
    metrics.commands.inc({ cluster_id: c.clusterId, status: result.status });
    metrics.commandDuration.observe({ cluster_id: c.clusterId }, ms / 1000);
    void audit.emit({
      ...auditBase(request, c),
      event_type: 'command_executed',
      details: {
        verb: command.verb,
        argv: command.argv,
        status: result.status,
        // The agent's own time, and the whole round trip as the gateway saw it.
        execution_time_ms: result.execution_time_ms,
        duration_ms: ms,
        error: result.error,
        truncated: result.truncated,
        correlation_id: request.body.correlation_id ?? null,
        // What the caller is sent below: the output's digest, never the output.
        ...outputDigest(result.output),
      },
    });
    // Losing the cache must not lose the answer.
    await results
      .put(result, c.identity)
      .catch((err) => log.warn({ err, commandId: c.id }, 'result not kept'));
  }

  /** 200 with the result, or 403/504 with the result under the error shape when the cluster refused or timed out. */
  function answer(
    reply: FastifyReply,
    c: CommandContext,
    result: CommandResult,
    timedOut: KubentlyError | null,
  ) {
    if (timedOut) return sendRefused(reply, timedOut, result);
    if (result.status === 'denied') {
      metrics.unauthorizedCommands.inc({ cluster_id: c.clusterId, rule: 'agent_policy' });
      const err = new KubentlyError('unauthorized_command', result.error ?? 'denied by the agent policy', {
        details: { rule: 'agent_policy' },
      });
      return sendRefused(reply, err, result);
    }
    if (result.status === 'timeout') {
      return sendRefused(
        reply,
        new KubentlyError('timeout', result.error ?? 'the command timed out in the cluster'),
        result,
      );
    }
    return reply.send(result);
  }

  app.post<{ Body: CommandRequestBody; Reply: CommandResult | RefusedResult }>(
    '/debug/execute',
    {
      schema: {
        tags: ['commands'],
        summary: 'Run a read-only kubectl command on a cluster',
        description: EXECUTE_DESCRIPTION,
        headers: upstreamHeadersSchema({ timeout: true }),
        body: { ...commandRequestSchema, examples: COMMAND_EXAMPLES },
        response: {
          200: resultRef,
          400: errorRef,
          401: errorRef,
          403: refusedRef,
          404: errorRef,
          429: errorRef,
          503: errorRef,
          504: refusedRef,
        },
      },
      config: { rateLimit: { max: config.rateLimit.execute, timeWindow: config.rateLimit.windowMs } },
      preHandler: foldUpstreamHeaders,
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const body = request.body;
      // One snapshot per request: a policy reloaded meanwhile applies to the next one.
      const policy = ctx.policy();
      ctx.refusals.requireCluster(request, body.cluster_id, policy);
      await requireSession(request, caller.identity);
      const c = commandContext(policy, body, caller);
      const decision = checkCommand(policy, body, c);
      if (!decision.allowed) return refuse(request, reply, c, decision);
      await admit(request, c, decision.command);
      const { result, timedOut, ms } = await relayed(request, c, decision.command);
      await recordResult(request, c, decision.command, result, ms);
      return answer(reply, c, result, timedOut);
    },
  );
}
