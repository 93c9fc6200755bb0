// Bad input over HTTP against the real gateway (real NATS, test agents that answer): malformed and
// hostile requests get a 4xx with the documented error shape — never a 5xx, a hang or a stack trace.
// 10,000 generated requests go through app.inject (fast); a sample goes over a real socket.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES } from '../common/errors.js';
import { NO_RATE_LIMIT } from '../gateway/config.js';
import { type GatewayStack, KEYS, startGatewayStack } from '../harness/gateway.js';
import { standInContext } from '../harness/stand-in-context.js';

const ANSWER_TIMEOUT_MS = 5_000;
const KEY = KEYS.alice;

interface Answer {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

// One gateway (and nats-server) for the whole file, also listening on a real port: every test only sends requests.
let shared: { stack: GatewayStack; port: number } | undefined;

// ava allows no t.teardown() in hooks: the helpers' teardowns are collected here and run after all tests.
const { t: hookContext, runTeardowns } = standInContext();

test.after.always(runTeardowns);

test.before(async () => {
  const s = await startGatewayStack(hookContext, {
    redis: false,
    clusters: ['c1', 'c2'],
    agents: { c1: 'answer', c2: 'answer' },
    config: { rateLimit: NO_RATE_LIMIT },
  });
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  shared = { stack: s, port: (s.app.server.address() as AddressInfo).port };
});

function gateway(): { stack: GatewayStack; port: number; app: FastifyInstance } {
  if (!shared) throw new Error('the gateway did not start');
  return { ...shared, app: shared.stack.app };
}

/** The problem with an answer, or null when it is acceptable: < 500, and a 4xx carries the error shape. */
function problemWith(method: string, a: Answer): string | null {
  if (a.status >= 500) return `answered ${a.status}: ${a.body.slice(0, 300)}`;
  if (/\n\s+at |node_modules|\.ts:\d+/.test(a.body))
    return `a stack trace or source path leaked: ${a.body.slice(0, 300)}`;
  if (a.status < 400 || method === 'HEAD') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(a.body);
  } catch {
    return `a ${a.status} whose body is not JSON: ${a.body.slice(0, 200)}`;
  }
  const b = parsed as Record<string, unknown>;
  if (typeof b.error !== 'string' || typeof b.message !== 'string')
    return `a ${a.status} without {error, message}: ${a.body.slice(0, 200)}`;
  if (!(b.error in ERROR_CODES))
    return `a ${a.status} whose error "${b.error}" is not a registered code: ${a.body.slice(0, 200)}`;
  if (
    b.details !== undefined &&
    (typeof b.details !== 'object' || b.details === null || Array.isArray(b.details))
  ) {
    return `a ${a.status} whose details is not an object: ${a.body.slice(0, 200)}`;
  }
  return null;
}

/** Runs a fast-check property and, when it fails, puts the problem found in front of fast-check's report. */
async function assertAll<T>(
  arb: fc.Arbitrary<T>,
  check: (value: T) => Promise<string | null>,
  params: fc.Parameters<[T]>,
): Promise<void> {
  let last: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (v) => {
        last = await check(v);
        return last === null;
      }),
      params,
    );
  } catch (err) {
    throw new Error(`${last}\n${(err as Error).message}`);
  }
}

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms: ${what}`)),
        ANSWER_TIMEOUT_MS,
      );
    }),
  ]);
}

async function inject(
  app: FastifyInstance,
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: string,
): Promise<Answer> {
  const res = await within(
    app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) }),
    `${method} ${url}`,
  );
  return { status: res.statusCode, body: res.body, headers: res.headers };
}

// ---- generators -------------------------------------------------------------------------------------

const HOSTILE = [
  '',
  ' ',
  '\u0000',
  '\u0000pods',
  '\u202egnp.sdop',
  '\ud800',
  '\uffff',
  '🙂🙂🙂',
  'pods\r\nX-Injected: 1',
  '../../../etc/passwd',
  '$(id)',
  '`id`',
  '; rm -rf /',
  '| cat /etc/shadow',
  '--kubeconfig=/etc/kubernetes/admin.conf',
  '--as=system:admin',
  '-o=go-template={{.}}',
  'secrets',
  'secret/x',
  'get secrets -A',
  'a'.repeat(5_000),
  '%00',
  '{"$ne":null}',
  '__proto__',
  'constructor',
  'c1',
  'get',
  'pods',
];
const controlChars = fc.string({
  unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  maxLength: 20,
});
const nastyString = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  controlChars,
  fc.string({ maxLength: 12 }),
);
const scalar = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(-1, 0, 1e308, Number.MAX_SAFE_INTEGER + 2, 601, 3601),
);
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 70 }) },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(nastyString, scalar, { maxKeys: 4 }) },
);
const FIELDS = [
  'cluster_id',
  'session_id',
  'command',
  'command_type',
  'args',
  'namespace',
  'timeout_seconds',
  'extra_args',
  'correlation_id',
  'user_id',
  'ttl_seconds',
  '__proto__',
  'constructor',
];
/** Bodies that look almost right: known fields, mostly sensible values, some hostile ones. */
const nearValidBody = fc
  .record(
    {
      cluster_id: fc.oneof(fc.constantFrom('c1', 'c2', 'nope', 'C1', ''), value),
      command_type: fc.oneof(fc.constantFrom('get', 'describe', 'logs', 'delete', 'exec', 'GET'), value),
      args: fc.oneof(
        fc.array(
          fc.oneof(fc.constantFrom('pods', '-A', '-o', 'json', 'secrets', '--raw', '-n'), nastyString),
          { maxLength: 8 },
        ),
        value,
      ),
      command: fc.oneof(
        fc.constantFrom('get pods', 'get pods -A', 'get secrets', 'logs x --follow'),
        nastyString,
        value,
      ),
      namespace: fc.oneof(fc.constantFrom('default', 'kube-system'), value),
      timeout_seconds: value,
      extra_args: value,
      correlation_id: value,
      ttl_seconds: value,
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));
const randomBody = fc.oneof(
  { weight: 5, arbitrary: nearValidBody },
  {
    weight: 2,
    arbitrary: fc
      .dictionary(fc.oneof(fc.constantFrom(...FIELDS), nastyString), value, { maxKeys: 6 })
      .map((o) => JSON.stringify(o)),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: nearValidBody.chain((s) => fc.nat(Math.max(0, s.length - 1)).map((n) => s.slice(0, n))),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'null',
      '[]',
      '"x"',
      '1',
      'true',
      '{',
      '{"cluster_id":',
      '\u0000',
      '{"a":1}{"b":2}',
    ),
  },
);
const ROUTES = [
  '/debug/execute',
  '/debug/validate',
  '/debug/session',
  '/debug/sessions',
  '/debug/session/x',
  '/debug/result/x',
  '/clusters',
  '/clusters/c1/status',
  '/admin/agents',
  '/admin/agents/c1/status',
  '/health',
  '/readyz',
  '/openapi.json',
];
const pathSegment = fc.oneof(
  fc.constantFrom(
    'c1',
    '..',
    '%2e%2e',
    '%00',
    '%ff',
    '%',
    '😀',
    'a'.repeat(300),
    ':id',
    '*',
    'x?y=1',
    '00000000-0000-0000-0000-000000000000',
  ),
  fc.webSegment(),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
);
const path = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ROUTES) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/debug/session/', '/debug/result/', '/clusters/', '/admin/agents/'),
        pathSegment,
      )
      .map(([a, b]) => a + b),
  },
  {
    weight: 1,
    arbitrary: fc.array(pathSegment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...ROUTES), fc.webQueryParameters()).map(([p, q]) => `${p}?${q}`),
  },
);
const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const authHeaders = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ 'x-api-key': KEY }) },
  { weight: 1, arbitrary: fc.constant({ authorization: `Bearer ${KEY}` }) },
  { weight: 1, arbitrary: printable.map((k) => ({ 'x-api-key': k })) },
  { weight: 1, arbitrary: printable.map((k) => ({ authorization: k })) },
  { weight: 1, arbitrary: fc.constant({}) },
);
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'multipart/form-data',
      'application/json;;',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: printable },
);
const request = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'),
  path,
  auth: authHeaders,
  contentType,
  extra: fc.dictionary(
    fc.constantFrom('x-request-id', 'accept', 'x-forwarded-for', 'user-agent', 'x-correlation-id'),
    printable,
    { maxKeys: 3 },
  ),
  body: fc.option(randomBody, { nil: undefined, freq: 6 }),
});

// ---- tests ------------------------------------------------------------------------------------------

test('bad input - 10,000 generated requests through app.inject all get a non-5xx answer, 4xx with the error shape', async (t) => {
  t.timeout(240_000);
  const { app } = gateway();
  const statuses = new Map<number, number>();
  await assertAll(
    request,
    async (r) => {
      const headers: Record<string, string> = { ...r.extra, ...r.auth };
      if (r.body !== undefined) headers['content-type'] = r.contentType;
      const answer = await inject(app, r.method, r.path, headers, r.body);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      return problemWith(r.method, answer);
    },
    { numRuns: 10_000, endOnFailure: true },
  );
  t.log(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  // The generator must reach past authentication and validation, or it proves nothing.
  // (Unknown routes answer 404 whatever their body, so the 400s here are all a real route's validation.)
  t.true((statuses.get(400) ?? 0) > 500, 'many requests are rejected by validation');
  t.true((statuses.get(401) ?? 0) > 100, 'some requests are rejected by authentication');
  t.true(
    [403, 404].some((s) => (statuses.get(s) ?? 0) > 10),
    'some requests reach policy or lookups',
  );
});

const post = (payload: unknown) => (typeof payload === 'string' ? payload : JSON.stringify(payload));

const TARGETED: Array<{
  name: string;
  method?: string;
  url?: string;
  payload: unknown;
  contentType?: string;
  status: number | number[];
}> = [
  { name: 'malformed JSON', payload: '{"cluster_id": "c1", "command":', status: 400 },
  { name: 'JSON with a trailing comma', payload: '{"cluster_id":"c1","command":"get pods",}', status: 400 },
  { name: 'empty body', payload: '', status: 400 },
  { name: 'a JSON array body', payload: [], status: 400 },
  { name: 'a JSON string body', payload: '"get pods"', status: 400 },
  { name: 'null body', payload: 'null', status: 400 },
  { name: 'missing cluster_id', payload: { command: 'get pods' }, status: 400 },
  { name: 'missing both command forms', payload: { cluster_id: 'c1' }, status: 400 },
  {
    name: 'both command forms',
    payload: { cluster_id: 'c1', command: 'get pods', command_type: 'get' },
    status: 400,
  },
  { name: 'cluster_id a number', payload: { cluster_id: 1, command: 'get pods' }, status: 400 },
  { name: 'args a string', payload: { cluster_id: 'c1', command_type: 'get', args: 'pods' }, status: 400 },
  { name: 'args of numbers', payload: { cluster_id: 'c1', command_type: 'get', args: [1, 2] }, status: 400 },
  {
    name: 'args nested arrays',
    payload: { cluster_id: 'c1', command_type: 'get', args: [['pods']] },
    status: 400,
  },
  {
    name: 'timeout_seconds a string',
    payload: { cluster_id: 'c1', command: 'get pods', timeout_seconds: '5' },
    status: 400,
  },
  {
    name: 'timeout_seconds negative',
    payload: { cluster_id: 'c1', command: 'get pods', timeout_seconds: -1 },
    status: 400,
  },
  {
    name: 'timeout_seconds fractional',
    payload: { cluster_id: 'c1', command: 'get pods', timeout_seconds: 1.5 },
    status: 400,
  },
  { name: 'unknown field', payload: { cluster_id: 'c1', command: 'get pods', shell: true }, status: 400 },
  {
    name: '__proto__ field',
    payload: '{"cluster_id":"c1","command":"get pods","__proto__":{"admin":true}}',
    status: 400,
  },
  {
    name: '65 args',
    payload: { cluster_id: 'c1', command_type: 'get', args: Array(65).fill('pods') },
    status: 400,
  },
  {
    name: 'an arg of 1025 characters',
    payload: { cluster_id: 'c1', command_type: 'get', args: ['a'.repeat(1025)] },
    status: 400,
  },
  {
    name: 'a NUL in an arg',
    payload: { cluster_id: 'c1', command_type: 'get', args: ['pods\u0000'] },
    status: [400, 403],
  },
  {
    name: 'a newline in the command',
    payload: { cluster_id: 'c1', command: 'get pods\nget secrets' },
    status: [400, 403],
  },
  {
    name: 'RTL override in the namespace',
    payload: { cluster_id: 'c1', command: 'get pods', namespace: '\u202edefault' },
    status: [400, 403],
  },
  { name: 'emoji in the cluster id', payload: { cluster_id: 'c1🙂', command: 'get pods' }, status: 400 },
  {
    name: 'a lone surrogate in correlation_id',
    payload: '{"cluster_id":"c1","command":"get pods","correlation_id":"\\ud800"}',
    status: [200, 400],
  },
  {
    name: 'control characters in every field',
    payload: {
      cluster_id: 'c\u0001',
      command: '\u0007get\u001b[31m pods',
      namespace: '\u0008',
      correlation_id: '\u0000',
    },
    status: 400,
  },
  {
    name: 'a shell metacharacter command',
    payload: { cluster_id: 'c1', command: 'get pods; cat /etc/passwd' },
    status: [400, 403],
  },
  { name: 'secrets', payload: { cluster_id: 'c1', command: 'get secrets -A' }, status: 403 },
  {
    name: 'a forbidden flag',
    payload: { cluster_id: 'c1', command_type: 'get', args: ['pods', '--kubeconfig=/x'] },
    status: [400, 403],
  },
  { name: 'an unknown cluster', payload: { cluster_id: 'nope', command: 'get pods' }, status: 404 },
  {
    name: 'a session id with a slash',
    url: '/debug/session/a%2Fb',
    method: 'GET',
    payload: undefined,
    status: [400, 404],
  },
  {
    name: 'a result id of 300 characters',
    url: `/debug/result/${'a'.repeat(300)}`,
    method: 'GET',
    payload: undefined,
    status: [400, 404, 414],
  },
  {
    name: 'form-encoded body',
    payload: 'cluster_id=c1&command=get+pods',
    contentType: 'application/x-www-form-urlencoded',
    status: [400, 415],
  },
  {
    name: 'session ttl of a year',
    url: '/debug/session',
    payload: { cluster_id: 'c1', ttl_seconds: 31_536_000 },
    status: 400,
  },
];

for (const c of TARGETED) {
  test(`bad input - ${c.name} is answered ${[c.status].flat().join(' or ')} with the error shape`, async (t) => {
    const { app } = gateway();
    const method = c.method ?? 'POST';
    const headers: Record<string, string> = { 'x-api-key': KEY };
    if (c.payload !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const answer = await inject(
      app,
      method,
      c.url ?? '/debug/execute',
      headers,
      c.payload === undefined ? undefined : post(c.payload),
    );
    t.is(problemWith(method, answer), null);
    t.true(
      [c.status].flat().includes(answer.status),
      `status ${answer.status}: ${answer.body.slice(0, 200)}`,
    );
  });
}

// ---- over a real socket -----------------------------------------------------------------------------

function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<Answer> {
  return within(
    new Promise<Answer>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    }),
    `${method} ${path}`,
  );
}

test('bad input - over real HTTP, oversized bodies and arrays are refused with 413 and the error shape', async (t) => {
  const { port, stack: s } = gateway();
  const limit = s.config.bodyLimitBytes;
  const big = JSON.stringify({
    cluster_id: 'c1',
    command_type: 'get',
    args: Array(Math.ceil(limit / 4)).fill('pods'),
  });
  t.true(big.length > limit);
  for (const body of [big, `{"cluster_id":"c1","command":"${'x'.repeat(limit + 1)}"}`]) {
    const answer = await rawRequest(
      port,
      'POST',
      '/debug/execute',
      { 'x-api-key': KEY, 'content-type': 'application/json' },
      body,
    );
    t.is(answer.status, 413, answer.body.slice(0, 200));
    t.is(problemWith('POST', answer), null);
  }
  // Chunked, so the size is not announced up front: the limit must still hold while streaming.
  const chunked = await within(
    new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/debug/execute',
          headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            }),
          );
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write(big.slice(0, limit / 8));
      req.end();
    }),
    'chunked oversize',
  ).catch((err: NodeJS.ErrnoException) => {
    // The server may answer 413 and close before the client finished writing.
    if (err.code === 'EPIPE' || err.code === 'ECONNRESET')
      return { status: 413, body: '{"error":"payload_too_large","message":"reset"}', headers: {} };
    throw err;
  });
  t.is(chunked.status, 413);
  t.is(problemWith('POST', chunked), null);
});

test('bad input - over real HTTP, 300 generated requests get a non-5xx answer with the error shape', async (t) => {
  t.timeout(120_000);
  const { port } = gateway();
  await assertAll(
    request,
    async (r) => {
      const headers: Record<string, string> = { ...r.extra, ...r.auth };
      let body: Buffer | undefined;
      // A body on GET/HEAD/DELETE over a real socket tests node's HTTP framing, not the gateway.
      if (r.body !== undefined && ['POST', 'PUT', 'PATCH'].includes(r.method)) {
        headers['content-type'] = r.contentType;
        body = Buffer.from(r.body, 'utf8');
      }
      // A real client percent-encodes what is not ASCII (node refuses to send it raw).
      const path = r.path.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
      return problemWith(r.method, await rawRequest(port, r.method, path, headers, body));
    },
    { numRuns: 300, endOnFailure: true },
  );
  t.pass();
});

test('bad input - over real HTTP, invalid UTF-8 and raw control bytes in the body are a 4xx', async (t) => {
  const { port } = gateway();
  const bodies = [
    Buffer.from([0x7b, 0x22, 0x63, 0xff, 0xfe, 0x22, 0x7d]),
    Buffer.concat([
      Buffer.from('{"cluster_id":"c1","command":"get pods'),
      Buffer.from([0x00, 0x01, 0x1b]),
      Buffer.from('"}'),
    ]),
  ];
  for (const body of bodies) {
    const answer = await rawRequest(
      port,
      'POST',
      '/debug/execute',
      { 'x-api-key': KEY, 'content-type': 'application/json' },
      body,
    );
    t.is(problemWith('POST', answer), null);
    t.true(
      answer.status >= 400 && answer.status < 500,
      `status ${answer.status}: ${answer.body.slice(0, 200)}`,
    );
  }
});
