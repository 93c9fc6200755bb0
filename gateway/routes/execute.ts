// POST /debug/execute: one command on one cluster through the command runner (see command-runner.ts). A
// refused or timed-out command answers with the error shape AND the result shape (`status: 'denied' |
// 'timeout'`): generic HTTP clients read `error`, Kubently's clients read `status`; both find what they expect.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CommandRequestBody,
  type CommandResult,
  commandRequestSchema,
  type ErrorBody,
  type RefusedResult,
} from '../../common/api.js';
import { KubentlyError } from '../../common/errors.js';
import { formatSseEvent } from '../../common/sse.js';
import { type CommandLimit, commandLimitHook } from '../command-limit.js';
import type { CommandRunner, RunRequest } from '../command-runner.js';
import type { GatewayContext } from '../context.js';
import { errorBodyOf } from '../plugins/errors.js';
import { COMMAND_EXAMPLES, EXECUTE_DESCRIPTION, errorRef, refusedRef, resultRef } from '../schemas.js';
import { STOP_GRACE_MS } from '../stream-relay.js';
import { foldUpstreamHeaders, upstreamHeadersSchema } from '../upstream-headers.js';

/** The 403/504 answer: the result with the error shape over it (`error` becomes the code). */
function sendRefused(reply: FastifyReply, err: KubentlyError, result: CommandResult) {
  const body: RefusedResult = { ...result, ...errorBodyOf(err) };
  return reply.code(err.statusCode).send(body);
}

export async function executeRoutes(
  app: FastifyInstance,
  opts: { ctx: GatewayContext; runner: CommandRunner; commandLimit: CommandLimit },
): Promise<void> {
  const { ctx, runner, commandLimit } = opts;
  const { metrics } = ctx;

  /** 200 with the result, or 403/504 with the result under the error shape when the cluster refused or timed out. */
  function answer(reply: FastifyReply, result: CommandResult, timedOut: KubentlyError | null) {
    if (timedOut) return sendRefused(reply, timedOut, result);
    if (result.status === 'denied') {
      metrics.unauthorizedCommands.inc({ cluster_id: result.cluster_id, rule: 'agent_policy' });
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

  app.post<{ Body: CommandRequestBody; Reply: CommandResult | RefusedResult | ErrorBody }>(
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
      // The command budget MCP's kubectl tool spends too (one counter), not the route's own store.
      config: { rateLimit: false },
      preValidation: commandLimitHook(commandLimit, '/debug/execute'),
      preHandler: foldUpstreamHeaders,
    },
    async (request, reply) => {
      const sse = wantsEventStream(request) ? eventStream(reply) : undefined;
      const outcome = await runner.run({ origin: request, body: request.body, stream: sse?.target });
      switch (outcome.kind) {
        case 'invalid':
          return reply.code(outcome.error.statusCode).send(errorBodyOf(outcome.error));
        case 'denied':
          return sendRefused(reply, outcome.error, outcome.result);
        case 'result':
          if (sse?.open) {
            const { command_id, status, error, truncated, execution_time_ms } = outcome.result;
            return sse.end({
              command_id,
              status,
              error,
              truncated,
              reason: 'completed',
              bytes: 0,
              execution_time_ms,
            });
          }
          return answer(reply, outcome.result, outcome.timedOut);
        case 'stream': {
          const { ended, command, ms } = outcome;
          const end = {
            command_id: command.id,
            status: ended.status,
            error: ended.error,
            truncated: ended.truncated,
            reason: ended.reason,
            bytes: ended.bytes,
            execution_time_ms: ms,
          };
          if (sse?.open) return sse.end(end);
          // The agent never began: the same 504 as a command that was not answered in time.
          const err = new KubentlyError('timeout', ended.error ?? 'the stream did not start in time');
          return reply.code(err.statusCode).send({ ...errorBodyOf(err), details: end });
        }
      }
    },
  );
}

/**
 * Whether `Accept` names `text/event-stream` (any case) without refusing it with q=0, as RFC 9110 §12.5.1 reads
 * it: `text/event-stream;q=0` or `text/event-streams` does not, and a follow command is then refused.
 * A wildcard range does not ask for a stream: a client that never said it reads one gets the hint instead.
 */
function wantsEventStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === 'text/event-stream' && !params.some((p) => /^q\s*=\s*0(\.0{0,3})?$/.test(p));
  });
}

/**
 * The SSE side of a follow command: the response is taken over from Fastify when the agent's stream begins
 * (before that, errors still answer as JSON with their status). `write` resolves once the socket took the
 * chunk, which is what holds the agent back when the client reads slowly.
 */
function eventStream(reply: FastifyReply) {
  const raw = reply.raw;
  const gone = new AbortController();
  raw.once('close', () => {
    if (raw.writableFinished) return;
    gone.abort();
    raw.socket?.destroy();
  });
  const state = { open: false };
  const target: NonNullable<RunRequest['stream']> = {
    signal: gone.signal,
    started() {
      state.open = true;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        'x-request-id': String(reply.request.id),
      });
      raw.flushHeaders();
    },
    write(text) {
      return new Promise<void>((resolve) => {
        if (gone.signal.aborted || raw.writableEnded) return resolve();
        if (raw.write(formatSseEvent('output', text))) return resolve();
        const done = () => {
          raw.off('drain', done);
          raw.off('close', done);
          resolve();
        };
        raw.once('drain', done);
        raw.once('close', done);
      });
    },
  };
  return {
    target,
    get open() {
      return state.open;
    },
    end(data: Record<string, unknown>) {
      if (raw.writableEnded) return;
      if (gone.signal.aborted) return void raw.destroy();
      raw.end(formatSseEvent('end', data));
      if (raw.writableFinished) return;
      // A client that reads nothing would otherwise hold the socket, and what is queued for it, for ever.
      const unread = setTimeout(() => raw.destroy(), STOP_GRACE_MS).unref();
      raw.once('finish', () => clearTimeout(unread));
    },
  };
}
