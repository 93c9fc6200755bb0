// connectNats fails fast with a clear reason, then reconnects and logs each status change.

import { Writable } from 'node:stream';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import test from 'ava';
import { isKubentlyError } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { createOperatorSetup } from '../common/nats-auth/setup.js';
import { connectNats } from '../common/nats-connect.js';
import { ADMIN_INBOX_PREFIX, AUDIT_STREAM, GATEWAY_INBOX_PREFIX, subjects } from '../common/subjects.js';
import { eventually } from '../harness/eventually.js';
import { provision, startNats } from '../harness/nats-server.js';
import { freePort } from '../scripts/lib/nats-server.js';

function capture() {
  const records: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) records.push(JSON.parse(line));
      done();
    },
  });
  return { records, log: createLogger({ level: 'debug', destination }) };
}

test('nats connect - an unreachable server fails the first connect at once and says so', async (t) => {
  const { log } = capture();
  const port = await freePort();
  // No retry loop: the first refusal is the answer (a hang would be caught by ava's timeout).
  const err = await t.throwsAsync(
    connectNats({ servers: `nats://127.0.0.1:${port}`, name: 't', inboxPrefix: GATEWAY_INBOX_PREFIX, log }),
  );
  t.true(isKubentlyError(err) && err.code === 'service_unavailable' && err.details?.reason === 'unreachable');
  t.regex(err.message, /is unreachable/);
});

test('nats connect - credentials of another operator are an authorization violation, not an outage', async (t) => {
  const server = await startNats(t);
  const foreign = await createOperatorSetup();
  const { log } = capture();
  const err = await t.throwsAsync(
    connectNats({
      servers: server.url,
      name: 'gateway',
      creds: foreign.creds.gateway,
      inboxPrefix: GATEWAY_INBOX_PREFIX,
      log,
    }),
  );
  t.true(isKubentlyError(err) && err.details?.reason === 'authorization');
  t.regex(err.message, /refused "gateway": authorization violation/);
  t.false(err.message.includes(foreign.creds.gateway.split('\n')[1]!), 'the JWT is not echoed');
});

test('nats connect - reconnects after a server restart, logs it, and JetStream state survives', async (t) => {
  const server = await startNats(t);
  await provision(t, server, ['alpha']);
  const { records, log } = capture();
  const nc = await connectNats({
    servers: server.url,
    name: 'gateway-test',
    creds: server.creds.gateway,
    inboxPrefix: GATEWAY_INBOX_PREFIX,
    log,
  });
  t.teardown(() => nc.close());
  await jetstream(nc).publish(subjects.audit('session_creation'), '{}');

  await server.restart();
  await eventually(t, () => records.some((r) => r.msg === 'nats reconnected'), {
    message: 'the client logged "nats reconnected" after the restart',
  });
  await t.notThrowsAsync(nc.flush());
  const messages = records.map((r) => r.msg);
  t.true(messages.includes('nats disconnected'), JSON.stringify(messages));
  t.true(messages.includes('nats reconnected'), JSON.stringify(messages));

  const admin = await connectNats({
    servers: server.url,
    name: 'admin-test',
    creds: server.creds.admin,
    inboxPrefix: ADMIN_INBOX_PREFIX,
    log,
  });
  t.teardown(() => admin.close());
  t.is((await (await jetstreamManager(admin)).streams.info(AUDIT_STREAM)).state.messages, 1);
});
