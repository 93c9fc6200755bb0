// Clusters onboarded and removed through the API at run time (issue 14): mint → agent connects → first command
// answered → revoke → agent cut off and refused, on one nats-server that is never restarted or reloaded.

import { AuthorizationError } from '@nats-io/nats-core';
import test from 'ava';
import { eventually } from '../harness/eventually.js';
import { startGatewayStack, startTestAgent } from '../harness/gateway.js';
import { connectAs } from '../harness/nats-server.js';

const mint = (
  stack: Awaited<ReturnType<typeof startGatewayStack>>,
  id: string,
  who: 'admin' | 'alice',
  q = '',
) => stack.app.inject({ method: 'POST', url: `/admin/agents/${id}/token${q}`, headers: stack.as(who) });

test('credentials - mint, serve, revoke: the agent is cut off and cannot come back, no server restart', async (t) => {
  const stack = await startGatewayStack(t, { agents: {}, credentials: true, redis: false });
  const pid = stack.server.pid();
  const at: Record<string, number> = { start: Date.now() };

  const minted = await mint(stack, 'fresh', 'admin');
  at.minted = Date.now();
  t.is(minted.statusCode, 201, minted.body);
  t.is(minted.headers['cache-control'], 'no-store');
  const body = minted.json<{
    token: string;
    clusterId: string;
    createdAt: string;
    expiresAt: string | null;
  }>();
  t.is(body.clusterId, 'fresh');
  t.regex(body.token, /-----BEGIN NATS USER JWT-----[\s\S]+-----BEGIN USER NKEY SEED-----/);
  t.true(Date.parse(body.expiresAt ?? '') > Date.parse(body.createdAt));

  const agent = await startTestAgent(t, stack.server, 'fresh', 'answer', 'fresh-0', body.token);
  await eventually(t, () => stack.tracker.isConnected('fresh'), { message: 'the gateway sees the agent' });
  at.connected = Date.now();
  const res = await stack.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: stack.as('admin'),
    payload: { cluster_id: 'fresh', command: 'get pods' },
  });
  at.answered = Date.now();
  t.is(res.statusCode, 200, res.body);
  t.is(res.json<{ output: string }>().output, 'ok get pods --namespace=default');

  const closed = agent.nc.closed();
  const revoked = await stack.app.inject({
    method: 'DELETE',
    url: '/admin/agents/fresh/token',
    headers: stack.as('admin'),
  });
  at.revoked = Date.now();
  t.is(revoked.statusCode, 204, revoked.body);
  const why = await closed;
  at.cutOff = Date.now();
  t.truthy(why, 'the server closed the revoked connection');
  await t.throwsAsync(connectAs(t, stack.server, { agent: 'fresh' }, { creds: body.token }), {
    instanceOf: AuthorizationError,
  });
  t.is(stack.server.pid(), pid, 'the same nats-server process throughout');
  t.log(
    `timeline ms: mint ${at.minted! - at.start!}, agent connected +${at.connected! - at.minted!}, ` +
      `first command answered +${at.answered! - at.connected!}, revoke answered +${at.revoked! - at.answered!}, ` +
      `agent cut off +${at.cutOff! - at.revoked!}`,
  );
  const again = await stack.app.inject({
    method: 'DELETE',
    url: '/admin/agents/fresh/token',
    headers: stack.as('admin'),
  });
  t.is(again.statusCode, 404);
});

test('credentials - only admins mint; a second mint is 409 unless ?rotate=true, which keeps the old one for the overlap', async (t) => {
  const stack = await startGatewayStack(t, {
    agents: {},
    credentials: true,
    redis: false,
    config: {
      credentials: {
        signingKey: undefined,
        signingKeyFile: undefined,
        ttlSeconds: 3600,
        rotateOverlapSeconds: 1,
      },
    },
  });
  const denied = await mint(stack, 'edge', 'alice');
  t.is(denied.statusCode, 403);
  t.is(denied.json<{ error: string }>().error, 'forbidden');
  const bad = await mint(stack, 'Not_A_Label', 'admin');
  t.is(bad.statusCode, 400);

  const first = await mint(stack, 'edge', 'admin');
  t.is(first.statusCode, 201);
  const conflict = await mint(stack, 'edge', 'admin');
  t.is(conflict.statusCode, 409);
  t.is(conflict.json<{ error: string }>().error, 'conflict');

  const old = first.json<{ token: string }>().token;
  const oldConn = await connectAs(t, stack.server, { agent: 'edge' }, { creds: old });
  const rotated = await mint(stack, 'edge', 'admin', '?rotate=true');
  t.is(rotated.statusCode, 201, rotated.body);
  const next = rotated.json<{ token: string; previousValidUntil: string }>();
  t.not(next.token, old);
  t.truthy(next.previousValidUntil);
  // During the overlap both work; afterwards the old one is revoked and its connection closed.
  const newConn = await connectAs(t, stack.server, { agent: 'edge' }, { creds: next.token });
  await oldConn.closed();
  await t.throwsAsync(connectAs(t, stack.server, { agent: 'edge' }, { creds: old }), {
    instanceOf: AuthorizationError,
  });
  t.false(newConn.isClosed(), 'the new credential is unaffected');
});

test('credentials - without an operator signing key the routes answer 503, not a stack trace', async (t) => {
  const stack = await startGatewayStack(t, { agents: {}, redis: false });
  const res = await mint(stack, 'edge', 'admin');
  t.is(res.statusCode, 503);
  t.regex(res.json<{ message: string }>().message, /not configured/);
});
