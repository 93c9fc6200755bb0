// POST /debug/execute: one command on one cluster through the command runner (see command-runner.ts). A
// refused or timed-out command answers with the error shape AND the result shape (`status: 'denied' |
// 'timeout'`): generic HTTP clients read `error`, Kubently's clients read `status`; both find what they expect.

import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  type CommandRequestBody,
  type CommandResult,
  commandRequestSchema,
  type ErrorBody,
  type RefusedResult,
} from '../../common/api.js';
import { KubentlyError } from '../../common/errors.js';
import type { CommandRunner } from '../command-runner.js';
import type { GatewayContext } from '../context.js';
import { errorBodyOf } from '../plugins/errors.js';
import { COMMAND_EXAMPLES, EXECUTE_DESCRIPTION, errorRef, refusedRef, resultRef } from '../schemas.js';
import { foldUpstreamHeaders, upstreamHeadersSchema } from '../upstream-headers.js';

/** The 403/504 answer: the result with the error shape over it (`error` becomes the code). */
function sendRefused(reply: FastifyReply, err: KubentlyError, result: CommandResult) {
  const body: RefusedResult = { ...result, ...errorBodyOf(err) };
  return reply.code(err.statusCode).send(body);
}

export async function executeRoutes(
  app: FastifyInstance,
  opts: { ctx: GatewayContext; runner: CommandRunner },
): Promise<void> {
  const { ctx, runner } = opts;
  const { config, metrics } = ctx;

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
      config: { rateLimit: { max: config.rateLimit.execute, timeWindow: config.rateLimit.windowMs } },
      preHandler: foldUpstreamHeaders,
    },
    async (request, reply) => {
      const outcome = await runner.run({ origin: request, body: request.body });
      switch (outcome.kind) {
        case 'invalid':
          return reply.code(outcome.error.statusCode).send(errorBodyOf(outcome.error));
        case 'denied':
          return sendRefused(reply, outcome.error, outcome.result);
        case 'result':
          return answer(reply, outcome.result, outcome.timedOut);
      }
    },
  );
}
