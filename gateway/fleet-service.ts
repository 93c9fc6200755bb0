// One command on many clusters, the way every front door runs it (POST /fleet/execute, MCP's kubectl_fleet):
// selectors → exactly named clusters usable (else 404 for the whole request) → the command parsed once (a bad
// or forbidden command is refused for the whole request, as /debug/execute would) → the identity's cluster
// budget (429) → fan-out through the command runner → one `fleet_execution` audit record with the summary.

import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_FLEET_CONCURRENCY, type FleetAnswer, type FleetRequestBody } from '../common/api-fleet.js';
import { isFollowCommand } from '../common/command/follow.js';
import { KubentlyError } from '../common/errors.js';
import { effectiveTimeoutMs, parseRequest } from '../common/policy/index.js';
import { callerOf } from './auth/authenticate.js';
import {
  type CommandRunner,
  commandContext,
  followNeedsEventStream,
  refusalDetails,
  refusalError,
} from './command-runner.js';
import type { GatewayContext } from './context.js';
import { fanOut, selectClusters, summarize } from './fleet.js';

/** A per-identity counter of clusters (@fastify/rate-limit's createRateLimit, keyed by the caller). */
export type ClusterLimiter = (
  request: FastifyRequest,
  options?: { increment?: boolean },
) => Promise<
  { isAllowed: boolean; remaining: number; ttlInSeconds: number; isExceeded: boolean } | { isAllowed: true }
>;

export interface FleetService {
  /**
   * Runs `body` for the authenticated caller of `request`. Throws (KubentlyError) `not_found` for a named
   * cluster the caller may not use, `bad_request` when the selectors match more than FLEET_MAX_CLUSTERS,
   * `invalid_command`/`unauthorized_command` for a command refused for every cluster, `rate_limited` when the
   * identity's cluster budget is short. `auditDetails` are merged into every record the run leaves.
   */
  run(
    request: FastifyRequest,
    body: FleetRequestBody,
    auditDetails?: Record<string, unknown>,
  ): Promise<FleetAnswer>;
}

export function createFleetService(deps: {
  ctx: GatewayContext;
  runner: CommandRunner;
  clusterLimit: ClusterLimiter;
}): FleetService {
  const { ctx, runner, clusterLimit } = deps;
  const { config, audit, metrics, log } = ctx;

  /** Takes `count` from the caller's cluster budget, or throws 429 (recorded) when it has fewer left. */
  async function takeClusters(
    request: FastifyRequest,
    count: number,
    auditDetails: Record<string, unknown>,
  ): Promise<void> {
    if (count === 0) return;
    const now = await clusterLimit(request, { increment: false });
    if (now.isAllowed || !('remaining' in now)) return;
    if (now.remaining < count) refuse(now.remaining, now.ttlInSeconds);
    const taken = await Promise.all(Array.from({ length: count }, () => clusterLimit(request)));
    // Concurrent requests may all have read the same remainder: the one whose clusters went past the limit
    // is refused (what it took stays spent, as a refused request's does), so the budget is never overspent.
    const over = taken.find((r) => 'isExceeded' in r && r.isExceeded);
    if (over && 'remaining' in over) refuse(over.remaining, over.ttlInSeconds);

    function refuse(remaining: number, ttlInSeconds: number): never {
      metrics.rateLimited.inc({ route: request.routeOptions.url ?? 'unmatched' });
      const caller = callerOf(request);
      void audit.emit({
        event_type: 'rate_limit_exceeded',
        source_ip: request.ip,
        api_key_prefix: caller.keyPrefix,
        identity: caller.identity,
        details: {
          method: request.method,
          route: request.routeOptions.url ?? null,
          clusters: count,
          ...auditDetails,
        },
      });
      throw new KubentlyError(
        'rate_limited',
        `rate limit exceeded: ${count} clusters asked, ${remaining} left in this window`,
        {
          details: {
            limit: config.rateLimit.fleetClusters,
            remaining,
            retry_after_seconds: Math.max(1, ttlInSeconds),
          },
        },
      );
    }
  }

  return {
    async run(request, body, auditDetails = {}) {
      const started = performance.now();
      const caller = callerOf(request);
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
      const read = parseRequest(command, context);
      // One answer per cluster: a follow command has nowhere to stream to, so no cluster is sent it.
      const parsed =
        'allowed' in read || !isFollowCommand(read) ? read : followNeedsEventStream(read, 'a fleet request');
      if ('allowed' in parsed) {
        const err = refusalError(parsed);
        const details = { ...refusalDetails(body, parsed), fleet_id: fleetId, selectors, ...auditDetails };
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
      await takeClusters(request, clusters.length, auditDetails);
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
        startedAt: started,
        concurrency: max_concurrency ?? DEFAULT_FLEET_CONCURRENCY,
        outputBudgetBytes: config.fleet.outputBudgetBytes,
        auditDetails,
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
          // Clusters whose turn came after the deadline leave no record of their own: named here.
          not_sent: results
            .filter((r) => r.status === 'timeout' && r.command_id === null)
            .map((r) => r.cluster_id),
          argv: parsed.argv,
          summary,
          duration_ms: Math.round(performance.now() - started),
          correlation_id: body.correlation_id ?? null,
          ...auditDetails,
        },
      });
      return { fleet_id: fleetId, results, summary };
    },
  };
}
