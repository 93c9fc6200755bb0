// The parts main.ts and the test stack build the same way from config and connections.

import type { NatsConnection } from '@nats-io/nats-core';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { AuditReader } from '../common/audit/reader.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createMemoryResultStore, createRedisResultStore, type ResultStore } from './results/result-store.js';
import { auditRoutes } from './routes/audit.js';
import type { HealthCheck } from './routes/operations.js';
import { createMemorySessionStore } from './sessions/memory-store.js';
import { createRedisSessionStore } from './sessions/redis-store.js';
import type { SessionStore } from './sessions/types.js';

/** Sessions and results in Redis when there is one, otherwise in this process (one replica only). */
export function createStores(
  config: GatewayConfig,
  redis: Redis | undefined,
): { sessions: SessionStore; results: ResultStore } {
  const ttls = { absoluteSeconds: config.sessionTtlSeconds, idleSeconds: config.sessionIdleTtlSeconds };
  const keyPrefix = config.redisKeyPrefix;
  const ttlSeconds = config.resultTtlSeconds;
  return redis
    ? {
        sessions: createRedisSessionStore({ redis, keyPrefix, ...ttls }),
        results: createRedisResultStore({ redis, keyPrefix, ttlSeconds }),
      }
    : { sessions: createMemorySessionStore(ttls), results: createMemoryResultStore({ ttlSeconds }) };
}

/** What /readyz checks: NATS answers a flush, Redis (when used) answers a PING. */
export function readinessChecks(nc: NatsConnection, redis: Redis | undefined): Record<string, HealthCheck> {
  return {
    nats: async () => {
      if (nc.isClosed()) throw new Error('closed');
      await nc.flush();
    },
    ...(redis ? { redis: async () => void (await redis.ping()) } : {}),
  };
}

/**
 * GET /audit over the audit stream, as an extra route plugin for buildGateway. Each answer may read
 * thousands of stream messages, so it has its own, smaller per-identity limit (RATE_LIMIT_AUDIT).
 */
export function auditRoutesPlugin(
  reader: AuditReader,
): (scope: FastifyInstance, ctx: GatewayContext) => Promise<void> {
  return async (scope, ctx) => {
    const { audit, windowMs } = ctx.config.rateLimit;
    await scope.register(auditRoutes, {
      readAudit: (filter) => reader.query(filter),
      rateLimit: { max: audit, timeWindow: windowMs },
    });
  };
}
