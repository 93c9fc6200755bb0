// The gateway's composition: from config and open connections to a built (not yet listening) app and the
// services behind it. main.ts, the test harness and the benchmarks all build the gateway through here.

import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { createAuditEmitter } from '../common/audit/emitter.js';
import type { AuditEmitter } from '../common/audit/emitter-types.js';
import { createAuditReader } from '../common/audit/reader.js';
import type { Logger } from '../common/logger.js';
import type { Policy } from '../common/policy/index.js';
import { createStreamPublisher } from '../common/stream-publisher.js';
import { GATEWAY_INBOX_PREFIX } from '../common/subjects.js';
import { type AgentTracker, createAgentTracker } from './agent-tracker.js';
import { buildGateway } from './app.js';
import { type ApiKeyStore, createApiKeyStore } from './auth/api-keys.js';
import { createOidcVerifier, type OidcVerifier } from './auth/oidc.js';
import type { GatewayConfig } from './config.js';
import { createCredentialAdminFromConfig } from './credentials.js';
import { createRelay, type Relay } from './relay.js';
import { createMemoryResultStore, createRedisResultStore, type ResultStore } from './results/result-store.js';
import type { HealthCheck } from './routes/operations.js';
import { createMemorySessionStore } from './sessions/memory-store.js';
import { createRedisSessionStore } from './sessions/redis-store.js';
import type { SessionStore } from './sessions/types.js';

export interface GatewayServiceOptions {
  config: GatewayConfig;
  log: Logger;
  /** Connected as the gateway identity; owned (drained) by the caller. */
  nc: NatsConnection;
  /** Sessions, results and rate limits live here when given; owned (quit) by the caller. */
  redis: Redis | undefined;
  registry: Registry;
  /** The policy in force, read once per request (a file watcher may replace it). */
  policy: () => Policy;
  /** The JetStream client that reads the audit stream (default: `jetstream(nc)`; tests lengthen its timeout). Commands and audit records are published through one ack subscription instead. */
  js?: JetStreamClient;
  /** Test seams: a capturing audit emitter, fixed API keys, another session store, fixed health checks. */
  audit?: AuditEmitter;
  apiKeys?: ApiKeyStore;
  /** Verifies OIDC tokens (default: one for config.oidc when it is set). */
  oidc?: OidcVerifier;
  sessions?: SessionStore;
  health?: Record<string, HealthCheck>;
  /** How long one Fastify plugin may take to load; 0 waits forever (tests on a busy machine). */
  pluginTimeoutMs?: number;
  /** NATS servers and TLS for the credential admin's system-account connection (default: config.nats). */
  natsServers?: string[];
  /** The agent tracker's clock (tests move it). */
  trackerNow?: () => number;
}

export interface GatewayServices {
  app: FastifyInstance;
  js: JetStreamClient;
  relay: Relay;
  agents: AgentTracker;
  audit: AuditEmitter;
  sessions: SessionStore;
  results: ResultStore;
  apiKeys: ApiKeyStore;
  /**
   * Stops accepting requests, lets those in flight finish for up to `graceMs` (default the config's
   * `shutdownGraceMs`; their relays still need
   * NATS), then closes what is left of their connections and every service. The NATS connection and Redis
   * stay open: their owner closes them after this.
   */
  close(graceMs?: number): Promise<void>;
}

export async function createGatewayServices(options: GatewayServiceOptions): Promise<GatewayServices> {
  const { config, log, nc, redis, registry } = options;
  const js = options.js ?? jetstream(nc);
  const agents = createAgentTracker({ nc, log: log.child({ component: 'agents' }), now: options.trackerNow });
  // Every command and audit record waits for its stream's ack on this one subscription (see stream-publisher).
  const publisher = createStreamPublisher(nc, { inboxPrefix: GATEWAY_INBOX_PREFIX });
  const relay = createRelay({ nc, js: publisher, log: log.child({ component: 'relay' }) });
  const audit = options.audit ?? createAuditEmitter({ js: publisher, log, registry });
  const stores = createStores(config, redis);
  const sessions = options.sessions ?? stores.sessions;
  const results = stores.results;
  const apiKeys =
    options.apiKeys ??
    createApiKeyStore({
      inline: config.apiKeys,
      file: config.apiKeysFile,
      log: log.child({ component: 'api-keys' }),
      pollMs: config.apiKeysPollMs,
    });
  const oidc = options.oidc ?? (config.oidc ? createOidcVerifier({ config: config.oidc }) : undefined);
  if (config.oidc && oidc && !options.oidc) {
    // The issuer being down must not stop API-key access: warn now, retry on the first token.
    const err = await oidc.warm();
    if (err)
      log.warn(
        { issuer: config.oidc.issuer, err: { message: err.message } },
        'OIDC issuer not reachable yet',
      );
    else log.info({ issuer: config.oidc.issuer }, 'OIDC issuer keys loaded');
  } else if (!config.oidc && apiKeys.size === 0)
    log.warn('no API keys configured: every request will be refused');
  const reader = createAuditReader({ js });
  // Minting NATS credentials (POST /admin/agents/:id/token) when an operator signing key is configured.
  const credentials = await createCredentialAdminFromConfig({
    config: config.credentials,
    nc,
    servers: options.natsServers ?? config.nats.servers,
    tls: config.nats.tls,
    log,
  });
  if (!credentials) log.info('no operator signing key: minting NATS credentials through the API is off');

  const app = await buildGateway({
    config,
    log,
    relay,
    agents,
    sessions,
    results,
    apiKeys,
    oidc,
    policy: options.policy,
    audit,
    registry,
    health: options.health ?? readinessChecks(nc, redis),
    rateLimitRedis: redis,
    readAudit: (filter) => reader.query(filter),
    credentials: credentials?.admin,
    pluginTimeoutMs: options.pluginTimeoutMs,
  });

  let closing: Promise<void> | undefined;
  const close = async (graceMs: number) => {
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((r) => {
      timer = setTimeout(() => r('grace over'), graceMs);
    });
    const closed = app.close();
    if ((await Promise.race([closed, graceOver])) === 'grace over') {
      // A slow agent or a client that keeps its connection busy must not hold the process past its grace.
      log.warn({ graceMs }, 'requests still in flight after the grace period: closing their connections');
      app.server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
    apiKeys.close();
    await relay.close();
    agents.close();
    await audit.close();
    publisher.close();
    await sessions.close();
    credentials?.admin.close();
    await credentials?.sys.drain();
  };
  return {
    app,
    js,
    relay,
    agents,
    audit,
    sessions,
    results,
    apiKeys,
    close(graceMs = config.shutdownGraceMs) {
      closing ??= close(graceMs);
      return closing;
    },
  };
}

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
