// Audit records are data from publishers: none of their fields may steer the consumer's exactly-once key
// or the hash chain.

import { join } from 'node:path';
import test from 'ava';
import { toLine } from '../audit/consumer.js';
import { verifyAuditLog } from '../audit/verify.js';
import { subjects } from '../common/subjects.js';
import { encodeJson } from '../common/wire.js';
import { readLines, startAuditBus, startConsumer, tempDir, written } from '../harness/audit.js';

const record = (extra: Record<string, unknown>) => ({
  timestamp: '2024-01-20T10:30:45.000Z',
  event_type: 'session_creation',
  source_ip: null,
  api_key_prefix: null,
  identity: 'mallory',
  cluster_id: 'c1',
  session_id: null,
  command_id: null,
  details: {},
  ...extra,
});

test('audit consumer - a seq, hash or prev_hash inside a record cannot replace the stream sequence or the chain', (t) => {
  const line = toLine({
    seq: 7,
    subject: subjects.audit('session_creation'),
    data: encodeJson(record({ seq: 1_000_000, hash: 'f'.repeat(64), prev_hash: 'e'.repeat(64) })),
  });
  t.is(line.seq, 7);
  t.false('hash' in line);
  t.false('prev_hash' in line);
});

test('audit consumer - a record claiming a far sequence does not make later records look like redeliveries', async (t) => {
  const { server, js } = await startAuditBus(t);
  await js.publish(subjects.audit('session_creation'), encodeJson(record({ seq: 1_000_000 })));
  await js.publish(subjects.audit('session_creation'), encodeJson(record({ identity: 'alice' })));
  const path = join(await tempDir(t), 'audit.log');
  const { consumer } = await startConsumer(t, server, { path });
  await written(t, consumer, 2, 5_000);
  const lines = await readLines(path);
  t.deepEqual(
    lines.map((l) => [l.seq, l.identity]),
    [
      [1, 'mallory'],
      [2, 'alice'],
    ],
  );
  t.like(await verifyAuditLog(path), { ok: true, lines: 2 });
});
