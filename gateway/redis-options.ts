// ioredis settings for the gateway's shared stores.

import { Redis, type RedisOptions } from 'ioredis';

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

/**
 * A client for REDIS_URL that is not connected yet. ioredis lets a password inside the URL win over the
 * options, so when REDIS_PASSWORD is set the URL's own password is removed first.
 */
export function createRedisClient(config: { redisUrl: string; redisPassword?: string | undefined }): Redis {
  let url = config.redisUrl;
  if (config.redisPassword !== undefined) {
    const parsed = new URL(url);
    parsed.password = '';
    url = parsed.toString();
  }
  return new Redis(url, { ...redisOptions(config), lazyConnect: true });
}
