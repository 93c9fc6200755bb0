// The gateway process: read config, open connections, build the app, listen, and shut down cleanly.

import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError } from '../common/env.js';
import { createLogger, type Logger } from '../common/logger.js';
import { startMetricsServer } from '../common/metrics-server.js';
import { connectNats } from '../common/nats-connect.js';
import { natsCredentials } from '../common/nats-options.js';
import { type Policy, PRESETS, parsePolicy, watchPolicyFile } from '../common/policy/index.js';
import { GATEWAY_INBOX_PREFIX } from '../common/subjects.js';
import { type GatewayConfig, loadGatewayConfig, usesRedis } from './config.js';
import { connectRedisClient, createRedisClient, redisWhere } from './redis-options.js';
import { createGatewayServices } from './services.js';

/** After the grace period, how long closing NATS, Redis and the audit buffer may take before exit(1). */
const SHUTDOWN_CLOSE_MS = 10_000;

async function connectRedis(config: GatewayConfig, log: Logger): Promise<Redis | undefined> {
  if (!usesRedis(config)) {
    log.warn(
      'REDIS_URL is not set: sessions, results and rate limits live in this process (one gateway replica only)',
    );
    return undefined;
  }
  // rediss:// in the URL turns on TLS; the URL may carry a password, REDIS_PASSWORD overrides it.
  const redis = createRedisClient(config);
  let lastError = '';
  redis.on('error', (err) => {
    lastError = err.message;
    log.warn({ err: { message: err.message } }, 'redis error');
  });
  try {
    await connectRedisClient(redis);
  } catch (err) {
    redis.disconnect();
    // The URL may carry a password: name only where Redis was expected.
    const reason = lastError || (err instanceof Error ? err.message : String(err));
    throw new Error(`Redis at ${redisWhere(config)} is unreachable or refused us: ${reason}`);
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
    creds: natsCredentials(config.nats),
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

  const services = await createGatewayServices({ config, log, nc, redis, registry, policy: () => policy });
  const { app } = services;

  const address = await app.listen({ host: config.host, port: config.port });
  const metricsServer = await startMetricsServer({
    registry,
    host: config.metricsHost,
    port: config.metricsPort,
    log,
  });
  log.info(
    { address, metricsPort: metricsServer.port, sessions: services.sessions.kind },
    'gateway listening',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // The grace period bounds the wait for requests in flight; what follows is closing connections.
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + SHUTDOWN_CLOSE_MS);
    force.unref();
    try {
      await services.close();
      await metricsServer.close();
      policyWatcher?.close();
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
