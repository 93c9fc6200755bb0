// The gateway's JetStream publisher (common/stream-publisher.ts) against a real provisioned nats-server, as the
// gateway identity: acks and duplicates as `js.publish` gives them, a stream other than the expected one, a
// subject the identity may not publish on, a paused server, and forged or late acks on its reply subscription.

import { jetstreamManager } from '@nats-io/jetstream';
import test from 'ava';
import { createStreamPublisher, type StreamPublishError } from '../common/stream-publisher.js';
import { AUDIT_STREAM, CMD_STREAM, GATEWAY_INBOX_PREFIX, subjects } from '../common/subjects.js';
import { eventually } from '../harness/eventually.js';
import { connectAs, provision, startNats, TEST_JS_OPTIONS } from '../harness/nats-server.js';

const data = new TextEncoder().encode('{}');
const code = (err: unknown) => (err as StreamPublishError).code;

async function setup(t: Parameters<typeof startNats>[0]) {
  const server = await startNats(t);
  await provision(t, server, ['c1']);
  const nc = await connectAs(t, server, 'gateway');
  const publisher = createStreamPublisher(nc, { inboxPrefix: GATEWAY_INBOX_PREFIX });
  t.teardown(() => publisher.close());
  return { server, nc, publisher };
}

test('stream publisher - acks name the stream and sequence; the same msg id again is a duplicate', async (t) => {
  const { publisher } = await setup(t);
  const options = { msgID: 'id-1', expect: { streamName: CMD_STREAM }, timeout: 20_000 };
  const first = await publisher.publish(subjects.command('c1'), data, options);
  t.is(first.stream, CMD_STREAM);
  t.false(first.duplicate);
  const again = await publisher.publish(subjects.command('c1'), data, options);
  t.true(again.duplicate);
  t.is(again.seq, first.seq);
  const other = await publisher.publish(subjects.command('c1'), data, { ...options, msgID: 'id-2' });
  t.is(other.seq, first.seq + 1);
  // 200 at once: every one gets its own ack, none is left waiting.
  const acks = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      publisher.publish(subjects.audit('command_attempt'), data, { msgID: `a-${i}`, timeout: 20_000 }),
    ),
  );
  t.is(new Set(acks.map((a) => a.seq)).size, 200);
  t.true(acks.every((a) => a.stream === AUDIT_STREAM && !a.duplicate));
  t.is(publisher.waiting, 0);
});

test('stream publisher - a stream other than the expected one refuses the message', async (t) => {
  const { publisher } = await setup(t);
  const err = await t.throwsAsync(
    publisher.publish(subjects.command('c1'), data, {
      msgID: 'x',
      expect: { streamName: AUDIT_STREAM },
      timeout: 20_000,
    }),
  );
  t.is(code(err), 'refused');
  t.is(publisher.waiting, 0);
});

test('stream publisher - an answer that is no ack (an API reply) is refused', async (t) => {
  const { publisher } = await setup(t);
  const err = await t.throwsAsync(publisher.publish('$JS.API.INFO', data, { msgID: 'x', timeout: 20_000 }));
  t.is(code(err), 'refused');
});

test('stream publisher - a subject the identity may not publish on fails at once, not at its timeout', async (t) => {
  const { publisher } = await setup(t);
  const started = Date.now();
  const err = await t.throwsAsync(
    publisher.publish(subjects.result('c1', 'forged'), data, { msgID: 'x', timeout: 600_000 }),
  );
  t.is(code(err), 'permission');
  t.true(Date.now() - started < 600_000);
  // The connection and the subscription still work.
  t.is(
    (await publisher.publish(subjects.command('c1'), data, { msgID: 'y', timeout: 20_000 })).stream,
    CMD_STREAM,
  );
});

test('stream publisher - no ack in time rejects with timeout; close() rejects what still waits', async (t) => {
  const { server, publisher } = await setup(t);
  // A stream that keeps messages without acknowledging them: no ack ever comes.
  const admin = await connectAs(t, server, 'admin');
  const jsm = await jetstreamManager(admin, TEST_JS_OPTIONS);
  const { config } = await jsm.streams.info(CMD_STREAM);
  await jsm.streams.update(CMD_STREAM, { ...config, no_ack: true });
  const err = await t.throwsAsync(
    publisher.publish(subjects.command('c1'), data, { msgID: 't1', timeout: 200 }),
  );
  t.is(code(err), 'timeout');
  t.is(publisher.waiting, 0);
  const waiting = publisher.publish(subjects.command('c1'), data, { msgID: 't2', timeout: 600_000 });
  t.is(publisher.waiting, 1);
  publisher.close();
  t.is(code(await t.throwsAsync(waiting)), 'closed');
  t.is(code(await t.throwsAsync(publisher.publish(subjects.command('c1'), data, { msgID: 't3' }))), 'closed');
});

test('stream publisher - forged and late acks on its reply subjects settle nothing', async (t) => {
  const { server, nc, publisher } = await setup(t);
  // Another connection of the same identity (the only one allowed to publish there) sees the reply subjects.
  const other = await connectAs(t, server, 'gateway');
  const seen: string[] = [];
  other.subscribe(`${GATEWAY_INBOX_PREFIX}.>`, { callback: (_e, m) => void seen.push(m.subject) });
  await other.flush();
  const ack = await publisher.publish(subjects.command('c1'), data, { msgID: 'f1', timeout: 20_000 });
  await eventually(t, () => seen.length > 0, { message: 'the ack was seen on the inbox' });
  const reply = seen[0]!;
  const base = reply.slice(0, reply.lastIndexOf('.') + 1);
  const token = reply.slice(base.length);
  // A late second ack for the answered token, an ack for the token the next publish will use (sent before that
  // publish), garbage, a huge token: all ignored.
  other.publish(reply, JSON.stringify({ stream: 'FORGED', seq: 1 }));
  other.publish(
    `${base}${(Number.parseInt(token, 36) + 1).toString(36)}`,
    JSON.stringify({ stream: 'FORGED', seq: 1 }),
  );
  other.publish(`${base}zz`, 'not json');
  other.publish(`${base}${'9'.repeat(1_000)}`, JSON.stringify({ stream: 'FORGED', seq: 1 }));
  await other.flush();
  await nc.flush();
  const next = await publisher.publish(subjects.command('c1'), data, { msgID: 'f2', timeout: 20_000 });
  t.is(next.stream, CMD_STREAM);
  t.is(next.seq, ack.seq + 1);
  t.is(publisher.waiting, 0);
});
