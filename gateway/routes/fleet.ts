// POST /fleet/execute: one read-only command on every cluster the selectors pick (see fleet-service.ts).

import type { FastifyInstance } from 'fastify';
import {
  type FleetAnswer,
  type FleetRequestBody,
  fleetAnswerSchema,
  fleetRequestSchema,
} from '../../common/api-fleet.js';
import type { GatewayContext } from '../context.js';
import type { FleetService } from '../fleet-service.js';
import { commandErrorResponses } from '../schemas.js';
import { foldUpstreamHeaders, upstreamHeadersSchema } from '../upstream-headers.js';

export const FLEET_EXAMPLES = [
  { clusters: ['*'], command: 'get pods -A' },
  { clusters: ['loc*'], command_type: 'get', args: ['nodes'], timeout_seconds: 10, max_concurrency: 10 },
] as const;

const DESCRIPTION =
  'Runs one read-only command on many clusters and answers once, with one row per cluster in cluster id ' +
  'order. `clusters` takes names and globs (`prod-*`, `eu-?`): globs match only clusters the caller may use; ' +
  'a name the caller may not use, or that does not exist, answers 404 for the whole request, naming no other ' +
  'cluster. The command (`command`, or `command_type` + `args`, as POST /debug/execute) is parsed once; each ' +
  "cluster's policy applies to its own row (`denied`). A cluster without a connected agent is `unavailable` " +
  'at once. No command outlives `timeout_seconds` and the answer comes within it plus a second; rows not ' +
  'answered by then are `timeout`. At most `max_concurrency` commands (default 100) are in flight at once. ' +
  'The outputs share one budget (FLEET_OUTPUT_BUDGET_BYTES): rows past it are cut and marked `truncated`. ' +
  'Each cluster counts against RATE_LIMIT_FLEET_CLUSTERS; one audit record per cluster plus one ' +
  '`fleet_execution` record carry the same `fleet_id`.';

export async function fleetRoutes(
  app: FastifyInstance,
  opts: { ctx: GatewayContext; fleet: FleetService },
): Promise<void> {
  const { ctx, fleet } = opts;
  const { config } = ctx;

  app.post<{ Body: FleetRequestBody; Reply: FleetAnswer }>(
    '/fleet/execute',
    {
      schema: {
        tags: ['commands'],
        summary: 'Run a read-only kubectl command on many clusters at once',
        description: DESCRIPTION,
        headers: upstreamHeadersSchema({ timeout: true }),
        body: { ...fleetRequestSchema, examples: FLEET_EXAMPLES },
        response: {
          200: fleetAnswerSchema,
          ...commandErrorResponses,
        },
      },
      config: { rateLimit: { max: config.rateLimit.execute, timeWindow: config.rateLimit.windowMs } },
      preHandler: foldUpstreamHeaders,
    },
    async (request) => fleet.run(request, request.body),
  );
}
