// POST /fleet/execute: one read-only command on every cluster the selectors pick (see fleet.ts).
//
// Selectors → exactly named clusters usable (else 404 for the whole request) → the command parsed once (a bad
// or forbidden command is refused for the whole request, as /debug/execute would) → the identity's cluster
// budget (429) → fan-out through the command runner → one `fleet_execution` audit record with the summary.

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  DEFAULT_FLEET_CONCURRENCY,
  type FleetAnswer,
  type FleetRequestBody,
  fleetAnswerSchema,
  fleetRequestSchema,
} from '../../common/api-fleet.js';
import { KubentlyError } from '../../common/errors.js';
import { effectiveTimeoutMs, parseRequest } from '../../common/policy/index.js';
import { callerOf } from '../auth/authenticate.js';
import { type CommandRunner, commandContext, refusalDetails, refusalError } from '../command-runner.js';
import type { GatewayContext } from '../context.js';
import { fanOut, selectClusters, summarize } from '../fleet.js';
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
  opts: { ctx: GatewayContext; runner: CommandRunner },
): Promise<void> {
  const { ctx, runner } = opts;
  const { config, audit, metrics, log } = ctx;
  // Counts clusters, not requests: one increment per selected cluster, in the identity's own bucket.
  const clusterLimit = app.createRateLimit({
    max: config.rateLimit.fleetClusters,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: (request: FastifyRequest) => `fleet-clusters:${callerOf(request).identity}`,
  });

  /** Takes `count` from the caller's cluster budget, or throws 429 (recorded) when it has fewer left. */
  async function takeClusters(request: FastifyRequest, count: number): Promise<void> {
    if (count === 0) return;
    const now = await clusterLimit(request, { increment: false });
    if (now.isAllowed) return;
    if (now.remaining < count) {
      metrics.rateLimited.inc({ route: request.routeOptions.url ?? 'unmatched' });
      const caller = callerOf(request);
      void audit.emit({
        event_type: 'rate_limit_exceeded',
        source_ip: request.ip,
        api_key_prefix: caller.keyPrefix,
        identity: caller.identity,
        details: { method: request.method, route: request.routeOptions.url ?? null, clusters: count },
      });
      throw new KubentlyError(
        'rate_limited',
        `rate limit exceeded: ${count} clusters asked, ${now.remaining} left in this window`,
        {
          details: {
            limit: config.rateLimit.fleetClusters,
            remaining: now.remaining,
            retry_after_seconds: Math.max(1, now.ttlInSeconds),
          },
        },
      );
    }
    await Promise.all(Array.from({ length: count }, () => clusterLimit(request)));
  }

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
    async (request) => {
      const started = performance.now();
      const caller = callerOf(request);
      const body = request.body;
      const policy = ctx.policy();
      const clusters = selectClusters(ctx, request, body.clusters, policy);
      if (clusters.length > config.fleet.maxClusters) {
        throw new KubentlyError(
          'bad_request',
          `the selectors match ${clusters.length} clusters; one request may address at most ${config.fleet.maxClusters}`,
          { details: { matched: clusters.length, limit: config.fleet.maxClusters } },
        );
      }
      const fleetId = randomUUID();
      const { clusters: selectors, max_concurrency, ...command } = body;
      // Parsed once, for no cluster in particular: the grammar does not depend on the cluster.
      const context = commandContext(
        policy,
        { ...command, cluster_id: clusters[0] ?? 'fleet' },
        caller,
        fleetId,
      );
      const parsed = parseRequest(command, context);
      if ('allowed' in parsed) {
        const err = refusalError(parsed);
        const details = { ...refusalDetails(body, parsed), fleet_id: fleetId, selectors };
        if (parsed.code === 'invalid_command') {
          ctx.refusals.record(request, {
            reason: 'invalid_command',
            details: { ...details, message: parsed.reason },
          });
        } else {
          metrics.unauthorizedCommands.inc({ cluster_id: 'fleet', rule: parsed.rule });
          void audit.emit({
            event_type: 'unauthorized_command_attempt',
            source_ip: request.ip,
            api_key_prefix: caller.keyPrefix,
            identity: caller.identity,
            details,
          });
        }
        throw err;
      }
      await takeClusters(request, clusters.length);
      const requestedMs = body.timeout_seconds === undefined ? undefined : body.timeout_seconds * 1000;
      // Each cluster's own cap applies to its command; the fan-out lasts as long as the longest of them.
      const timeoutMs = clusters.reduce(
        (m, id) => Math.max(m, effectiveTimeoutMs(policy, id, requestedMs)),
        0,
      );
      const results = await fanOut(runner, log, {
        origin: request,
        body,
        clusters,
        policy,
        parsed,
        fleetId,
        timeoutMs,
        concurrency: max_concurrency ?? DEFAULT_FLEET_CONCURRENCY,
        outputBudgetBytes: config.fleet.outputBudgetBytes,
      });
      const summary = summarize(results);
      void audit.emit({
        event_type: 'fleet_execution',
        source_ip: request.ip,
        api_key_prefix: caller.keyPrefix,
        identity: caller.identity,
        details: {
          fleet_id: fleetId,
          selectors,
          clusters,
          argv: parsed.argv,
          summary,
          duration_ms: Math.round(performance.now() - started),
          correlation_id: body.correlation_id ?? null,
        },
      });
      return { fleet_id: fleetId, results, summary };
    },
  );
}
