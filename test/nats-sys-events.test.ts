// agent_connection_failure comes from the server's own advisories, read by the audit identity.

import { AuthorizationError } from '@nats-io/nats-core';
import test, { type ExecutionContext } from 'ava';
import { createOperatorSetup } from '../common/nats-auth/setup.js';
import { type ConnectionEvent, watchAgentConnections } from '../common/nats-sys-events.js';
import { eventually } from '../harness/eventually.js';
import { connectAs, startNats } from '../harness/nats-server.js';

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

test('nats sys events - an agent connect and disconnect are reported with the cluster id of its verified credential', async (t) => {
  const server = await startNats(t, { clusters: ['alpha'] });
  const audit = await connectAs(t, server, 'audit');
  const seen = collect(t);
  const watch = watchAgentConnections(audit, seen.push);
  t.teardown(watch.stop);
  await watch.ready;

  // The client-chosen connection name plays no part: the cluster comes from the signed user JWT.
  const alpha = await connectAs(t, server, { agent: 'alpha' }, { name: 'agent-beta' });
  const connected = await seen.waitFor(
    (e) => e.kind === 'connect' && e.clusterId === 'alpha',
    'a connect of alpha',
  );
  t.like(connected, { remote: '127.0.0.1' });
  t.regex(connected.account ?? '', /^A[A-Z2-7]{55}$/);
  await alpha.close();
  const gone = await seen.waitFor(
    (e) => e.kind === 'disconnect' && e.clusterId === 'alpha',
    'a disconnect of alpha',
  );
  t.is(gone.reason, 'Client Closed');
});

test('nats sys events - a credential of another operator is an auth_error that names no cluster', async (t) => {
  const server = await startNats(t, { clusters: ['alpha'] });
  const audit = await connectAs(t, server, 'audit');
  const seen = collect(t);
  const watch = watchAgentConnections(audit, seen.push);
  t.teardown(watch.stop);
  await watch.ready;

  // A well-formed agent-alpha credential, signed by an operator this server does not trust.
  const foreign = await createOperatorSetup({ clusters: ['alpha'] });
  await t.throwsAsync(connectAs(t, server, { agent: 'alpha' }, { creds: foreign.agentCreds.alpha }), {
    instanceOf: AuthorizationError,
  });
  const failure = await seen.waitFor((e) => e.kind === 'auth_error', 'an auth_error');
  t.like(failure, { reason: 'Authentication Failure', remote: '127.0.0.1' });
  t.is(failure.clusterId, undefined, "a failed login's claims are the client's own word");
  t.false(seen.events.some((e) => e.kind === 'connect' && e.clusterId === 'alpha'));
});

test('nats sys events - only the audit identity sees connection events', async (t) => {
  const server = await startNats(t, { clusters: ['alpha'] });
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
    'Permissions Violation for Subscription to "$SYS.ACCOUNT.*.CONNECT"',
    'Permissions Violation for Subscription to "$SYS.ACCOUNT.*.DISCONNECT"',
    'Permissions Violation for Subscription to "$SYS.SERVER.*.CLIENT.AUTH.ERR"',
  ]);
  const alpha = await connectAs(t, server, { agent: 'alpha' });
  await alpha.close();
  await gateway.flush();
});
