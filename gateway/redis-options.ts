// ioredis settings for the gateway's shared stores, and the client for one node, a Sentinel-watched primary or
// a Redis Cluster.

import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { GatewayConfig } from './config.js';

/**
 * Fail a command at once while Redis is away instead of queueing it until reconnect: callers get a
 * 503 now, and the client keeps reconnecting in the background so the gateway recovers by itself.
 * REDIS_PASSWORD (a mounted Secret) overrides a password in REDIS_URL; `rediss://` turns on TLS.
 */
export function redisOptions(config: { redisPassword?: string | undefined }): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
    // Every command costs a rate-limit script and a result SET; the commands concurrent requests issue in
    // one event-loop tick go out in one write instead of one syscall each.
    enableAutoPipelining: true,
    ...(config.redisPassword !== undefined ? { password: config.redisPassword } : {}),
  };
}

type RedisTarget = Pick<
  GatewayConfig,
  'redisUrl' | 'redisPassword' | 'redisSentinels' | 'redisSentinelName' | 'redisClusterNodes'
>;

/** Where Redis was expected, for an error message: never the URL's password. */
export function redisWhere(config: RedisTarget): string {
  if (config.redisSentinels.length > 0)
    return `primary "${config.redisSentinelName}" of sentinels ${config.redisSentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  if (config.redisClusterNodes.length > 0)
    return `cluster ${config.redisClusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  const { host, protocol } = new URL(config.redisUrl ?? 'redis://');
  return `${protocol}//${host}`;
}

/**
 * A client that is not connected yet, for whichever setup the configuration names:
 * - REDIS_SENTINELS: ioredis asks the sentinels for the primary of REDIS_SENTINEL_NAME and, when a failover
 *   moves it (`+switch-master`, or the old primary's connection breaks), reconnects to the new one; commands
 *   meanwhile fail at once (503), nothing is queued.
 * - REDIS_CLUSTER_NODES: an ioredis Cluster, which follows MOVED/ASK redirects; every multi-key script keeps its
 *   keys in one hash slot (sessions/redis-store.ts). It answers the commands the stores use like a Redis client,
 *   so it is handed to them as one.
 * - REDIS_URL: one node. ioredis lets a password inside the URL win over the options, so when REDIS_PASSWORD is
 *   set the URL's own password is removed first.
 */
export function createRedisClient(config: RedisTarget): Redis {
  const options = { ...redisOptions(config), lazyConnect: true };
  if (config.redisSentinels.length > 0) {
    return new Redis({
      ...options,
      sentinels: config.redisSentinels,
      name: config.redisSentinelName,
      // Subscribes to the sentinels' +switch-master: a failover is followed when announced, not only when the old
      // primary's connection breaks.
      failoverDetector: true,
      sentinelRetryStrategy: (times) => Math.min(times * 100, 1_000),
    });
  }
  if (config.redisClusterNodes.length > 0) {
    const { enableOfflineQueue, enableAutoPipelining, ...nodeOptions } = options;
    const cluster = new Cluster(config.redisClusterNodes, {
      redisOptions: nodeOptions,
      enableOfflineQueue,
      enableAutoPipelining,
      lazyConnect: true,
      clusterRetryStrategy: (times) => Math.min(times * 100, 1_000),
    });
    return cluster as unknown as Redis;
  }
  let url = config.redisUrl ?? 'redis://127.0.0.1:6379';
  if (config.redisPassword !== undefined) {
    const parsed = new URL(url);
    parsed.password = '';
    url = parsed.toString();
  }
  return new Redis(url, options);
}

/** How long connecting may take before the gateway gives up at start (ms). */
export const REDIS_READY_TIMEOUT_MS = 30_000;

/**
 * Connects `redis` (created with `lazyConnect`) and resolves once it is ready; rejects with the connection's
 * error, or after `timeoutMs`. Waits for the `ready` event rather than the promise of `connect()` alone:
 * ioredis 5's Cluster leaves that promise pending forever when its first ready check finds a node reporting
 * `cluster_state:fail` (a cluster still converging) — it reconnects by itself and becomes ready, but the
 * first promise is never settled, so a gateway starting beside a new cluster would hang.
 */
export function connectRedisClient(redis: Redis, timeoutMs = REDIS_READY_TIMEOUT_MS): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const timer = setTimeout(() => done(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', onReady);
    redis.connect().then(
      () => done(),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  });
}
