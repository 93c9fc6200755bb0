// common/turn-batch.ts: work deferred in one turn runs together, in order, after the current I/O callbacks;
// one work that throws rejects only its own promise.

import test from 'ava';
import { createTurnBatch } from '../common/turn-batch.js';

test('turn batch - work deferred in one turn runs together and in order, not before the turn ends', async (t) => {
  const defer = createTurnBatch();
  const ran: string[] = [];
  const first = defer(() => ran.push('a'));
  // Deferred from a microtask of the same turn: still the same batch.
  await Promise.resolve();
  const second = defer(() => ran.push('b'));
  t.deepEqual(ran, [], 'nothing runs before the check phase');
  let between = false;
  void first.then(() => {
    between = ran.length === 2;
  });
  await Promise.all([first, second]);
  t.deepEqual(ran, ['a', 'b']);
  t.true(between, 'both ran before either promise resolved: one batch');
  // A later turn starts a new batch.
  await defer(() => ran.push('c'));
  t.deepEqual(ran, ['a', 'b', 'c']);
});

test('turn batch - a work that throws rejects its own promise; the others of its batch still run', async (t) => {
  const defer = createTurnBatch();
  const ran: number[] = [];
  const results = await Promise.allSettled([
    defer(() => ran.push(1)),
    defer(() => {
      throw new Error('closed');
    }),
    defer(() => ran.push(3)),
  ]);
  t.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.is(((results[1] as PromiseRejectedResult).reason as Error).message, 'closed');
  t.deepEqual(ran, [1, 3]);
});

test('turn batch - thousands deferred at once all run, once each', async (t) => {
  const defer = createTurnBatch();
  let count = 0;
  await Promise.all(Array.from({ length: 10_000 }, () => defer(() => count++)));
  t.is(count, 10_000);
});
