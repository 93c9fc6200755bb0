import test from 'ava';
import Fastify from 'fastify';
import { errorBodySchema } from '../common/api.js';
import { createAuditEmitter } from '../common/audit/emitter.js';
import { createAuditReader } from '../common/audit/reader.js';
import { installErrorHandlers } from '../gateway/plugins/errors.js';
import { auditRoutes } from '../gateway/routes/audit.js';
import { startAuditBus } from '../harness/audit.js';
import { quietLog } from '../harness/log.js';

const NOW = Date.parse('2024-01-20T12:00:00.000Z');
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

async function buildApp(t: import('ava').ExecutionContext, maxScan?: number) {
  const { js } = await startAuditBus(t);
  const emitter = createAuditEmitter({ js, log: quietLog() });
  const events = [
    {
      event_type: 'session_creation',
      identity: 'alice',
      cluster_id: 'c1',
      session_id: 's1',
      timestamp: at(180),
    },
    {
      event_type: 'command_executed',
      identity: 'alice',
      cluster_id: 'c1',
      session_id: 's1',
      timestamp: at(90),
    },
    {
      event_type: 'command_executed',
      identity: 'bob',
      cluster_id: 'c1',
      session_id: 's2',
      timestamp: at(60),
    },
    { event_type: 'unauthorized_command_attempt', identity: 'alice', cluster_id: 'c2', timestamp: at(30) },
    {
      event_type: 'command_executed',
      identity: 'alice',
      cluster_id: 'c2',
      session_id: 's3',
      timestamp: at(10),
    },
  ] as const;
  for (const e of events) await emitter.record(e);
  const reader = createAuditReader({ js, maxScan });
  const app = Fastify();
  installErrorHandlers(app);
  app.addSchema(errorBodySchema);
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request) => {
    const identity = request.headers['x-test-identity'];
    request.caller =
      typeof identity === 'string'
        ? { identity, groups: [], keyPrefix: 'test...', method: 'api_key', expiresAt: null }
        : null;
  });
  await app.register(auditRoutes, { readAudit: (f) => reader.query(f), now: () => NOW });
  t.teardown(() => app.close());
  return app;
}

async function get(app: Awaited<ReturnType<typeof buildApp>>, url: string, identity = 'alice') {
  const res = await app.inject({ method: 'GET', url, headers: { 'x-test-identity': identity } });
  return { status: res.statusCode, body: res.json() };
}

test("GET /audit - returns only the caller's records, newest first", async (t) => {
  const app = await buildApp(t);
  const { status, body } = await get(app, '/audit');
  t.is(status, 200);
  t.deepEqual(
    body.entries.map((r: { timestamp: string }) => r.timestamp),
    [at(10), at(30), at(90), at(180)],
  );
  t.true(body.entries.every((r: { identity: string }) => r.identity === 'alice'));
  t.like(body, { count: 4, scanned: 5, truncated: false });
  const bob = await get(app, '/audit', 'bob');
  t.deepEqual(
    bob.body.entries.map((r: { session_id: string }) => r.session_id),
    ['s2'],
  );
});

test('GET /audit - filters by event type, cluster, session, since, until and limit', async (t) => {
  const app = await buildApp(t);
  const ids = async (url: string) =>
    (await get(app, url)).body.entries.map((r: { timestamp: string }) => r.timestamp);
  t.deepEqual(await ids('/audit?event_type=command_executed'), [at(10), at(90)]);
  t.deepEqual(await ids('/audit?cluster_id=c2'), [at(10), at(30)]);
  t.deepEqual(await ids('/audit?session_id=s1'), [at(90), at(180)]);
  t.deepEqual(await ids('/audit?since=2h'), [at(10), at(30), at(90)]);
  t.deepEqual(await ids(`/audit?until=${encodeURIComponent(at(30))}`), [at(30), at(90), at(180)]);
  t.deepEqual(await ids('/audit?since=2h&until=20m'), [at(30), at(90)]);
  t.deepEqual(await ids('/audit?since=1h40m&until=0.5h'), [at(30), at(90)], 'Go durations');
  t.deepEqual(await ids('/audit?since=1d'), [at(10), at(30), at(90), at(180)], 'days');
  t.deepEqual(await ids('/audit?limit=1'), [at(10)]);
});

test('GET /audit - rejects bad filters with 400 and unauthenticated calls with 401', async (t) => {
  const app = await buildApp(t);
  t.is((await get(app, '/audit?limit=1001')).status, 400);
  t.is((await get(app, '/audit?event_type=nope')).status, 400);
  t.is((await get(app, '/audit?since=yesterday')).status, 400);
  t.is((await get(app, '/audit?since=5y')).status, 400, 'an unknown unit');
  t.is((await get(app, '/audit?since=999999999999h')).status, 400, 'longer than Go allows');
  t.is((await get(app, '/audit?since=1h&until=2h')).status, 400);
  // Dates Date.parse would roll over or overflow (before: accepted, or a 500 from an invalid Date).
  for (const bad of [
    '2024-02-31',
    '2023-02-29T10:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-01-01T24:30:00Z',
    '2024-01-01T10:60:00Z',
    '2024-13-01',
    '0000-01-01',
    '99999999999d',
  ]) {
    const since = await get(app, `/audit?since=${encodeURIComponent(bad)}`);
    t.is(since.status, 400, bad);
    t.is(since.body.error, 'bad_request', bad);
    t.is((await get(app, `/audit?until=${encodeURIComponent(bad)}`)).status, 400, bad);
  }
  t.is((await get(app, '/audit?since=2024-02-29T10:00:00Z')).status, 200, 'a real leap day');
  const anon = await app.inject({ method: 'GET', url: '/audit' });
  t.is(anon.statusCode, 401);
});

test('GET /audit - says when the scan bound cut the search short', async (t) => {
  const app = await buildApp(t, 2);
  const { body } = await get(app, '/audit');
  t.like(body, { scanned: 2, truncated: true, count: 2 });
});
