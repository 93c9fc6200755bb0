// Every allowed path works end to end through a real nats-server started from nats.conf.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { RequestError } from '@nats-io/nats-core';
import test from 'ava';
import { importedJetStream } from '../common/imported-jetstream.js';
import { AUDIT_CONSUMER, AUDIT_STREAM, agentConsumerName, CMD_STREAM, subjects } from '../common/subjects.js';
import { connectAs, provision, startNats } from '../harness/nats-server.js';

const clusters = ['alpha', 'beta'];

test('nats flow - a command reaches only its cluster agent, which acks it and returns a result to the gateway', async (t) => {
  const server = await startNats(t, { clusters });
  await provision(t, server, ['alpha', 'beta']);
  const gateway = await connectAs(t, server, 'gateway');
  const alpha = await connectAs(t, server, { agent: 'alpha' });
  const beta = await connectAs(t, server, { agent: 'beta' });

  const results = gateway.subscribe(subjects.allResults, { max: 1 });
  const heartbeats = gateway.subscribe(subjects.allHeartbeats, { max: 1 });
  await gateway.flush();

  const ack = await jetstream(gateway).publish(subjects.command('alpha'), '{"id":"c1"}', { msgID: 'c1' });
  t.is(ack.stream, CMD_STREAM);
  const dup = await jetstream(gateway).publish(subjects.command('alpha'), '{"id":"c1"}', { msgID: 'c1' });
  t.true(dup.duplicate, 'the duplicate window drops a re-sent command id');

  // Beta's consumer filters on beta's subject: alpha's command is not there.
  const betaConsumer = await importedJetStream(beta).consumers.get(CMD_STREAM, agentConsumerName('beta'));
  t.is(await betaConsumer.next({ expires: 1_000 }), null);

  const consumer = await importedJetStream(alpha).consumers.get(CMD_STREAM, agentConsumerName('alpha'));
  const messages = await consumer.consume({ max_messages: 10 });
  for await (const m of messages) {
    t.is(m.subject, subjects.command('alpha'));
    t.is(m.json<{ id: string }>().id, 'c1');
    t.true(await m.ackAck(), 'the server confirms the ack');
    alpha.publish(subjects.result('alpha', 'c1'), '{"status":"success"}');
    alpha.publish(subjects.heartbeat('alpha'), '{}');
    break;
  }
  await messages.close();

  for await (const m of results) t.is(m.subject, subjects.result('alpha', 'c1'));
  for await (const m of heartbeats) t.is(m.subject, subjects.heartbeat('alpha'));
  // Work queue: the acked command is gone.
  const info = await consumer.info();
  t.is(info.num_pending + info.num_ack_pending, 0);

  // The gateway may see whether a cluster's consumer exists.
  const jsm = await jetstreamManager(gateway);
  t.is((await jsm.consumers.info(CMD_STREAM, agentConsumerName('alpha'))).name, 'agent-alpha');
});

test('nats flow - the gateway records audit events, the audit consumer takes them, GET /audit reads them by direct get', async (t) => {
  const server = await startNats(t, { clusters });
  await provision(t, server, ['alpha']);
  const gateway = await connectAs(t, server, 'gateway');
  const audit = await connectAs(t, server, 'audit');

  const ack = await jetstream(gateway).publish(
    subjects.audit('session_creation'),
    '{"event_type":"session_creation"}',
  );
  t.is(ack.stream, AUDIT_STREAM);

  const consumer = await importedJetStream(audit).consumers.get(AUDIT_STREAM, AUDIT_CONSUMER);
  const batch = await consumer.fetch({ max_messages: 5, expires: 1_000 });
  const seen: string[] = [];
  for await (const m of batch) {
    seen.push(m.subject);
    m.ack();
  }
  t.deepEqual(seen, [subjects.audit('session_creation')]);

  const jsm = await jetstreamManager(gateway);
  const record = await jsm.direct.getMessage(AUDIT_STREAM, { seq: 1, next_by_subj: subjects.allAudit });
  t.is(record?.json<{ event_type: string }>().event_type, 'session_creation');
});

test('nats flow - an agent using the default _INBOX prefix cannot even look up its own consumer', async (t) => {
  const server = await startNats(t, { clusters });
  await provision(t, server, ['alpha']);
  const alpha = await connectAs(t, server, { agent: 'alpha' }, { inboxPrefix: '_INBOX' });
  const err = await t.throwsAsync(
    importedJetStream(alpha).consumers.get(CMD_STREAM, agentConsumerName('alpha')),
    {
      instanceOf: RequestError,
    },
  );
  t.regex(err.message, /^Permissions Violation for Subscription to "_INBOX\./);
});

test('nats flow - provisioning is idempotent and updates a changed config in place without losing messages', async (t) => {
  const server = await startNats(t, { clusters });
  const first = await provision(t, server, ['alpha']);
  t.true(first.streams.every((s) => s.action === 'created'));
  const gateway = await connectAs(t, server, 'gateway');
  await jetstream(gateway).publish(subjects.audit('session_creation'), '{}');

  const again = await provision(t, server, ['alpha']);
  t.true([...again.streams, ...again.consumers].every((x) => x.action === 'unchanged'));

  const changed = await provision(t, server, ['alpha', 'beta'], { auditMaxAgeMs: 7 * 24 * 3_600_000 });
  t.deepEqual(
    changed.streams.map((s) => [s.name, s.action]),
    [
      [CMD_STREAM, 'unchanged'],
      [AUDIT_STREAM, 'updated'],
    ],
  );
  t.deepEqual(
    changed.consumers.map((c) => [c.name, c.action]),
    [
      ['agent-alpha', 'unchanged'],
      ['agent-beta', 'created'],
      [AUDIT_CONSUMER, 'unchanged'],
    ],
  );
  const jsm = await jetstreamManager(gateway);
  t.is((await jsm.streams.info(AUDIT_STREAM)).state.messages, 1);
});
