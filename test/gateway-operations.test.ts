import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import test from 'ava';
import { startMetricsServer } from '../common/metrics-server.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';
import { quietLog } from '../harness/log.js';

test('operations - liveness and readiness need no key; readiness names what is down', async (t) => {
  let natsUp = true;
  const s = await startGatewayStack(t, {
    redis: false,
    agents: {},
    health: {
      nats: async () => {
        if (!natsUp) throw new Error('down');
      },
    },
  });
  for (const url of ['/health', '/healthz'])
    t.deepEqual((await s.app.inject({ url })).json(), { status: 'ok' });
  const ready = await s.app.inject({ url: '/readyz' });
  t.is(ready.statusCode, 200);
  t.deepEqual(ready.json(), { status: 'ready', checks: { nats: 'ok' } });
  natsUp = false;
  const notReady = await s.app.inject({ url: '/readyz' });
  t.is(notReady.statusCode, 503);
  t.deepEqual(notReady.json(), {
    error: 'service_unavailable',
    message: 'not ready: nats',
    details: { checks: { nats: 'unavailable' } },
  });
});

test('operations - metrics are served on their own port, not on the API the Ingress routes', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: { c1: 'answer' } });
  await s.app.inject({ url: '/debug/sessions', headers: s.as('alice') });
  // On the API port /metrics is an unknown route, with or without a key: no cluster names, no counts.
  for (const headers of [{}, s.as('alice'), s.as('admin')]) {
    const res = await s.app.inject({ url: '/metrics', headers });
    t.is(res.statusCode, 404);
    t.deepEqual(res.json(), { error: 'not_found', message: 'no route GET /metrics' });
    t.notRegex(res.body, /kubently_/);
  }
  const metrics = await startMetricsServer({
    registry: s.registry,
    host: '127.0.0.1',
    port: 0,
    log: quietLog(),
  });
  t.teardown(() => metrics.close());
  const base = `http://127.0.0.1:${metrics.port}`;
  const res = await fetch(`${base}/metrics`);
  t.is(res.status, 200);
  const body = await res.text();
  t.regex(body, /kubently_http_requests_total\{method="GET",route="\/debug\/sessions",status_code="200"\} 1/);
  t.regex(body, /kubently_gateway_agent_connected\{cluster_id="c1"\} 1/);
  t.is((await fetch(`${base}/debug/sessions`)).status, 404, 'the metrics port serves nothing else');
});

test('operations - OpenAPI document and docs are served from the route schemas, offline', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: {} });
  const doc = (await s.app.inject({ url: '/openapi.json' })).json();
  t.is(doc.openapi.slice(0, 2), '3.');
  for (const path of [
    '/debug/execute',
    '/debug/session',
    '/debug/session/{id}',
    '/debug/result/{id}',
    '/clusters',
    '/admin/agents',
  ]) {
    t.truthy(doc.paths[path], path);
  }
  t.is(
    doc.paths['/debug/execute'].post.requestBody.content['application/json'].schema.additionalProperties,
    false,
  );
  t.is((await s.app.inject({ url: '/docs/' })).statusCode, 200);
  const bundle = await s.app.inject({ url: '/docs/static/swagger-ui-bundle.js' });
  t.is(bundle.statusCode, 200);
  t.true(bundle.body.length > 100_000);
});

test('operations - request ids are echoed when valid and generated otherwise', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: {} });
  t.is(
    (await s.app.inject({ url: '/health', headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id'],
    'abc-123',
  );
  const generated = (await s.app.inject({ url: '/health', headers: { 'x-request-id': 'bad id\u0001' } }))
    .headers['x-request-id'];
  t.regex(String(generated), /^[0-9a-f-]{36}$/);
});

test('operations - oversized bodies and unknown routes keep the error shape', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: {}, config: { bodyLimitBytes: 1024 } });
  const big = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: s.as('alice'),
    payload: { cluster_id: 'c1', command: `get pods ${'x'.repeat(2_000)}` },
  });
  t.is(big.statusCode, 413);
  t.deepEqual(big.json(), { error: 'payload_too_large', message: 'request body too large' });
  const missing = await s.app.inject({ url: '/nope', headers: s.as('alice') });
  t.is(missing.statusCode, 404);
  t.is(missing.json().error, 'not_found');
});

test('operations - an unexpected error answers 500 with a generic message and no stack', async (t) => {
  const s = await startGatewayStack(t, {
    redis: false,
    agents: {},
    sessions: {
      kind: 'memory',
      create: async () => {
        throw new Error('secret internal detail at /etc/passwd');
      },
      get: async () => null,
      touch: async () => null,
      delete: async () => null,
      list: async () => [],
      ping: async () => {},
      close: async () => {},
    },
  });
  const res = await s.app.inject({
    method: 'POST',
    url: '/debug/session',
    payload: { cluster_id: 'c1' },
    headers: s.as('alice'),
  });
  t.is(res.statusCode, 500);
  t.deepEqual(res.json(), { error: 'internal_error', message: 'internal error' });
});

test('rate limits - answer 429 with Retry-After and X-RateLimit headers per identity, and audit it', async (t) => {
  const s = await startGatewayStack(t, {
    agents: {},
    config: {
      rateLimit: {
        standard: 3,
        execute: 2,
        sessionCreate: 1,
        authFailures: 20,
        audit: 20,
        fleetClusters: 20,
        windowMs: 60_000,
      },
    },
  });
  const list = (who: 'alice' | 'bob') => s.app.inject({ url: '/debug/sessions', headers: s.as(who) });
  for (let i = 0; i < 3; i++) t.is((await list('alice')).statusCode, 200);
  const limited = await list('alice');
  t.is(limited.statusCode, 429);
  t.is(limited.json().error, 'rate_limited');
  t.truthy(limited.headers['retry-after']);
  t.is(limited.headers['x-ratelimit-limit'], '3');
  t.is(limited.headers['x-ratelimit-remaining'], '0');
  t.truthy(limited.headers['x-ratelimit-reset']);
  t.is((await list('bob')).statusCode, 200, 'keyed by identity, not by address');
  const post = () =>
    s.app.inject({
      method: 'POST',
      url: '/debug/session',
      payload: { cluster_id: 'c2' },
      headers: s.as('bob'),
    });
  t.is((await post()).statusCode, 201);
  t.is((await post()).statusCode, 429);
  t.like(s.captured.of('rate_limit_exceeded')[0], { identity: 'alice' });
  // The counters live in Redis, shared by every gateway replica.
  t.true((await s.redis!.keys(`${s.prefix}ratelimit:*`)).length > 0);
});

test("clusters - list only the caller's clusters; admin routes require an admin identity", async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: { c1: 'answer' } });
  const alice = (await s.app.inject({ url: '/clusters', headers: s.as('alice') })).json();
  t.deepEqual(
    alice.clusters.map((c: { cluster_id: string }) => c.cluster_id),
    ['c1', 'c2'],
  );
  t.like(alice.clusters[0], { cluster_id: 'c1', connected: true, agents: 1 });
  t.like(alice.clusters[1], { cluster_id: 'c2', connected: false, last_seen: null, agents: 0 });
  const bob = (await s.app.inject({ url: '/clusters', headers: s.as('bob') })).json();
  t.deepEqual(
    bob.clusters.map((c: { cluster_id: string }) => c.cluster_id),
    ['c2'],
  );

  const status = await s.app.inject({ url: '/clusters/c1/status', headers: s.as('alice') });
  t.like(status.json(), { cluster_id: 'c1', connected: true });
  t.like(status.json().agents[0], {
    agent_id: 'agent-c1-0',
    version: 'test',
    policy_preset: 'readOnly',
    in_flight: 0,
  });
  const hidden = await s.app.inject({ url: '/clusters/c1/status', headers: s.as('bob') });
  const unknown = await s.app.inject({ url: '/clusters/zz/status', headers: s.as('bob') });
  t.is(hidden.statusCode, 404);
  t.deepEqual(hidden.json(), unknown.json());

  t.is((await s.app.inject({ url: '/admin/agents', headers: s.as('alice') })).statusCode, 403);
  const agents = await s.app.inject({ url: '/admin/agents', headers: s.as('admin') });
  t.is(agents.statusCode, 200);
  t.is(agents.json().agents[0].agent_id, 'agent-c1-0');
  // Keyed by cluster id (upstream's `kubently cluster status <cluster>`), its agents inside.
  t.like((await s.app.inject({ url: '/admin/agents/c1/status', headers: s.as('admin') })).json(), {
    id: 'c1',
    connected: true,
    agents: [{ agent_id: 'agent-c1-0' }],
  });
  t.is((await s.app.inject({ url: '/admin/agents/nope/status', headers: s.as('admin') })).statusCode, 404);
});

/** Writes raw bytes to a listening gateway and resolves with everything it answers before closing. */
function rawExchange(port: number, chunks: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString('utf8');
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', (err) => (answer ? resolve(answer) : reject(err)));
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

function parseRaw(answer: string): { status: number; body: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) };
}

test('operations - a slow request body times out with 408; Node-level 400 and 431 keep the error shape', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: {}, config: { requestTimeoutMs: 1_000 } });
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = s.app.server.address() as AddressInfo;

  // Headers complete, body promised but never sent: the request deadline ends it (before: held forever).
  const slow = parseRaw(
    await rawExchange(port, [
      `POST /debug/execute HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEYS.alice}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"clus`,
    ]),
  );
  t.deepEqual(slow, {
    status: 408,
    body: { error: 'request_timeout', message: 'the request did not arrive in time' },
  });

  const malformed = parseRaw(await rawExchange(port, ['GET /health HTTP/1.1\r\nHost x\r\n\r\n']));
  t.deepEqual(malformed, { status: 400, body: { error: 'bad_request', message: 'malformed HTTP request' } });

  const huge = parseRaw(
    await rawExchange(port, [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]),
  );
  t.deepEqual(huge, {
    status: 431,
    body: { error: 'headers_too_large', message: 'request headers too large' },
  });
});
