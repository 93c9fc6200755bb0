// Event subscribers (issue 14): minted through the API, they read the audit stream through their own durable
// consumer and can do nothing else; the forwarder in docs/examples is the program the documentation shows.

import { jetstreamManager } from '@nats-io/jetstream';
import { AuthorizationError } from '@nats-io/nats-core';
import test from 'ava';
import { AUDIT_STREAM, subjects } from '../common/subjects.js';
import { startForwarder } from '../docs/examples/audit-forwarder.js';
import { eventually } from '../harness/eventually.js';
import { startGatewayStack } from '../harness/gateway.js';
import { connectAs } from '../harness/nats-server.js';

test('subscriber - minted through the API, the documented forwarder receives new audit records and acks them', async (t) => {
  const stack = await startGatewayStack(t, { agents: {}, credentials: true, redis: false });
  const res = await stack.app.inject({
    method: 'POST',
    url: '/admin/subscribers/siem/token',
    headers: stack.as('admin'),
  });
  t.is(res.statusCode, 201, res.body);
  const body = res.json<{ token: string; stream: string; consumer: string; api_prefix: string }>();
  t.like(body, { stream: AUDIT_STREAM, consumer: 'sub-siem', api_prefix: 'KUBENTLY.API' });

  const forwarded: Record<string, unknown>[] = [];
  const forwarder = await startForwarder({
    servers: stack.server.url,
    token: body.token,
    stream: body.stream,
    consumer: body.consumer,
    apiPrefix: body.api_prefix,
    forward: async (r) => void forwarded.push(r),
  });
  await stack.js.publish(
    subjects.audit('session_creation'),
    JSON.stringify({ event_type: 'session_creation' }),
  );
  await eventually(t, () => forwarded.length === 1, {
    message: 'the expected heartbeat or record arrived',
    timeoutMs: 15_000,
  });
  t.is(forwarded[0]!.event_type, 'session_creation');
  const admin = await connectAs(t, stack.server, 'admin');
  const info = await (await jetstreamManager(admin)).consumers.info(AUDIT_STREAM, 'sub-siem');
  t.is(info.num_pending, 0, 'delivered through its own consumer');

  // Read-only: it cannot publish an audit record (the permission error closes nothing; the stream is unchanged).
  const nc = await connectAs(t, stack.server, { subscriber: 'siem' }, { creds: body.token });
  const before = (await (await jetstreamManager(admin)).streams.info(AUDIT_STREAM)).state.messages;
  nc.publish(subjects.audit('command_executed'), '{}');
  await nc.flush();
  await stack.js.publish(subjects.audit('session_creation'), '{}');
  await eventually(t, () => forwarded.length === 2, {
    message: 'the expected heartbeat or record arrived',
    timeoutMs: 15_000,
  });
  t.is((await (await jetstreamManager(admin)).streams.info(AUDIT_STREAM)).state.messages, before + 1);
  await forwarder.stop();

  const revoked = await stack.app.inject({
    method: 'DELETE',
    url: '/admin/subscribers/siem/token',
    headers: stack.as('admin'),
  });
  t.is(revoked.statusCode, 204);
  await nc.closed();
  await t.throwsAsync(connectAs(t, stack.server, { subscriber: 'siem' }, { creds: body.token }), {
    instanceOf: AuthorizationError,
  });
});
