// GET /debug/result/:id — a result while it is kept, only for the identity that ran the command.

import type { FastifyInstance } from 'fastify';
import { KubentlyError } from '../../common/errors.js';
import { callerOf } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import { errorRef, idParam } from '../schemas.js';

export async function resultRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/debug/result/:id',
    {
      schema: {
        tags: ['commands'],
        summary: 'A result of yours again, by its command id',
        description:
          'The `command_id` of a POST /debug/execute answer; the result is kept RESULT_TTL_SECONDS (300) and ' +
          'only for the identity that ran the command. Afterwards, or for anyone else, 404.',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { ...idParam, description: 'command_id from POST /debug/execute' } },
        },
        response: {
          200: { $ref: 'CommandResult#' },
          400: errorRef,
          401: errorRef,
          404: errorRef,
          503: errorRef,
        },
      },
    },
    async (request) => {
      const result = await ctx.results.get(request.params.id, callerOf(request).identity);
      if (!result) throw new KubentlyError('not_found', 'result not found');
      return result;
    },
  );
}
