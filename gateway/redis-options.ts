// ioredis settings for the gateway's shared stores.

import type { RedisOptions } from 'ioredis';

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
