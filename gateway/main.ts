// The gateway process: read config, open connections, build the app, listen, and shut down cleanly.

import { readFile } from 'node:fs/promises';
import { jetstream } from '@nats-io/jetstream';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createAuditEmitter } from '../common/audit/emitter.js';
import { createAuditReader } from '../common/audit/reader.js';
import { ConfigError } from '../common/env.js';
import { createLogger, type Logger } from '../common/logger.js';
import { startMetricsServer } from '../common/metrics-server.js';
import { connectNats } from '../common/nats-connect.js';
import { natsPassword } from '../common/nats-options.js';
import { type Policy, PRESETS, parsePolicy, watchPolicyFile } from '../common/policy/index.js';
import { GATEWAY_INBOX_PREFIX } from '../common/subjects.js';
import { createAgentTracker } from './agent-tracker.js';
import { buildGateway } from './app.js';
import { createApiKeyStore } from './auth/api-keys.js';
import { createOidcVerifier } from './auth/oidc.js';
import { type GatewayConfig, loadGatewayConfig } from './config.js';
import { createRedisClient } from './redis-options.js';
import { createRelay } from './relay.js';
import { auditRoutesPlugin, createStores, readinessChecks } from './wiring.js';

async function connectRedis(config: GatewayConfig, log: Logger): Promise<Redis | undefined> {
  if (!config.redisUrl) {
    log.warn(
      'REDIS_URL is not set: sessions, results and rate limits live in this process (one gateway replica only)',
    );
    return undefined;
  }
  // rediss:// in the URL turns on TLS; the URL may carry a password, REDIS_PASSWORD overrides it.
  const redis = createRedisClient({ redisUrl: config.redisUrl, redisPassword: config.redisPassword });
  let lastError = '';
  redis.on('error', (err) => {
    lastError = err.message;
    log.warn({ err: { message: err.message } }, 'redis error');
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    // The URL may carry a password: name only where Redis was expected.
    const { host, protocol } = new URL(config.redisUrl);
    const reason = lastError || (err instanceof Error ? err.message : String(err));
    throw new Error(`Redis at ${protocol}//${host} is unreachable or refused us: ${reason}`);
  }
  log.info('redis connected');
  return redis;
}

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger({ level: config.logLevel, name: 'gateway' });
  if (config.trustProxy === true)
    log.warn(
      'TRUST_PROXY=true takes the client address from whatever X-Forwarded-For the client sends: a rotating ' +
        'header dodges the per-address limits and forges source_ip. Set the proxy hop count or CIDR instead',
    );

  const policyText = config.policyFile ? await readFile(config.policyFile, 'utf8') : undefined;
  let policy: Policy =
    config.policyFile && policyText !== undefined
      ? parsePolicy(policyText, config.policyFile)
      : PRESETS.readOnly;
  const policyWatcher = config.policyFile
    ? watchPolicyFile(config.policyFile, (p) => (policy = p), log.child({ component: 'policy' }), {
        initialText: policyText,
      })
    : undefined;

  const nc = await connectNats({
    servers: config.nats.servers,
    name: 'kubently-gateway',
    user: config.nats.user,
    pass: natsPassword(config.nats),
    inboxPrefix: GATEWAY_INBOX_PREFIX,
    tls: config.nats.tls,
    log: log.child({ component: 'nats' }),
    // Every command is three JetStream publishes (requests); capturing a stack trace for each up front
    // was ~13% of the gateway's CPU. Failures are wrapped in KubentlyErrors with `cause` regardless.
    noAsyncTraces: true,
  });
  const redis = await connectRedis(config, log);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const js = jetstream(nc);
  const agents = createAgentTracker({ nc, log: log.child({ component: 'agents' }) });
  const relay = createRelay({ nc, js, log: log.child({ component: 'relay' }) });
  const audit = createAuditEmitter({ js, log, registry });
  const { sessions, results } = createStores(config, redis);
  const apiKeys = createApiKeyStore({
    inline: config.apiKeys,
    file: config.apiKeysFile,
    log: log.child({ component: 'api-keys' }),
    pollMs: config.apiKeysPollMs,
  });
  const oidc = config.oidc ? createOidcVerifier({ config: config.oidc }) : undefined;
  if (config.oidc && oidc) {
    // The issuer being down must not stop API-key access: warn now, retry on the first token.
    const err = await oidc.warm();
    if (err)
      log.warn(
        { issuer: config.oidc.issuer, err: { message: err.message } },
        'OIDC issuer not reachable yet',
      );
    else log.info({ issuer: config.oidc.issuer }, 'OIDC issuer keys loaded');
  } else if (apiKeys.size === 0) log.warn('no API keys configured: every request will be refused');

  const app = await buildGateway({
    config,
    log,
    relay,
    agents,
    sessions,
    results,
    apiKeys,
    oidc,
    policy: () => policy,
    audit,
    registry,
    health: readinessChecks(nc, redis),
    rateLimitRedis: redis,
    plugins: [auditRoutesPlugin(createAuditReader({ js }))],
  });

  const address = await app.listen({ host: config.host, port: config.port });
  const metricsServer = await startMetricsServer({
    registry,
    host: config.metricsHost,
    port: config.metricsPort,
    log,
  });
  log.info({ address, metricsPort: metricsServer.port, sessions: sessions.kind }, 'gateway listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      // Stops accepting and waits for in-flight requests, whose relays still need NATS.
      await app.close();
      await metricsServer.close();
      apiKeys.close();
      policyWatcher?.close();
      await relay.close();
      agents.close();
      await audit.close();
      await sessions.close();
      await nc.drain();
      await redis?.quit();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
