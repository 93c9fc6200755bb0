import test from 'ava';
import { eventually } from '../harness/eventually.js';
import { startGatewayStack } from '../harness/gateway.js';
import { spawnRedisServer } from '../harness/redis-server.js';

test('sessions - create, read, list and end a session; creation and termination are audited', async (t) => {
  const s = await startGatewayStack(t, { agents: {} });
  const created = await s.app.inject({
    method: 'POST',
    url: '/debug/session',
    payload: { cluster_id: 'c1', user_id: 'u-1', correlation_id: 'corr-9', ttl_seconds: 600 },
    headers: s.as('alice'),
  });
  t.is(created.statusCode, 201, created.body);
  const body = created.json();
  t.deepEqual(Object.keys(body).sort(), [
    'cluster_id',
    'commands_executed',
    'correlation_id',
    'created_at',
    'expires_at',
    'last_activity',
    'session_id',
    'status',
    'ttl_seconds',
    'user_id',
  ]);
  t.like(body, {
    cluster_id: 'c1',
    status: 'active',
    ttl_seconds: 600,
    user_id: 'u-1',
    correlation_id: 'corr-9',
    commands_executed: 0,
  });
  t.is(Date.parse(body.expires_at) - Date.parse(body.created_at), 600_000);

  const read = await s.app.inject({
    method: 'GET',
    url: `/debug/session/${body.session_id}`,
    headers: s.as('alice'),
  });
  t.deepEqual(read.json(), body);
  const list = await s.app.inject({ method: 'GET', url: '/debug/sessions', headers: s.as('alice') });
  t.deepEqual(list.json(), { sessions: [body] });
  const bobList = await s.app.inject({ method: 'GET', url: '/debug/sessions', headers: s.as('bob') });
  t.deepEqual(bobList.json(), { sessions: [] });

  const ended = await s.app.inject({
    method: 'DELETE',
    url: `/debug/session/${body.session_id}`,
    headers: s.as('alice'),
  });
  t.is(ended.statusCode, 204);
  t.is(ended.body, '');
  const gone = await s.app.inject({
    method: 'GET',
    url: `/debug/session/${body.session_id}`,
    headers: s.as('alice'),
  });
  t.is(gone.statusCode, 404);

  t.like(s.captured.of('session_creation')[0], {
    identity: 'alice',
    cluster_id: 'c1',
    session_id: body.session_id,
  });
  t.like(s.captured.of('session_termination')[0], { identity: 'alice', session_id: body.session_id });
});

test("sessions - another identity's session answers 404 exactly like an unknown one", async (t) => {
  const s = await startGatewayStack(t, { agents: {} });
  const id = (
    await s.app.inject({
      method: 'POST',
      url: '/debug/session',
      payload: { cluster_id: 'c2' },
      headers: s.as('alice'),
    })
  ).json().session_id;
  const unknown = await s.app.inject({
    method: 'GET',
    url: '/debug/session/0f0e0d0c-0000-4000-8000-000000000000',
    headers: s.as('bob'),
  });
  for (const method of ['GET', 'DELETE'] as const) {
    const res = await s.app.inject({ method, url: `/debug/session/${id}`, headers: s.as('bob') });
    t.is(res.statusCode, 404);
    t.deepEqual(res.json(), unknown.json());
  }
  t.is(
    (await s.app.inject({ method: 'GET', url: `/debug/session/${id}`, headers: s.as('alice') })).statusCode,
    200,
  );
});

test('sessions - refuses a cluster the caller may not use, a TTL above the maximum and unknown fields', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: {} });
  const post = (payload: object) =>
    s.app.inject({ method: 'POST', url: '/debug/session', payload, headers: s.as('bob') });
  t.is((await post({ cluster_id: 'c1' })).statusCode, 404);
  t.is((await post({ cluster_id: 'c2', ttl_seconds: 3601 })).statusCode, 400);
  t.is((await post({ cluster_id: 'c2', owner: 'alice' })).statusCode, 400);
  t.is((await post({ cluster_id: 'c2' })).statusCode, 201);
});

test('sessions - answer 503 while Redis is away and recover when it is back, without a gateway restart', async (t) => {
  const redis = await spawnRedisServer();
  t.teardown(() => redis.stop());
  const s = await startGatewayStack(t, { agents: {}, redis: { url: redis.url } });
  const create = () =>
    s.app.inject({
      method: 'POST',
      url: '/debug/session',
      payload: { cluster_id: 'c1' },
      headers: s.as('alice'),
    });
  t.is((await create()).statusCode, 201);

  await redis.stop();
  await eventually(t, () => s.redis!.status !== 'ready', { message: 'the gateway noticed Redis is gone' });
  const down = await create();
  t.is(down.statusCode, 503);
  t.deepEqual(down.json(), { error: 'service_unavailable', message: 'the session store is unavailable' });
  const list = await s.app.inject({ method: 'GET', url: '/debug/sessions', headers: s.as('alice') });
  t.is(list.statusCode, 503);
  const ready = await s.app.inject({ method: 'GET', url: '/readyz' });
  t.is(ready.statusCode, 503);
  t.is(ready.json().details.checks.redis, 'unavailable');

  await redis.start();
  await eventually(t, () => s.redis!.status === 'ready', { message: 'the gateway reconnected to Redis' });
  t.is((await create()).statusCode, 201);
  t.is((await s.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
});
