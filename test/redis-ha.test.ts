// Redis beyond one node: the gateway on a Redis Cluster (every multi-key script's keys in one slot) and on a
// Sentinel-watched primary that is killed under load (503 only during the failover, recovery without a
// restart, replicated sessions kept).

import test from 'ava';
import { Redis } from 'ioredis';
import { loadGatewayConfig, NO_RATE_LIMIT } from '../gateway/config.js';
import { connectRedisClient, createRedisClient } from '../gateway/redis-options.js';
import { eventually, scaled } from '../harness/eventually.js';
import { startGatewayStack } from '../harness/gateway.js';
import { startRedisCluster, startSentinelSet } from '../harness/redis-ha.js';

async function connected(
  t: Parameters<typeof startRedisCluster>[0],
  env: Record<string, string>,
): Promise<Redis> {
  // As gateway/main.ts builds it.
  const redis = createRedisClient(loadGatewayConfig(env));
  redis.on('error', () => {});
  t.teardown(() => redis.disconnect());
  await connectRedisClient(redis);
  return redis;
}

const nodeList = (nodes: { host: string; port: number }[]) =>
  nodes.map((n) => `${n.host}:${n.port}`).join(',');

test('redis cluster - sessions (multi-key scripts, listing), results and rate limits work across slots', async (t) => {
  const nodes = await startRedisCluster(t);
  const redis = await connected(t, { REDIS_CLUSTER_NODES: nodeList(nodes) });
  const s = await startGatewayStack(t, { redis: { client: redis }, agents: { c1: 'answer' } });
  const ids: string[] = [];
  // Owners and ids spread over the slots: a script whose keys were in two slots fails with CROSSSLOT (500).
  for (let i = 0; i < 6; i++) {
    const res = await s.app.inject({
      method: 'POST',
      url: '/debug/session',
      payload: { cluster_id: 'c1' },
      headers: s.as(i % 2 ? 'alice' : 'admin'),
    });
    t.is(res.statusCode, 201, res.body);
    ids.push(res.json().session_id);
  }
  const list = await s.app.inject({ url: '/debug/sessions', headers: s.as('alice') });
  t.is(list.json().sessions.length, 3);
  const run = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    payload: { cluster_id: 'c1', command: 'get pods', session_id: ids[1] },
    headers: s.as('alice'),
  });
  t.is(run.statusCode, 200, run.body);
  const kept = await s.app.inject({ url: `/debug/result/${run.json().command_id}`, headers: s.as('alice') });
  t.is(kept.statusCode, 200);
  const session = await s.app.inject({ url: `/debug/session/${ids[1]}`, headers: s.as('alice') });
  t.is(session.json().commands_executed, 1);
  const ended = await s.app.inject({
    method: 'DELETE',
    url: `/debug/session/${ids[1]}`,
    headers: s.as('alice'),
  });
  t.is(ended.statusCode, 204);
  t.is((await s.app.inject({ url: '/debug/sessions', headers: s.as('alice') })).json().sessions.length, 2);
  // The rate limiter's counters live in the cluster too.
  t.truthy(run.headers['x-ratelimit-remaining']);
});

test('redis sentinel - killing the primary under load answers 503 only during the failover, then recovers', async (t) => {
  const set = await startSentinelSet(t);
  const redis = await connected(t, {
    REDIS_SENTINELS: nodeList(set.nodes),
    REDIS_SENTINEL_NAME: set.name,
  });
  // Limits no load here reaches; their counters still go to Redis (and are skipped while it is away).
  const s = await startGatewayStack(t, {
    redis: { client: redis },
    agents: {},
    config: { rateLimit: NO_RATE_LIMIT },
  });
  const create = () =>
    s.app.inject({
      method: 'POST',
      url: '/debug/session',
      payload: { cluster_id: 'c1' },
      headers: s.as('alice'),
    });
  const before: string[] = [];
  for (let i = 0; i < 5; i++) before.push((await create()).json().session_id);
  // Replicated before the kill: WAIT returns when the replica has acknowledged every earlier write.
  const direct = await connected(t, { REDIS_URL: set.primary.url });
  t.is(await direct.wait(1, scaled(5_000)), 1);
  direct.disconnect();

  // Load: four clients reading and creating sessions back to back, each answer stamped.
  const answers: { at: number; status: number }[] = [];
  let stop = false;
  const worker = async (i: number) => {
    while (!stop) {
      const res =
        i % 2
          ? await create()
          : await s.app.inject({ url: `/debug/session/${before[i]}`, headers: s.as('alice') });
      answers.push({ at: performance.now(), status: res.statusCode });
      // inject does not touch the network: yield so the Redis client's sockets are served.
      await new Promise((r) => setImmediate(r));
    }
  };
  const load = Promise.all([0, 1, 2, 3].map(worker));
  await eventually(t, () => answers.length > 20, { message: 'the load is running' });
  // When the sentinels announce the new primary: the failover's own length, apart from the client's reaction.
  const watcher = new Redis(set.sentinels[0]!.port, '127.0.0.1');
  watcher.on('error', () => {});
  t.teardown(() => watcher.disconnect());
  let switchedAt: number | undefined;
  await watcher.subscribe('+switch-master');
  watcher.on('message', () => {
    switchedAt ??= performance.now();
  });
  const killedAt = performance.now();
  await set.primary.stop(true);
  // Recovered: a success after the first 503 (or after the kill, if the failover was invisible).
  await eventually(
    t,
    () => {
      const firstFailure = answers.find((a) => a.at > killedAt && a.status === 503);
      const after = firstFailure?.at ?? killedAt;
      return answers.filter((a) => a.at > after && a.status < 300).length >= 20;
    },
    { message: 'requests succeed again after the failover', timeoutMs: scaled(60_000), intervalMs: 100 },
  );
  stop = true;
  await load;

  const statuses = new Set(answers.map((a) => a.status));
  t.deepEqual(
    [...statuses].filter((c) => ![200, 201, 503].includes(c)),
    [],
    'every answer is a success or a 503',
  );
  const failures = answers.filter((a) => a.status === 503);
  const ms = (at: number | undefined) => (at === undefined ? '-' : `${Math.round(at - killedAt)} ms`);
  const window = failures.length ? failures.at(-1)!.at - failures[0]!.at : 0;
  t.log(
    `503 window ${Math.round(window)} ms (${failures.length} of ${answers.length} answers); after the kill: ` +
      `first 503 ${ms(failures[0]?.at)}, sentinels' +switch-master ${ms(switchedAt)}, last 503 ${ms(failures.at(-1)?.at)}`,
  );
  // The failover, not the client, is the window: once the sentinels announced the new primary and a request
  // succeeded, none fails again.
  t.truthy(switchedAt, 'the sentinels moved the primary');
  const recovered = answers.find((a) => a.at > switchedAt! && a.status < 300)!;
  t.deepEqual(
    answers.filter((a) => a.at > recovered.at && a.status >= 300),
    [],
  );
  // The sessions written before the kill were replicated and are still there, on the promoted replica.
  for (const id of before) {
    const res = await s.app.inject({ url: `/debug/session/${id}`, headers: s.as('alice') });
    t.is(res.statusCode, 200, res.body);
  }
  const promoted = (await redis.call('ROLE')) as [string];
  t.is(promoted[0], 'master');
});

test('redis config - sentinel and cluster nodes are host:port lists; one Redis setup at a time', (t) => {
  const config = loadGatewayConfig({
    REDIS_SENTINELS: 's0:26380, s1,[::1]:26381',
    REDIS_SENTINEL_NAME: 'kub',
  });
  t.deepEqual(config.redisSentinels, [
    { host: 's0', port: 26380 },
    { host: 's1', port: 26379 },
    { host: '::1', port: 26381 },
  ]);
  t.is(config.redisSentinelName, 'kub');
  t.deepEqual(loadGatewayConfig({ REDIS_CLUSTER_NODES: 'r0:7000' }).redisClusterNodes, [
    { host: 'r0', port: 7000 },
  ]);
  for (const bad of ['s0:0', 's0:99999', 'user@s0:1', 's0:1/x', 's0:\u001b[31m']) {
    const err = t.throws(() => loadGatewayConfig({ REDIS_SENTINELS: bad }));
    t.regex(err.message, /REDIS_SENTINELS: ".*" is not host:port/);
  }
  const both = t.throws(() =>
    loadGatewayConfig({ REDIS_URL: 'redis://r:6379', REDIS_SENTINELS: 's0', REDIS_CLUSTER_NODES: 'c0' }),
  );
  t.regex(both.message, /set one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES/);
});

test('redis connect - waits for ready, not for a connect() promise ioredis may never settle; gives up after its timeout', async (t) => {
  const { EventEmitter } = await import('node:events');
  // ioredis' Cluster after a failed first ready check: connect() stays pending, 'ready' comes on its reconnect.
  const late = Object.assign(new EventEmitter(), { connect: () => new Promise<void>(() => {}) });
  setTimeout(() => late.emit('ready'), 10);
  await t.notThrowsAsync(connectRedisClient(late as unknown as Redis, scaled(5_000)));
  t.is(late.listenerCount('ready'), 0, 'no listener is left behind');
  const never = Object.assign(new EventEmitter(), { connect: () => new Promise<void>(() => {}) });
  await t.throwsAsync(connectRedisClient(never as unknown as Redis, 50), {
    message: 'not ready after 50 ms',
  });
  const refused = Object.assign(new EventEmitter(), {
    connect: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')),
  });
  await t.throwsAsync(connectRedisClient(refused as unknown as Redis, scaled(5_000)), {
    message: /ECONNREFUSED/,
  });
});
