// agent_connection_failure comes from the server's own advisories, read by the audit identity.

import { AuthorizationError } from '@nats-io/nats-core';
import test, { type ExecutionContext } from 'ava';
import { type ConnectionEvent, watchAgentConnections } from '../common/nats-sys-events.js';
import { eventually } from '../harness/eventually.js';
import { connectAs, randomToken, startNats } from '../harness/nats-server.js';

/** The events the watcher reported, and a wait for the first that matches. */
function collect(t: ExecutionContext): {
  events: ConnectionEvent[];
  waitFor: (pred: (e: ConnectionEvent) => boolean, what: string) => Promise<ConnectionEvent>;
  push: (e: ConnectionEvent) => void;
} {
  const events: ConnectionEvent[] = [];
  return {
    events,
    push: (e) => void events.push(e),
    waitFor: (pred, what) =>
      eventually(t, () => events.find(pred), { message: `${what} among ${JSON.stringify(events)}` }),
  };
}

test('nats sys events - an agent connect and disconnect are reported with its cluster id', async (t) => {
  const server = await startNats(t, { agentTokens: { alpha: randomToken() } });
  const audit = await connectAs(t, server, 'audit');
  const seen = collect(t);
  const watch = watchAgentConnections(audit, seen.push);
  t.teardown(watch.stop);
  await watch.ready;

  const alpha = await connectAs(t, server, { agent: 'alpha' });
  const connected = await seen.waitFor(
    (e) => e.kind === 'connect' && e.clusterId === 'alpha',
    'a connect of alpha',
  );
  t.like(connected, { user: 'agent-alpha', remote: '127.0.0.1' });
  await alpha.close();
  const gone = await seen.waitFor(
    (e) => e.kind === 'disconnect' && e.clusterId === 'alpha',
    'a disconnect of alpha',
  );
  t.is(gone.reason, 'Client Closed');
});

test('nats sys events - a wrong agent token is reported as an auth_error naming the cluster', async (t) => {
  const server = await startNats(t, { agentTokens: { alpha: randomToken() } });
  const audit = await connectAs(t, server, 'audit');
  const seen = collect(t);
  const watch = watchAgentConnections(audit, seen.push);
  t.teardown(watch.stop);
  await watch.ready;

  await t.throwsAsync(connectAs(t, server, { agent: 'alpha' }, { pass: randomToken() }), {
    instanceOf: AuthorizationError,
  });
  const failure = await seen.waitFor((e) => e.kind === 'auth_error', 'an auth_error');
  t.like(failure, {
    clusterId: 'alpha',
    user: 'agent-alpha',
    reason: 'Authentication Failure',
    remote: '127.0.0.1',
  });
  t.false(seen.events.some((e) => e.kind === 'connect' && e.clusterId === 'alpha'));
});

test('nats sys events - only the audit identity may watch connection events', async (t) => {
  const server = await startNats(t, { agentTokens: { alpha: randomToken() } });
  const gateway = await connectAs(t, server, 'gateway');
  const watch = watchAgentConnections(gateway, () => t.fail('the gateway received a system event'));
  t.teardown(watch.stop);
  const errors: string[] = [];
  const statuses = (async () => {
    for await (const s of gateway.status()) {
      if (s.type === 'error') errors.push(s.error.message);
      if (errors.length === 3) return;
    }
  })();
  await watch.ready;
  await statuses;
  t.deepEqual(errors.sort(), [
    'Permissions Violation for Subscription to "$SYS.ACCOUNT.KUBENTLY.CONNECT"',
    'Permissions Violation for Subscription to "$SYS.ACCOUNT.KUBENTLY.DISCONNECT"',
    'Permissions Violation for Subscription to "$SYS.SERVER.*.CLIENT.AUTH.ERR"',
  ]);
  const alpha = await connectAs(t, server, { agent: 'alpha' });
  await alpha.close();
  await gateway.flush();
});
