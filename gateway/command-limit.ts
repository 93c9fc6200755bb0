// One per-identity command budget (RATE_LIMIT_EXECUTE per RATE_LIMIT_WINDOW_MS), spent alike by
// POST /debug/execute and MCP's `kubectl` tool. @fastify/rate-limit keeps a route-level limit in a store of
// that route's own, so two routes configured with the same figure would give an identity the budget twice;
// one `createRateLimit` limiter shared by both keeps a single counter (in Redis when the gateway has it).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KubentlyError } from '../common/errors.js';
import type { GatewayContext } from './context.js';

/** A spent unit, or the refusal with the seconds until the window resets. */
export type CommandLimitDecision =
  | { allowed: true; limit: number; remaining: number; resetSeconds: number }
  | { allowed: false; limit: number; retryAfterSeconds: number };

/**
 * Spends one command from the caller's budget. `route` and `via` only label the metric and the
 * `rate_limit_exceeded` audit record written when the budget is spent.
 */
export type CommandLimit = (
  request: FastifyRequest,
  labels: { route: string; via?: string },
) => Promise<CommandLimitDecision>;

/** The shared limiter, keyed by the caller's identity (the source address before authentication). */
export function createCommandLimit(app: FastifyInstance, ctx: GatewayContext): CommandLimit {
  const { config, metrics, audit } = ctx;
  const max = config.rateLimit.execute;
  const limiter = app.createRateLimit({
    max,
    timeWindow: config.rateLimit.windowMs,
    keyGenerator: (request: FastifyRequest) => `command:${request.caller?.identity ?? `ip:${request.ip}`}`,
  });
  return async (request, labels) => {
    const r = await limiter(request);
    // isAllowed: the caller is on an allow list (none is configured), so nothing was counted.
    if (r.isAllowed) return { allowed: true, limit: max, remaining: max, resetSeconds: 0 };
    if (!r.isExceeded)
      return { allowed: true, limit: r.max, remaining: r.remaining, resetSeconds: r.ttlInSeconds };
    metrics.rateLimited.inc({ route: labels.route });
    void audit.emit({
      event_type: 'rate_limit_exceeded',
      source_ip: request.ip,
      api_key_prefix: request.caller?.keyPrefix ?? null,
      identity: request.caller?.identity ?? null,
      details: {
        method: request.method,
        route: labels.route,
        limit: 'execute',
        ...(labels.via ? { via: labels.via } : {}),
      },
    });
    return { allowed: false, limit: r.max, retryAfterSeconds: Math.max(1, r.ttlInSeconds) };
  };
}

/**
 * The limit as a route hook, answering as the global limiter does: `x-ratelimit-*` headers on every answer,
 * and when spent a 429 `rate_limited` with `retry-after` and `details: {limit, retry_after_seconds}`.
 */
export function commandLimitHook(limit: CommandLimit, route: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const d = await limit(request, { route });
    reply.header('x-ratelimit-limit', d.limit);
    if (d.allowed) {
      reply.header('x-ratelimit-remaining', d.remaining);
      reply.header('x-ratelimit-reset', d.resetSeconds);
      return;
    }
    reply.header('x-ratelimit-remaining', 0);
    reply.header('x-ratelimit-reset', d.retryAfterSeconds);
    reply.header('retry-after', d.retryAfterSeconds);
    throw new KubentlyError('rate_limited', `rate limit exceeded, retry in ${d.retryAfterSeconds} seconds`, {
      details: { limit: d.limit, retry_after_seconds: d.retryAfterSeconds },
    });
  };
}
