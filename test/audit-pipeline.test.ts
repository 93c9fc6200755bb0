import { appendFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { createAuditConsumer } from '../audit/consumer.js';
import { EMPTY_CHAIN, GENESIS_HASH } from '../audit/hash-chain.js';
import { openFileSink } from '../audit/sinks/file-sink.js';
import { verifyAuditLog } from '../audit/verify.js';
import { createAuditEmitter } from '../common/audit/emitter.js';
import { AUDIT_EVENT_TYPES } from '../common/audit/events.js';
import { importedJetStream } from '../common/imported-jetstream.js';
import {
  readLines,
  shortenAckWait,
  startAuditBus,
  startConsumer,
  tempDir,
  written,
} from '../harness/audit.js';
import { eventually } from '../harness/eventually.js';
import { quietLog } from '../harness/log.js';
import { connectAs } from '../harness/nats-server.js';

test('pipeline - each event arrives once, in order, with its fields, chained from genesis', async (t) => {
  const { server, js } = await startAuditBus(t);
  const emitter = createAuditEmitter({ js, log: quietLog() });
  for (const [i, event_type] of AUDIT_EVENT_TYPES.entries()) {
    await emitter.emit({
      event_type,
      identity: 'alice',
      api_key_prefix: 'dev-key...',
      cluster_id: 'c1',
      source_ip: '10.0.0.1',
      details: { i },
    });
  }
  const path = join(await tempDir(t), 'audit.log');
  const { consumer } = await startConsumer(t, server, { path });
  await written(t, consumer, AUDIT_EVENT_TYPES.length);

  const lines = await readLines(path);
  t.deepEqual(
    lines.map((l) => l.event_type),
    [...AUDIT_EVENT_TYPES],
  );
  t.deepEqual(
    lines.map((l) => l.seq),
    AUDIT_EVENT_TYPES.map((_, i) => i + 1),
  );
  t.is(lines[0]!.prev_hash, GENESIS_HASH);
  t.like(lines[3], {
    identity: 'alice',
    api_key_prefix: 'dev-key...',
    cluster_id: 'c1',
    source_ip: '10.0.0.1',
    details: { i: 3 },
  });
  t.regex(lines[3]!.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.like(await verifyAuditLog(path), { ok: true, lines: AUDIT_EVENT_TYPES.length });
});

test('pipeline - a restarted consumer neither loses nor duplicates records', async (t) => {
  const { server, js } = await startAuditBus(t);
  // Records already on their way to a stopped instance come back after ack_wait.
  await shortenAckWait(t, server, 1_000);
  const emitter = createAuditEmitter({ js, log: quietLog() });
  const path = join(await tempDir(t), 'audit.log');
  const total = 600;
  let first = await startConsumer(t, server, { path });
  const publishing = (async () => {
    for (let i = 0; i < total; i++) await emitter.emit({ event_type: 'command_executed', details: { i } });
  })();
  // Stop mid-stream, several times, while records keep arriving.
  for (const at of [100, 300]) {
    await written(t, first.consumer, at);
    await first.stop();
    first = await startConsumer(t, server, { path });
  }
  await publishing;
  await written(t, first.consumer, total);

  const lines = await readLines(path);
  t.is(lines.length, total);
  t.deepEqual(
    lines.map((l) => l.details.i),
    Array.from({ length: total }, (_, i) => i),
  );
  t.like(await verifyAuditLog(path), { ok: true, lines: total });
  t.is((await first.consumer.consumerInfo()).numPending, 0);
});

test('pipeline - records written but not acked before a crash are redelivered and skipped', async (t) => {
  const { server, js } = await startAuditBus(t);
  await shortenAckWait(t, server, 1_000);
  const emitter = createAuditEmitter({ js, log: quietLog() });
  const path = join(await tempDir(t), 'audit.log');
  for (let i = 0; i < 5; i++) await emitter.emit({ event_type: 'session_creation', details: { i } });

  // The file gets the lines, then a second sink fails: nothing is acked and the loop gives up.
  const nc = await connectAs(t, server, 'audit');
  const sink = await openFileSink({ path, fsync: false });
  const failing = { write: async () => Promise.reject(new Error('disk full')), close: async () => {} };
  const crashed = createAuditConsumer({
    nc,
    js: importedJetStream(nc),
    sinks: [sink, failing],
    chain: sink.recovered,
    log: quietLog(),
  });
  await crashed.start();
  await t.throwsAsync(crashed.closed(), { message: 'disk full' });
  await sink.close();
  await nc.close();
  t.is((await readLines(path)).length, 5);

  const { consumer } = await startConsumer(t, server, { path });
  for (let i = 5; i < 8; i++) await emitter.emit({ event_type: 'session_creation', details: { i } });
  await written(t, consumer, 8);
  await eventually(t, async () => (await consumer.consumerInfo()).numAckPending === 0, {
    message: 'the consumer acked every record it wrote',
  });
  t.deepEqual(
    (await readLines(path)).map((l) => [l.seq, l.details.i]),
    Array.from({ length: 8 }, (_, i) => [i + 1, i]),
  );
  t.like(await verifyAuditLog(path), { ok: true, lines: 8 });
});

test('pipeline - records a stopped instance held unacked are written before later ones', async (t) => {
  const { server, js } = await startAuditBus(t);
  await shortenAckWait(t, server, 1_000);
  const emitter = createAuditEmitter({ js, log: quietLog() });
  const path = join(await tempDir(t), 'audit.log');
  for (let i = 0; i < 5; i++) await emitter.emit({ event_type: 'command_attempt', details: { i } });

  // An instance that takes records 1..5 and vanishes without writing or acking them.
  const nc = await connectAs(t, server, 'audit');
  let vanish: (err: Error) => void = () => {};
  const held = createAuditConsumer({
    nc,
    js: importedJetStream(nc),
    sinks: [{ write: () => new Promise((_, reject) => (vanish = reject)), close: async () => {} }],
    chain: EMPTY_CHAIN,
    log: quietLog(),
  });
  await held.start();
  await eventually(t, async () => (await held.consumerInfo()).numAckPending === 5, {
    message: 'the held consumer has the five records delivered and unacked',
  });
  await nc.close();
  vanish(new Error('gone'));
  await t.throwsAsync(held.closed());

  for (let i = 5; i < 8; i++) await emitter.emit({ event_type: 'command_attempt', details: { i } });
  const { consumer } = await startConsumer(t, server, { path });
  await written(t, consumer, 8);
  t.deepEqual(
    (await readLines(path)).map((l) => l.details.i),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
});

test('pipeline - a half-written last line is dropped on start and the chain resumes', async (t) => {
  const { server, js } = await startAuditBus(t);
  const emitter = createAuditEmitter({ js, log: quietLog() });
  const path = join(await tempDir(t), 'audit.log');
  for (let i = 0; i < 3; i++) await emitter.emit({ event_type: 'session_termination', details: { i } });
  const first = await startConsumer(t, server, { path });
  await written(t, first.consumer, 3);
  await first.stop();
  await appendFile(path, '{"seq":4,"timestamp":"2024-'); // a crash mid-write

  const second = await startConsumer(t, server, { path });
  await emitter.emit({ event_type: 'session_termination', details: { i: 3 } });
  await written(t, second.consumer, 4);
  t.deepEqual(
    (await readLines(path)).map((l) => l.seq),
    [1, 2, 3, 4],
  );
  t.like(await verifyAuditLog(path), { ok: true, lines: 4 });
});

test('pipeline - rotation keeps the chain across files and keeps N files', async (t) => {
  const { server, js } = await startAuditBus(t);
  const emitter = createAuditEmitter({ js, log: quietLog() });
  const path = join(await tempDir(t), 'audit.log');
  const { consumer, stop } = await startConsumer(t, server, { path, maxFileBytes: 2_000, keepFiles: 50 });
  for (let i = 0; i < 60; i++)
    await emitter.emit({ event_type: 'command_executed', cluster_id: 'c1', details: { i } });
  await written(t, consumer, 60);
  await stop();

  const result = await verifyAuditLog(path);
  t.true(result.ok, result.reason);
  t.is(result.lines, 60);
  t.true(result.files.length > 3, `only ${result.files.length} files`);
  // Every record as this first report read it (files are renamed by later rotations).
  const before = (await Promise.all(result.files.map((f) => readLines(f)))).flat();
  const first = await readLines(result.files[0]!);
  const second = await readLines(result.files[1]!);
  t.is(first[0]!.seq, 1);
  t.is(second[0]!.prev_hash, first.at(-1)!.hash);
  for (const f of result.files) t.true((await stat(f)).size <= 2_000, f);

  // Restarting resumes the chain from the active file (or audit.log.1 right after a rotation).
  const again = await startConsumer(t, server, { path, maxFileBytes: 2_000, keepFiles: 3 });
  await emitter.emit({ event_type: 'command_executed', details: { i: 60 } });
  await written(t, again.consumer, 61);
  await again.stop();
  // Older files were rotated away: the chain no longer starts at genesis, and verify says so...
  const cut = await verifyAuditLog(path);
  t.false(cut.ok);
  t.regex(cut.reason ?? '', /pass --anchor/);
  t.true(cut.files.length <= 4);
  // ...and holds with the anchor an earlier report gave: the record just before the first kept one.
  const firstKept = (await readLines(cut.files[0]!))[0]!;
  const anchorLine = before.find((l) => l.hash === firstKept.prev_hash);
  t.truthy(anchorLine, 'the first kept record follows one the earlier report read');
  const trimmed = await verifyAuditLog(path, { anchor: { seq: anchorLine!.seq, hash: anchorLine!.hash } });
  t.true(trimmed.ok, trimmed.reason);
});
