// Requests as real HTTP clients send them: `Content-Type: application/json` with no body on routes that take
// none (axios, upstream Kubently's CLI), unknown routes with any body, and JSON that is valid but carries a
// prototype key.

import test, { type ExecutionContext } from 'ava';
import Fastify, { type FastifyInstance } from 'fastify';
import { errorBodySchema } from '../common/api.js';
import { installErrorHandlers } from '../gateway/plugins/errors.js';
import { installJsonBodyParser, prototypeKeyPath } from '../gateway/plugins/json-body.js';
import { type GatewayStack, KEYS, startGatewayStack } from '../harness/gateway.js';

const JSON_NO_BODY = { 'content-type': 'application/json', 'x-api-key': KEYS.alice };

// One gateway (and nats-server) for the file: every test only sends requests. ava allows no t.teardown() in
// hooks, so the helpers' teardowns are collected and run after all tests.
let shared: GatewayStack | undefined;
const teardowns: Array<() => unknown> = [];
test.before(async () => {
  const hook = { teardown: (fn: () => unknown) => void teardowns.push(fn) } as unknown as ExecutionContext;
  shared = await startGatewayStack(hook, { redis: false });
});
test.after.always(async () => {
  for (const fn of teardowns.reverse()) await fn();
});
function gateway(): GatewayStack {
  if (!shared) throw new Error('the gateway did not start');
  return shared;
}

const execute = (app: FastifyInstance, payload: string) =>
  app.inject({ method: 'POST', url: '/debug/execute', headers: JSON_NO_BODY, payload });

test('json body - Content-Type: application/json with no body is accepted where the route takes none', async (t) => {
  const { app } = gateway();
  const created = await app.inject({
    method: 'POST',
    url: '/debug/session',
    headers: JSON_NO_BODY,
    payload: JSON.stringify({ cluster_id: 'c1' }),
  });
  t.is(created.statusCode, 201);
  const id = created.json().session_id;
  for (const [method, url] of [
    ['GET', '/debug/sessions'],
    ['GET', `/debug/session/${id}`],
    ['GET', '/clusters'],
    ['DELETE', `/debug/session/${id}`],
  ] as const) {
    // Exactly what axios writes for a bodyless call made with a JSON default header.
    const res = await app.inject({ method, url, headers: { ...JSON_NO_BODY, 'content-length': '0' } });
    t.true(res.statusCode < 300, `${method} ${url} answered ${res.statusCode}: ${res.body}`);
  }
});

test('json body - a route that requires a body says which fields it takes when the body is empty', async (t) => {
  const { app } = gateway();
  for (const url of ['/debug/session', '/debug/execute']) {
    const res = await app.inject({ method: 'POST', url, headers: JSON_NO_BODY, payload: '' });
    t.is(res.statusCode, 400);
    t.like(res.json(), { error: 'bad_request' });
    t.regex(res.json().message, /^request body is empty: this route takes a JSON object with cluster_id/);
  }
});

test('json body - an unknown route answers 404 whatever its body or media type', async (t) => {
  const { app } = gateway();
  const cases = [
    { method: 'POST', headers: JSON_NO_BODY, payload: '' },
    { method: 'POST', headers: JSON_NO_BODY, payload: '{not json' },
    { method: 'POST', headers: JSON_NO_BODY, payload: '{"__proto__":{}}' },
    { method: 'PUT', headers: { ...JSON_NO_BODY, 'content-type': 'text/plain' }, payload: 'hello' },
    { method: 'DELETE', headers: JSON_NO_BODY, payload: '' },
    { method: 'PATCH', headers: { ...JSON_NO_BODY, 'content-type': 'no/such;;type' }, payload: 'x' },
  ] as const;
  for (const c of cases) {
    const res = await app.inject({
      method: c.method,
      url: '/admin/nowhere',
      headers: c.headers,
      payload: c.payload,
    });
    t.is(res.statusCode, 404, `${c.method} ${JSON.stringify(c.payload)}`);
    t.deepEqual(res.json(), { error: 'not_found', message: `no route ${c.method} /admin/nowhere` });
  }
});

test('json body - a __proto__ key is refused with a message that says so, however it is spelled', async (t) => {
  const { app } = gateway();
  const bodies = [
    ['{"cluster_id":"c1","command":"get pods","__proto__":{"admin":true}}', '/__proto__'],
    ['{"cluster_id":"c1","command":"get pods","\\u005f\\u005fproto__":{"admin":true}}', '/__proto__'],
    ['{"cluster_id":"c1","args":[{"x":{"__proto__":1}}],"command_type":"get"}', '/args/0/x/__proto__'],
    [
      '{"cluster_id":"c1","command":"get pods","constructor":{"prototype":{"x":1}}}',
      '/constructor/prototype',
    ],
  ] as const;
  for (const [payload, path] of bodies) {
    const res = await execute(app, payload);
    t.is(res.statusCode, 400, payload);
    const body = res.json();
    t.is(body.error, 'bad_request');
    t.is(body.message, `the key "${path.split('/').at(-1)}" is refused at ${path}`);
    t.notRegex(body.message, /not valid JSON/);
    t.is(body.details.path, path);
  }
  // A `constructor` key without a prototype inside is an ordinary (here: unknown) field.
  const plain = await execute(app, '{"cluster_id":"c1","command":"get pods","constructor":1}');
  t.is(plain.statusCode, 400);
  t.regex(plain.json().message, /must NOT have additional properties|constructor/);
});

test('json body - invalid JSON is still called invalid', async (t) => {
  const { app } = gateway();
  const res = await execute(app, '{"cluster_id":');
  t.is(res.statusCode, 400);
  t.is(res.json().message, 'request body is not valid JSON');
});

test('json body - an optional body may be left out with the JSON header (the token routes of upstream CLI)', async (t) => {
  const app = Fastify();
  installErrorHandlers(app);
  installJsonBodyParser(app);
  app.addSchema(errorBodySchema);
  app.post(
    '/admin/agents/:cluster/token',
    {
      schema: {
        body: { type: 'object', additionalProperties: false, properties: { token: { type: 'string' } } },
      },
    },
    async (request) => ({ body: request.body }),
  );
  t.teardown(() => app.close());
  const empty = await app.inject({
    method: 'POST',
    url: '/admin/agents/c1/token',
    headers: { 'content-type': 'application/json' },
  });
  t.is(empty.statusCode, 200, empty.body);
  t.deepEqual(empty.json(), { body: {} });
  const given = await app.inject({
    method: 'POST',
    url: '/admin/agents/c1/token',
    headers: { 'content-type': 'application/json' },
    payload: '{"token":"t"}',
  });
  t.deepEqual(given.json(), { body: { token: 't' } });
});

test('json body - the prototype key walk is iterative: a deeply nested document does not exhaust the stack', (t) => {
  const depth = 200_000;
  const deep = JSON.parse(`${'['.repeat(depth)}{"__proto__":1}${']'.repeat(depth)}`);
  t.is(prototypeKeyPath(deep)?.endsWith('/0/__proto__'), true);
  t.is(prototypeKeyPath(JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`)), null);
});
