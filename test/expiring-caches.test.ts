// The expiring in-memory caches (all on lru-cache), driven by an injected clock: expiry, bounds,
// and the behaviour each caller relies on.

import test from 'ava';
import { createRecentIds } from '../agent/command-loop.js';
import { createDocumentCache } from '../agent/verbs/document-cache.js';
import type { CommandResult } from '../common/api.js';
import { createFailureLimiter } from '../gateway/auth/failure-limiter.js';
import { createMemoryResultStore } from '../gateway/results/result-store.js';

function clock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const result = (id: string): CommandResult => ({
  command_id: id,
  session_id: null,
  cluster_id: 'c1',
  status: 'success',
  output: `out ${id}`,
  error: null,
  execution_time_ms: 1,
  executed_at: '2026-01-01T00:00:00.000Z',
  truncated: false,
});

test('document cache - concurrent misses share one load, a document expires after its ttl', async (t) => {
  const c = clock();
  const cache = createDocumentCache(30_000, c.now);
  let loads = 0;
  const load = async () => ({ n: ++loads });
  const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
  t.is(loads, 1);
  t.is(a, b);
  c.advance(29_999);
  t.deepEqual(await cache.get('k', load), { n: 1 });
  c.advance(2);
  t.deepEqual(await cache.get('k', load), { n: 2 });
});

test('document cache - a failed load is not kept: the next caller asks again', async (t) => {
  const cache = createDocumentCache(30_000, clock().now);
  await t.throwsAsync(
    cache.get('k', async () => {
      throw new Error('apiserver down');
    }),
    { message: 'apiserver down' },
  );
  t.deepEqual(await cache.get('k', async () => ({ ok: true })), { ok: true });
});

test('memory result store - a result is its owner only, gone after the ttl, and the store is bounded', async (t) => {
  const c = clock();
  const store = createMemoryResultStore({ ttlSeconds: 300, now: c.now, maxEntries: 2 });
  await store.put(result('r1'), 'alice');
  t.is((await store.get('r1', 'alice'))?.output, 'out r1');
  t.is(await store.get('r1', 'bob'), null);
  c.advance(300_000);
  t.truthy(await store.get('r1', 'alice'), 'kept for ttlSeconds');
  c.advance(1);
  t.is(await store.get('r1', 'alice'), null, 'gone once ttlSeconds have passed');

  await store.put(result('r2'), 'alice');
  await store.put(result('r3'), 'alice');
  await store.put(result('r4'), 'alice');
  t.is(await store.get('r2', 'alice'), null, 'the oldest went when the bound was reached');
  t.truthy(await store.get('r3', 'alice'));
  t.truthy(await store.get('r4', 'alice'));
});

test('failure limiter - blocks past the limit until the window that began at the first failure ends', (t) => {
  const c = clock();
  const limiter = createFailureLimiter({ maxFailures: 3, windowMs: 60_000, now: c.now, maxTracked: 2 });
  t.false(limiter.recordFailure('10.0.0.1'));
  c.advance(10_000);
  t.false(limiter.recordFailure('10.0.0.1'));
  t.is(limiter.blockedFor('10.0.0.1'), 0);
  t.true(limiter.recordFailure('10.0.0.1'), 'the failure that crosses the limit is reported once');
  t.false(limiter.recordFailure('10.0.0.1'));
  t.is(limiter.blockedFor('10.0.0.1'), 50, 'later failures do not extend the window');
  c.advance(49_001);
  t.is(limiter.blockedFor('10.0.0.1'), 1);
  c.advance(1_000);
  t.is(limiter.blockedFor('10.0.0.1'), 0);
  t.false(limiter.recordFailure('10.0.0.1'), 'a new window starts from zero');

  // Bounded: a flood of addresses forgets the least recently seen, never grows past maxTracked.
  for (let i = 0; i < 3; i++) limiter.recordFailure('10.0.0.1');
  limiter.recordFailure('10.0.0.2');
  limiter.recordFailure('10.0.0.3');
  t.is(limiter.blockedFor('10.0.0.1'), 0, 'forgotten after two newer addresses');
});

test('recent ids - remembered for ttlMs, at most max', (t) => {
  const c = clock();
  const ids = createRecentIds(2, 1_000, c.now);
  ids.remember('a');
  t.true(ids.has('a'));
  t.false(ids.has('b'));
  c.advance(1_000);
  t.true(ids.has('a'));
  c.advance(1);
  t.false(ids.has('a'), 'forgotten after ttlMs');
  ids.remember('a');
  ids.remember('b');
  ids.remember('c');
  t.false(ids.has('a'), 'the oldest goes when more than max are remembered');
  t.true(ids.has('b'));
  t.true(ids.has('c'));
});
