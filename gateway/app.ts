// buildGateway(deps) assembles the REST API from services created elsewhere; it does not listen.

import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { AuditEmitter } from '../common/audit/emitter-types.js';
import { KubentlyError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Policy } from '../common/policy/index.js';
import type { AgentTracker } from './agent-tracker.js';
import type { ApiKeyStore } from './auth/api-keys.js';
import { callerOf, createAuthHook } from './auth/authenticate.js';
import { createFailureLimiter } from './auth/failure-limiter.js';
import type { OidcVerifier } from './auth/oidc.js';
import { bearerChallenge } from './auth/resource-metadata.js';
import { createClusterAccess } from './cluster-access.js';
import { createCommandLimit } from './command-limit.js';
import { createCommandRunner } from './command-runner.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import type { CredentialAdmin } from './credentials.js';
import { createFleetService } from './fleet-service.js';
import {
  AJV_OPTIONS,
  clientErrorReply,
  frameworkErrorReply,
  installErrorHandlers,
} from './plugins/errors.js';
import { installJsonBodyParser } from './plugins/json-body.js';
import { createGatewayMetrics, installHttpMetrics } from './plugins/metrics.js';
import { createRefusals } from './refusals.js';
import type { Relay } from './relay.js';
import type { ResultStore } from './results/result-store.js';
import { type AuditRouteOptions, auditRoutes } from './routes/audit.js';
import { clusterRoutes } from './routes/clusters.js';
import { credentialRoutesPlugin } from './routes/credentials.js';
import { debugClusterRoutes } from './routes/debug-clusters.js';
import { executeRoutes } from './routes/execute.js';
import { fleetRoutes } from './routes/fleet.js';
import { identityRoutes } from './routes/identity.js';
import { mcpRoutes } from './routes/mcp.js';
import { type HealthCheck, operationsRoutes } from './routes/operations.js';
import { resultRoutes } from './routes/results.js';
import { selfCheckRoutes } from './routes/self-check.js';
import { sessionRoutes } from './routes/sessions.js';
import { validateRoutes } from './routes/validate.js';
import { sharedSchemas } from './schemas.js';
import type { SessionStore } from './sessions/types.js';

export interface GatewayDeps {
  config: GatewayConfig;
  log: Logger;
  relay: Pick<Relay, 'send' | 'inFlight'> & Partial<Pick<Relay, 'stream'>>;
  agents: AgentTracker;
  sessions: SessionStore;
  results: ResultStore;
  apiKeys: ApiKeyStore;
  /** Verifies OIDC bearer tokens; required when config.oidc is set (see createOidcVerifier). */
  oidc?: OidcVerifier | undefined;
  /** The current command policy (main.ts swaps it when the policy file changes). */
  policy: () => Policy;
  audit: AuditEmitter;
  registry: Registry;
  /** Probed by /readyz, e.g. { nats, redis }. */
  health: Record<string, HealthCheck>;
  /** Shared rate-limit counters across replicas; the limiter keeps them in memory without it. */
  rateLimitRedis?: Redis | undefined;
  /** Answers GET /audit (the audit stream, read by the gateway identity). */
  readAudit: AuditRouteOptions['readAudit'];
  /** Mints, rotates and revokes NATS credentials; undefined: the /admin/.../token routes answer 503. */
  credentials?: CredentialAdmin;
  /** How long one plugin may take to load (Fastify's default 10 s); 0 waits forever (tests on a busy machine). */
  pluginTimeoutMs?: number;
}

/**
 * A hop count trusts that many proxies nearest the gateway (`1`: the ingress controller), like Express's
 * `trust proxy` number; Fastify's types accept only the function form of it.
 */
export function trustProxyOption(
  value: GatewayConfig['trustProxy'],
): boolean | string | ((a: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config, log, registry, audit } = deps;
  const app = Fastify({
    loggerInstance: log.child({ component: 'http' }) as FastifyBaseLogger,
    // One line per request at the end (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    pluginTimeout: deps.pluginTimeoutMs ?? 10_000,
    trustProxy: trustProxyOption(config.trustProxy),
    // A client that sends its body (or headers) a byte at a time must not hold a connection forever.
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Node checks those deadlines every connectionsCheckingInterval (30 s by default): check each second.
    // (Node refuses a headersTimeout above requestTimeout.)
    http: {
      headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs),
      connectionsCheckingInterval: 1_000,
    },
    clientErrorHandler: clientErrorReply,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    frameworkErrors: frameworkErrorReply,
    ajv: AJV_OPTIONS,
  });

  if (config.oidc && !deps.oidc) throw new Error('config.oidc is set but no OIDC verifier was given');
  const metrics = createGatewayMetrics(registry, deps.agents);
  const clusters = createClusterAccess({
    configured: config.clusters,
    agents: deps.agents,
    policy: deps.policy,
  });
  const ctx: GatewayContext = {
    config,
    log,
    relay: deps.relay,
    agents: deps.agents,
    sessions: deps.sessions,
    results: deps.results,
    policy: deps.policy,
    audit,
    metrics,
    clusters,
    refusals: createRefusals(audit, clusters),
  };

  app.decorateRequest('caller', null);
  installErrorHandlers(app);
  installJsonBodyParser(app);
  installHttpMetrics(app, registry);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // The failures the limiter answered with 429 and no record of their own: one record per address and window.
  const failures = createFailureLimiter({
    maxFailures: config.rateLimit.authFailures,
    windowMs: config.rateLimit.windowMs,
    onWindowEnd: (w) =>
      void audit.emit({
        event_type: 'rate_limit_exceeded',
        source_ip: w.ip,
        details: {
          limit: 'authentication_failures',
          suppressed_failures: w.suppressed,
          window_started_at: new Date(w.startedAt).toISOString(),
          window_ended_at: new Date(w.endedAt).toISOString(),
        },
      }),
  });
  app.addHook('onClose', async () => failures.close());
  app.addHook(
    'onRequest',
    createAuthHook({
      apiKeys: deps.apiKeys,
      oidc: config.oidc ? deps.oidc : undefined,
      challenge: config.oidc ? bearerChallenge(config.oidc) : undefined,
      audit,
      failures,
      onFailure: (reason) => metrics.authFailures.inc({ reason }),
    }),
  );
  // The access log is for debugging, not accountability (the audit stream records who ran what): debug per
  // request, warn for server errors. Checked first because building the line (routeOptions is a fresh
  // object per access) costs CPU on every request even when pino would discard it.
  app.addHook('onResponse', async (request, reply) => {
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    if (!(request.log as Logger).isLevelEnabled(level)) return;
    request.log[level](
      {
        method: request.method,
        route: request.routeOptions.url,
        status: reply.statusCode,
        ms: reply.elapsedTime,
        identity: request.caller?.identity,
      },
      'request completed',
    );
  });

  for (const schema of sharedSchemas) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Kubently',
        description: 'Read-only, audited access to Kubernetes clusters',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  // Registered before the UI's routes exist: the docs are public like the OpenAPI document.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs'))
      route.config = { ...route.config, public: true, rateLimit: false } as typeof route.config;
  });
  // The UI's assets are served from the installed package: /docs works without internet access.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.standard,
    timeWindow: config.rateLimit.windowMs,
    // After authentication (onRequest), so the limit is per identity, not per source address.
    hook: 'preValidation',
    keyGenerator: (request: FastifyRequest) => request.caller?.identity ?? `ip:${request.ip}`,
    redis: deps.rateLimitRedis,
    nameSpace: `${config.redisKeyPrefix}ratelimit:`,
    // A Redis outage must not turn into a total outage: limits are skipped, sessions report 503 on their own.
    skipOnError: true,
    onExceeded: (request: FastifyRequest) => {
      metrics.rateLimited.inc({ route: request.routeOptions.url ?? 'unmatched' });
      void audit.emit({
        event_type: 'rate_limit_exceeded',
        source_ip: request.ip,
        api_key_prefix: request.caller?.keyPrefix ?? null,
        identity: request.caller?.identity ?? null,
        details: { method: request.method, route: request.routeOptions.url ?? null },
      });
    },
    errorResponseBuilder: (_request, context) =>
      new KubentlyError('rate_limited', `rate limit exceeded, retry in ${context.after}`, {
        details: { limit: context.max, retry_after_seconds: Math.ceil(context.ttl / 1000) },
      }),
  });

  await app.register(operationsRoutes, { checks: deps.health });
  await app.register(sessionRoutes, ctx);
  const runner = createCommandRunner(ctx);
  const commandLimit = createCommandLimit(app, ctx);
  await app.register(executeRoutes, { ctx, runner, commandLimit });
  // One cluster budget per identity, spent by POST /fleet/execute and MCP's kubectl_fleet alike.
  const fleet = createFleetService({
    ctx,
    runner,
    clusterLimit: app.createRateLimit({
      max: config.rateLimit.fleetClusters,
      timeWindow: config.rateLimit.windowMs,
      keyGenerator: (request: FastifyRequest) => `fleet-clusters:${callerOf(request).identity}`,
    }),
  });
  await app.register(fleetRoutes, { ctx, fleet });
  await app.register(mcpRoutes, { ctx, runner, fleet, commandLimit });
  await app.register(validateRoutes, ctx);
  await app.register(resultRoutes, ctx);
  await app.register(clusterRoutes, ctx);
  await app.register(debugClusterRoutes, ctx);
  await app.register(credentialRoutesPlugin(deps.credentials), ctx);
  await app.register(identityRoutes, ctx);
  await app.register(selfCheckRoutes, ctx);
  // Each GET /audit may read thousands of stream messages: its own, smaller per-identity limit (RATE_LIMIT_AUDIT).
  await app.register(auditRoutes, {
    readAudit: deps.readAudit,
    adminIdentities: config.adminIdentities,
    rateLimit: { max: config.rateLimit.audit, timeWindow: config.rateLimit.windowMs },
  });
  return app;
}
