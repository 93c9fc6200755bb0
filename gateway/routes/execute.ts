// POST /debug/execute and POST /debug/validate.
//
// Execute: cluster visible to the caller → session (the caller's, for that cluster) → parse → gateway
// policy → an agent is connected (else 503 at once) → command_attempt recorded durably (fail-closed) →
// relay → result kept → reply. A refused or timed-out command answers with the error shape AND the
// result shape (`status: 'denied' | 'timeout'`): generic HTTP clients read `error`, Kubently's clients read
// `status`; both find what they expect.

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEventInput } from '../../common/audit/events.js';
import type { Command } from '../../common/command/types.js';
import { isKubentlyError, KubentlyError } from '../../common/errors.js';
import { RESULT_STATUSES, type ResultMessage } from '../../common/wire.js';
import { type Caller, callerOf } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import { withBody } from '../plugins/errors.js';
import type { CommandContext, CommandRequestBody } from '../policy-port.js';
import type { CommandResult } from '../results/result-store.js';
import { commandRequestSchema, errorRef } from '../schemas.js';

/** The schema's outer bound; the policy's own maximum (default 120 s) caps the value actually used. */
const MAX_TIMEOUT_SECONDS = 600;
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 404: errorRef, 429: errorRef, 503: errorRef };

/**
 * The client-facing result. The relay already matched the reply's subject to the command's cluster; the
 * agent's payload is still not trusted for the cluster id, and a status outside the contract is a failure.
 */
function toResult(r: ResultMessage, command: Command, sessionId: string | null): CommandResult {
  const known = (RESULT_STATUSES as readonly string[]).includes(r.status);
  return {
    command_id: command.id,
    session_id: sessionId,
    cluster_id: command.clusterId,
    status: known ? r.status : 'failure',
    output: typeof r.output === 'string' ? r.output : '',
    error: known
      ? r.error
      : `the agent answered with an unknown status ${JSON.stringify(String(r.status)).slice(0, 40)}`,
    execution_time_ms: Number.isFinite(r.execution_time_ms) ? r.execution_time_ms : 0,
    executed_at: typeof r.executed_at === 'string' ? r.executed_at : new Date().toISOString(),
    truncated: r.truncated === true,
  };
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

export async function executeRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { config, sessions, policy, agents, audit, relay, results, metrics, clusters, log } = ctx;
  const schema = commandRequestSchema(MAX_TIMEOUT_SECONDS);

  function auditBase(request: FastifyRequest, caller: Caller, c: CommandContext) {
    return {
      source_ip: request.ip,
      api_key_prefix: caller.keyPrefix,
      identity: caller.identity,
      cluster_id: c.clusterId,
      session_id: c.sessionId,
      command_id: c.id,
    } satisfies Partial<AuditEventInput>;
  }

  function contextFor(body: CommandRequestBody, caller: Caller, sessionId: string | null): CommandContext {
    const requested = body.timeout_seconds === undefined ? undefined : body.timeout_seconds * 1000;
    const timeoutMs = policy.timeoutMs(body.cluster_id, requested);
    return { id: randomUUID(), clusterId: body.cluster_id, identity: caller.identity, sessionId, timeoutMs };
  }

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

  function refuse(
    request: FastifyRequest,
    caller: Caller,
    c: CommandContext,
    argv: string[] | null,
    rule: string,
    reason: string,
    token?: string,
  ) {
    metrics.unauthorizedCommands.inc({ cluster_id: c.clusterId, rule });
    void audit.emit({
      ...auditBase(request, caller, c),
      event_type: 'unauthorized_command_attempt',
      details: {
        rule,
        reason,
        token: withoutFlagValue(rule, token) ?? null,
        argv,
        correlation_id: (request.body as CommandRequestBody).correlation_id ?? null,
      },
    });
    return withBody(
      new KubentlyError('unauthorized_command', reason, {
        details: { rule, ...(token !== undefined ? { token } : {}) },
      }),
      gatewayResult(c, 'denied', reason, 0),
    );
  }

  app.post<{ Body: CommandRequestBody }>(
    '/debug/execute',
    {
      schema: {
        tags: ['commands'],
        body: schema,
        response: { 200: { $ref: 'CommandResult#' }, ...errors, 504: errorRef },
      },
      config: { rateLimit: { max: config.rateLimit.execute, timeWindow: config.rateLimit.windowMs } },
    },
    async (request) => {
      const caller = callerOf(request);
      const body = request.body;
      clusters.require(caller.identity, body.cluster_id);
      if (body.session_id !== undefined) {
        const session = await sessions.get(body.session_id, caller.identity);
        if (!session || session.clusterId !== body.cluster_id)
          throw new KubentlyError('not_found', 'session not found');
      }
      const c = contextFor(body, caller, body.session_id ?? null);

      let command: Command;
      try {
        command = policy.parse(body, c);
      } catch (err) {
        if (isKubentlyError(err) && err.code === 'unauthorized_command') {
          const d = err.details ?? {};
          throw refuse(
            request,
            caller,
            c,
            null,
            String(d.rule ?? 'grammar'),
            err.message,
            d.token as string | undefined,
          );
        }
        throw err;
      }
      const decision = policy.evaluate(command);
      if (!decision.allowed)
        throw refuse(request, caller, c, command.argv, decision.rule, decision.reason, decision.token);

      if (!agents.isConnected(c.clusterId)) {
        void audit.emit({
          ...auditBase(request, caller, c),
          event_type: 'agent_connection_failure',
          details: { reason: 'no_agent_connected' },
        });
        throw new KubentlyError('agent_unavailable', 'no agent of this cluster is connected', {
          details: { cluster_id: c.clusterId },
        });
      }
      // The session may have ended (deleted, expired) since it was checked above: then nothing runs.
      if (c.sessionId !== null && !(await sessions.touch(c.sessionId, caller.identity)))
        throw new KubentlyError('not_found', 'session not found');

      const attempt: AuditEventInput = {
        ...auditBase(request, caller, c),
        event_type: 'command_attempt',
        details: { argv: command.argv, correlation_id: body.correlation_id ?? null },
      };
      if (config.auditFailClosed) await audit.record(attempt);
      else void audit.emit(attempt);

      const started = performance.now();
      let result: CommandResult;
      let failure: KubentlyError | null = null;
      try {
        result = toResult(await relay.send(command), command, c.sessionId);
      } catch (err) {
        if (!(isKubentlyError(err) && err.code === 'timeout')) {
          void audit.emit({
            ...auditBase(request, caller, c),
            event_type: 'command_executed',
            details: {
              verb: command.verb,
              argv: command.argv,
              status: 'error',
              error: (err as Error).message,
            },
          });
          throw err;
        }
        result = gatewayResult(c, 'timeout', err.message, Math.round(performance.now() - started));
        failure = withBody(err, result);
      }
      const seconds = (performance.now() - started) / 1000;
      metrics.commands.inc({ cluster_id: c.clusterId, status: result.status });
      metrics.commandDuration.observe({ cluster_id: c.clusterId }, seconds);
      void audit.emit({
        ...auditBase(request, caller, c),
        event_type: 'command_executed',
        details: {
          verb: command.verb,
          argv: command.argv,
          status: result.status,
          // The agent's own time, and the whole round trip as the gateway saw it.
          execution_time_ms: result.execution_time_ms,
          duration_ms: Math.round(seconds * 1000),
          error: result.error,
          truncated: result.truncated,
          correlation_id: body.correlation_id ?? null,
        },
      });
      // Kept before answering so a client can fetch it right after the reply; losing the cache must not lose the answer.
      await results
        .put(result, caller.identity)
        .catch((err) => log.warn({ err, commandId: c.id }, 'result not kept'));

      if (failure) throw failure;
      if (result.status === 'denied') {
        metrics.unauthorizedCommands.inc({ cluster_id: c.clusterId, rule: 'agent_policy' });
        throw withBody(
          new KubentlyError('unauthorized_command', result.error ?? 'denied by the agent policy', {
            details: { rule: 'agent_policy' },
          }),
          result,
        );
      }
      if (result.status === 'timeout') {
        throw withBody(
          new KubentlyError('timeout', result.error ?? 'the command timed out in the cluster'),
          result,
        );
      }
      return result;
    },
  );

  app.post<{ Body: CommandRequestBody }>(
    '/debug/validate',
    {
      schema: {
        tags: ['commands'],
        body: schema,
        response: {
          200: {
            type: 'object',
            properties: {
              allowed: { type: 'boolean' },
              normalized_argv: { type: 'array', items: { type: 'string' } },
              rule: { type: 'string' },
              reason: { type: 'string' },
              token: { type: 'string' },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      clusters.require(caller.identity, request.body.cluster_id);
      return policy.explain(request.body, contextFor(request.body, caller, request.body.session_id ?? null));
    },
  );
}
