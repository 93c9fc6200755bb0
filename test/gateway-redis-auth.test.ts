// Redis with AUTH: the password may come in REDIS_URL or, as Kubernetes mounts it, in REDIS_PASSWORD,
// which wins. Without it the store refuses to work instead of silently falling back to memory.

import { randomBytes } from 'node:crypto';
import test from 'ava';
import { loadGatewayConfig } from '../gateway/config.js';
import { createRedisClient } from '../gateway/redis-options.js';
import { createRedisSessionStore } from '../gateway/sessions/redis-store.js';
import { spawnRedisServer } from '../harness/redis-server.js';

test('redis auth - REDIS_PASSWORD (or the URL) authenticates the session store; none is refused', async (t) => {
  const password = randomBytes(16).toString('hex');
  const server = await spawnRedisServer('redis-server', ['--requirepass', password]);
  t.teardown(() => server.stop());
  const connect = async (env: Record<string, string>) => {
    const config = loadGatewayConfig(env);
    // As gateway/main.ts builds it.
    const redis = createRedisClient(config);
    redis.on('error', () => {});
    t.teardown(() => redis.disconnect());
    await redis.connect();
    return redis;
  };
  const ttls = { absoluteSeconds: 60, idleSeconds: 30 };
  const session = { clusterId: 'c1', owner: 'alice', userId: null, correlationId: null, ttlSeconds: 60 };

  const viaEnv = await connect({ REDIS_URL: server.url, REDIS_PASSWORD: password });
  const store = createRedisSessionStore({ redis: viaEnv, keyPrefix: 'auth-test:', ...ttls });
  const created = await store.create(session);
  t.is((await store.get(created.id, 'alice'))?.id, created.id);

  // The Secret's password wins over a stale one left in the URL.
  const stale = server.url.replace('redis://', 'redis://:stale@');
  const overridden = await connect({ REDIS_URL: stale, REDIS_PASSWORD: password });
  t.is(await overridden.ping(), 'PONG');

  const inUrl = await connect({ REDIS_URL: server.url.replace('redis://', `redis://:${password}@`) });
  t.is(await inUrl.ping(), 'PONG');

  await t.throwsAsync(
    (async () => {
      const none = await connect({ REDIS_URL: server.url });
      await none.ping();
    })(),
    undefined,
    'without the password the connection is refused',
  );
});
