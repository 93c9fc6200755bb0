// GET /audit through the real gateway: records the gateway itself published to the audit stream, only the
// caller's own, with query-string filters.

import test from 'ava';
import type { AuditAnswer } from '../common/api-audit.js';
import { eventually } from '../harness/eventually.js';
import { startGatewayStack } from '../harness/gateway.js';

test('audit route - a denied command and a wrong key show up in GET /audit for their owner, filtered and limited', async (t) => {
  const s = await startGatewayStack(t, { audit: 'jetstream', redis: false });
  const exec = (headers: Record<string, string>, command: string) =>
    s.app.inject({
      method: 'POST',
      url: '/debug/execute',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: { cluster_id: 'c1', command },
    });
  t.is((await exec(s.as('alice'), 'get secrets')).statusCode, 403);
  t.is((await exec(s.as('alice'), 'get pods')).statusCode, 200);
  t.is((await exec(s.as('alice'), 'get nodes')).statusCode, 200);
  t.is((await exec({ 'x-api-key': 'not-a-key-not-a-key-not-a-key' }, 'get pods')).statusCode, 401);

  const audit = async (who: 'alice' | 'bob', query: string) => {
    const res = await s.app.inject({ method: 'GET', url: `/audit${query}`, headers: s.as(who) });
    t.is(res.statusCode, 200, res.body);
    return (res.json() as AuditAnswer).entries;
  };
  // command_executed is emitted after the reply: wait until both records are in the stream.
  const executed = await eventually(
    t,
    async () => {
      const records = await audit('alice', '?event_type=command_executed');
      return records.length >= 2 ? records : undefined;
    },
    { message: "both of alice's command_executed records are in the audit stream" },
  );
  t.is(executed.length, 2);
  t.deepEqual(
    executed.map((r) => r.details.argv),
    [
      ['get', 'nodes'],
      ['get', 'pods', '--namespace=default'],
    ],
    'newest first',
  );
  const denied = await audit('alice', '?event_type=unauthorized_command_attempt&cluster_id=c1&limit=5');
  t.is(denied.length, 1);
  t.is(denied[0]!.details.rule, 'secret_forbidden');
  t.is((await audit('alice', '?limit=1')).length, 1);
  t.deepEqual(await audit('bob', ''), [], "another identity sees none of alice's records");
  const bad = await s.app.inject({ method: 'GET', url: '/audit?limit=5000', headers: s.as('alice') });
  t.is(bad.statusCode, 400);
  t.is(bad.json().error, 'bad_request');
});

test('audit route - GET /audit has its own per-identity limit: past it, 429', async (t) => {
  const s = await startGatewayStack(t, {
    audit: 'jetstream',
    redis: false,
    agents: {},
    config: {
      rateLimit: {
        standard: 1_000,
        execute: 1_000,
        sessionCreate: 1_000,
        authFailures: 1_000,
        audit: 2,
        fleetClusters: 1_000,
        windowMs: 60_000,
      },
    },
  });
  const get = (who: 'alice' | 'bob') => s.app.inject({ url: '/audit', headers: s.as(who) });
  t.is((await get('alice')).statusCode, 200);
  t.is((await get('alice')).statusCode, 200);
  const limited = await get('alice');
  t.is(limited.statusCode, 429);
  t.is(limited.json().error, 'rate_limited');
  t.is(limited.headers['x-ratelimit-limit'], '2');
  t.is((await get('bob')).statusCode, 200, 'per identity: another caller still reads');
  // Other routes keep the standard limit.
  t.is((await s.app.inject({ url: '/debug/sessions', headers: s.as('alice') })).statusCode, 200);
});

test("audit route - an admin also sees a wrong key's authentication_failure (no identity); others see only their own", async (t) => {
  const s = await startGatewayStack(t, { audit: 'jetstream', redis: false, agents: {} });
  const wrong = await s.app.inject({
    method: 'GET',
    url: '/clusters',
    headers: { 'x-api-key': 'not-a-key-not-a-key-not-a-key', 'user-agent': 'probe/1' },
  });
  t.is(wrong.statusCode, 401);
  t.is(
    (await s.app.inject({ method: 'GET', url: '/clusters/nope/status', headers: s.as('alice') })).statusCode,
    404,
  );
  const audit = async (who: 'alice' | 'admin', query: string) =>
    ((await s.app.inject({ method: 'GET', url: `/audit${query}`, headers: s.as(who) })).json() as AuditAnswer)
      .entries;
  const failures = await eventually(
    t,
    async () => {
      const entries = await audit('admin', '?event_type=authentication_failure');
      return entries.length > 0 ? entries : undefined;
    },
    { message: 'the authentication_failure record reaches the admin' },
  );
  t.is(failures[0]!.details.user_agent, 'probe/1');
  t.is(failures[0]!.identity, null);
  await eventually(t, async () => (await audit('alice', '?event_type=access_denied')).length === 1, {
    message: "alice's access_denied record is in the stream",
  });
  t.deepEqual(await audit('alice', '?event_type=authentication_failure'), [], 'not for a non-admin');
  t.deepEqual(
    await audit('admin', '?event_type=access_denied'),
    [],
    "not another identity's records, even for an admin",
  );
});
