// One contract, two stores: every behaviour below holds for Redis and for the embedded store alike.
// Both stores read time from an injected clock that the tests move forward; nothing here sleeps.

import test, { type ExecutionContext } from 'ava';
import { createMemorySessionStore } from '../gateway/sessions/memory-store.js';
import { createRedisSessionStore } from '../gateway/sessions/redis-store.js';
import type { SessionStore, SessionTtls } from '../gateway/sessions/types.js';
import { testRedis, uniquePrefix } from '../harness/gateway.js';

interface Clock {
  now(): number;
  advance(ms: number): void;
}

/**
 * A clock a day ahead of the wall clock: Redis's own expiry (PEXPIREAT from this clock) never fires during a
 * test, so whether a session is alive is decided by the store's clock alone, however slow the machine.
 */
function testClock(): Clock {
  let at = Date.now() + 86_400_000;
  return {
    now: () => at,
    advance(ms) {
      at += ms;
    },
  };
}

type Factory = (
  t: ExecutionContext,
  ttls: SessionTtls,
  clock: Clock,
) => Promise<SessionStore & { indexSize?: (owner: string) => Promise<number> }>;
const newSession = (owner: string, clusterId = 'c1', ttlSeconds = 3600) => ({
  clusterId,
  owner,
  userId: 'u1',
  correlationId: null,
  ttlSeconds,
});

function contract(name: string, factory: Factory): void {
  const long = { absoluteSeconds: 3600, idleSeconds: 1800 };

  test(`${name} - creates a session its owner can read and nobody else can`, async (t) => {
    const clock = testClock();
    const store = await factory(t, long, clock);
    const before = clock.now();
    const s = await store.create(newSession('alice'));
    t.is(s.owner, 'alice');
    t.is(s.clusterId, 'c1');
    t.is(s.userId, 'u1');
    t.is(s.correlationId, null);
    t.is(s.commandsExecuted, 0);
    t.is(s.createdAt, before);
    t.is(s.deadline, s.createdAt + 3600_000);
    t.is(s.expiresAt, s.createdAt + 1800_000);
    t.deepEqual(await store.get(s.id, 'alice'), s);
    t.is(await store.get(s.id, 'bob'), null);
    t.is(await store.get('00000000-0000-0000-0000-000000000000', 'alice'), null);
  });

  test(`${name} - caps a requested TTL at the absolute TTL`, async (t) => {
    const store = await factory(t, { absoluteSeconds: 60, idleSeconds: 1800 }, testClock());
    const s = await store.create(newSession('alice', 'c1', 600));
    t.is(s.ttlSeconds, 60);
    t.is(s.expiresAt, s.createdAt + 60_000);
  });

  test(`${name} - touch counts commands and moves the idle deadline, only for the owner`, async (t) => {
    const clock = testClock();
    const store = await factory(t, long, clock);
    const s = await store.create(newSession('alice'));
    clock.advance(20);
    const a = await store.touch(s.id, 'alice');
    const b = await store.touch(s.id, 'alice');
    t.is(a?.commandsExecuted, 1);
    t.is(b?.commandsExecuted, 2);
    t.true(b!.lastActivity > s.lastActivity);
    t.is(b!.expiresAt, b!.lastActivity + 1800_000);
    t.is(await store.touch(s.id, 'bob'), null);
    t.is((await store.get(s.id, 'alice'))?.commandsExecuted, 2);
  });

  test(`${name} - a session idle for longer than the idle TTL is gone`, async (t) => {
    const clock = testClock();
    const store = await factory(t, { absoluteSeconds: 60, idleSeconds: 1 }, clock);
    const s = await store.create(newSession('alice'));
    clock.advance(600);
    t.truthy(await store.touch(s.id, 'alice'));
    clock.advance(600);
    t.truthy(await store.get(s.id, 'alice'), 'touched 0.6 s ago: still alive');
    clock.advance(1_100);
    t.is(await store.get(s.id, 'alice'), null);
    t.is(await store.touch(s.id, 'alice'), null);
  });

  test(`${name} - activity never extends a session past its absolute deadline`, async (t) => {
    const clock = testClock();
    const store = await factory(t, { absoluteSeconds: 2, idleSeconds: 1 }, clock);
    const s = await store.create(newSession('alice'));
    for (let i = 0; i < 3; i++) {
      clock.advance(550);
      const touched = await store.touch(s.id, 'alice');
      t.truthy(touched);
      t.true(touched!.expiresAt <= s.deadline);
    }
    clock.advance(s.deadline - clock.now() + 100);
    t.is(await store.get(s.id, 'alice'), null);
    t.is(await store.touch(s.id, 'alice'), null);
  });

  test(`${name} - lists only the caller's live sessions, oldest first`, async (t) => {
    const clock = testClock();
    const store = await factory(t, { absoluteSeconds: 60, idleSeconds: 1 }, clock);
    const a1 = await store.create(newSession('alice'));
    const b1 = await store.create(newSession('bob'));
    clock.advance(5);
    const a2 = await store.create(newSession('alice', 'c2'));
    t.deepEqual(
      (await store.list('alice')).map((s) => s.id),
      [a1.id, a2.id],
    );
    t.deepEqual(
      (await store.list('bob')).map((s) => s.id),
      [b1.id],
    );
    t.deepEqual(await store.list('carol'), []);
    clock.advance(1_100);
    t.deepEqual(await store.list('alice'), []);
    if (store.indexSize)
      t.is(await store.indexSize('alice'), 0, 'expired members are removed from the index');
  });

  test(`${name} - only the owner can delete, and a deleted session is gone`, async (t) => {
    const store = await factory(t, long, testClock());
    const s = await store.create(newSession('alice'));
    t.is(await store.delete(s.id, 'bob'), null);
    t.truthy(await store.get(s.id, 'alice'));
    t.is((await store.delete(s.id, 'alice'))?.id, s.id);
    t.is(await store.get(s.id, 'alice'), null);
    t.is(await store.delete(s.id, 'alice'), null);
    t.deepEqual(await store.list('alice'), []);
  });

  test(`${name} - concurrent touches are all counted`, async (t) => {
    const store = await factory(t, long, testClock());
    const s = await store.create(newSession('alice'));
    await Promise.all(Array.from({ length: 50 }, () => store.touch(s.id, 'alice')));
    t.is((await store.get(s.id, 'alice'))?.commandsExecuted, 50);
  });
}

contract('memory session store', async (t, ttls, clock) => {
  const store = createMemorySessionStore({ ...ttls, sweepMs: 100, now: clock.now });
  t.teardown(() => store.close());
  return store;
});

contract('redis session store', async (t, ttls, clock) => {
  const prefix = uniquePrefix();
  const redis = await testRedis(t, prefix);
  const store = createRedisSessionStore({ redis, keyPrefix: prefix, ...ttls, now: clock.now });
  return Object.assign(store, { indexSize: (owner: string) => redis.zcard(`${prefix}sessions:{${owner}}`) });
});
