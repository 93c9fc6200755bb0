// Refused access leaves a record while the answer stays exactly as it was: probes of clusters an identity
// may not use, foreign session ids, commands the grammar refuses, /debug/validate denials (dry_run) and the
// failed authentications the limiter answered without a record of their own.

import test from 'ava';
import { createFailureLimiter, type SuppressedWindow } from '../gateway/auth/failure-limiter.js';
import { NO_RATE_LIMIT } from '../gateway/config.js';
import { type GatewayStack, startGatewayStack } from '../harness/gateway.js';

const json = { 'content-type': 'application/json' };

function denials(s: GatewayStack, reason: string) {
  return s.captured.of('access_denied').filter((e) => e.details?.reason === reason);
}

test('refusals - probes of a forbidden cluster answer byte for byte like an unknown one, and each is recorded', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: { c1: 'answer' } });
  // bob may use c2 only; c1 exists (an agent is connected), zz does not.
  const probes = [
    (id: string) => ({
      method: 'POST' as const,
      url: '/debug/execute',
      payload: { cluster_id: id, command: 'get pods' },
    }),
    (id: string) => ({
      method: 'POST' as const,
      url: '/debug/validate',
      payload: { cluster_id: id, command: 'get pods' },
    }),
    (id: string) => ({ method: 'POST' as const, url: '/debug/session', payload: { cluster_id: id } }),
    (id: string) => ({ method: 'GET' as const, url: `/clusters/${id}/status` }),
  ];
  for (const probe of probes) {
    const forbidden = await s.app.inject({ ...probe('c1'), headers: { ...s.as('bob'), ...json } });
    const unknown = await s.app.inject({ ...probe('zz'), headers: { ...s.as('bob'), ...json } });
    t.is(forbidden.statusCode, 404, probe('c1').url);
    t.is(forbidden.body, unknown.body, probe('c1').url);
    t.deepEqual(
      Object.keys(forbidden.headers).filter(
        (h) => !['date', 'x-request-id', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(h),
      ),
      Object.keys(unknown.headers).filter(
        (h) => !['date', 'x-request-id', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(h),
      ),
    );
  }
  const recorded = denials(s, 'cluster_not_found');
  t.is(recorded.length, 8, 'one record per probe');
  t.deepEqual([...new Set(recorded.map((e) => e.identity))], ['bob']);
  t.deepEqual(recorded.map((e) => e.cluster_id).sort(), ['c1', 'c1', 'c1', 'c1', 'zz', 'zz', 'zz', 'zz']);
  t.deepEqual([...new Set(recorded.map((e) => e.details?.route))].sort(), [
    '/clusters/:id/status',
    '/debug/execute',
    '/debug/session',
    '/debug/validate',
  ]);
  t.is(s.agents.c1!.received.length, 0, 'nothing reached the agent');
});

test("refusals - another identity's session id answers like an unknown one and is recorded", async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: { c2: 'answer' } });
  const created = await s.app.inject({
    method: 'POST',
    url: '/debug/session',
    headers: { ...s.as('alice'), ...json },
    payload: { cluster_id: 'c2' },
  });
  const foreign = created.json().session_id as string;
  const unknown = '00000000-0000-4000-8000-000000000000';
  for (const [method, url, payload] of [
    ['GET', '/debug/session/:id', undefined],
    ['DELETE', '/debug/session/:id', undefined],
    ['POST', '/debug/execute', { cluster_id: 'c2', command: 'get pods', session_id: ':id' }],
  ] as const) {
    const ask = (id: string) =>
      s.app.inject({
        method,
        url: url.replace(':id', id),
        headers: { ...s.as('bob'), ...json },
        ...(payload ? { payload: { ...payload, session_id: id } } : {}),
      });
    const a = await ask(foreign);
    const b = await ask(unknown);
    t.is(a.statusCode, 404, `${method} ${url}`);
    t.is(a.body, b.body, `${method} ${url}`);
  }
  const recorded = denials(s, 'session_not_found');
  t.is(recorded.length, 6);
  t.is(recorded.filter((e) => e.session_id === foreign).length, 3);
  t.true(recorded.every((e) => e.identity === 'bob'));
  // alice's session is untouched.
  const mine = await s.app.inject({ url: `/debug/session/${foreign}`, headers: s.as('alice') });
  t.is(mine.statusCode, 200);
});

test('refusals - a command the grammar refuses (400) is recorded; a /debug/validate denial is recorded as dry_run', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: { c1: 'answer' } });
  const bad = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: { ...s.as('alice'), ...json },
    payload: { cluster_id: 'c1', command: 'get pods --bogus=1' },
  });
  t.is(bad.statusCode, 400);
  t.is(bad.json().error, 'invalid_command');
  const [rejected] = denials(s, 'invalid_command');
  t.like(rejected, { identity: 'alice', cluster_id: 'c1' });
  t.like(rejected?.details, { rule: 'unknown_flag', token: '--bogus=1' });

  const asked = await s.app.inject({
    method: 'POST',
    url: '/debug/validate',
    headers: { ...s.as('alice'), ...json },
    payload: { cluster_id: 'c1', command: 'get secrets' },
  });
  t.is(asked.statusCode, 200);
  t.false(asked.json().allowed);
  const [dry] = s.captured.of('unauthorized_command_attempt');
  t.like(dry, { identity: 'alice', cluster_id: 'c1' });
  t.like(dry?.details, { dry_run: true, rule: 'secret_forbidden' });
  const counted = await s.registry.getSingleMetricAsString('kubently_gateway_unauthorized_commands_total');
  t.notRegex(counted, /secret_forbidden/, 'a question is not counted as a refused command');
  const allowed = await s.app.inject({
    method: 'POST',
    url: '/debug/validate',
    headers: { ...s.as('alice'), ...json },
    payload: { cluster_id: 'c1', command: 'get pods' },
  });
  t.true(allowed.json().allowed);
  t.is(s.captured.of('unauthorized_command_attempt').length, 1, 'an allowed question leaves no refusal');
});

test('refusals - failures the auth limiter suppressed are counted per window in one record', async (t) => {
  const s = await startGatewayStack(t, {
    redis: false,
    agents: {},
    config: { rateLimit: { ...NO_RATE_LIMIT, authFailures: 2 } },
  });
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const res = await s.app.inject({
      url: '/debug/sessions',
      headers: { 'x-api-key': 'wrong-wrong-wrong-wrong' },
    });
    statuses.push(res.statusCode);
  }
  t.deepEqual(statuses, [401, 401, 429, 429, 429, 429, 429]);
  t.is(s.captured.of('authentication_failure').length, 2);
  // Closing ends the window early (a restart must not lose the count); its timer would otherwise end it.
  await s.app.close();
  const windows = s.captured
    .of('rate_limit_exceeded')
    .filter((e) => e.details?.suppressed_failures !== undefined);
  t.is(windows.length, 1);
  t.like(windows[0]?.details, { limit: 'authentication_failures', suppressed_failures: 5 });
  t.is(windows[0]?.source_ip, '127.0.0.1');
});

test('failure limiter - reports each window that suppressed failures once, when it ends', (t) => {
  let clock = 1_000_000;
  const ended: SuppressedWindow[] = [];
  const limiter = createFailureLimiter({
    maxFailures: 3,
    windowMs: 60_000,
    now: () => clock,
    onWindowEnd: (w) => ended.push(w),
  });
  const fail = (ip: string) => {
    if (limiter.blockedFor(ip) > 0) limiter.recordSuppressed(ip);
    else limiter.recordFailure(ip);
  };
  for (let i = 0; i < 10; i++) fail('198.51.100.1');
  for (let i = 0; i < 3; i++) fail('198.51.100.2'); // at the limit, nothing suppressed
  clock += 30_000;
  limiter.sweep();
  t.deepEqual(ended, [], 'the window is still open');
  clock += 30_001;
  limiter.sweep();
  t.deepEqual(ended, [{ ip: '198.51.100.1', suppressed: 7, startedAt: 1_000_000, endedAt: clock }]);
  // A new window starts afresh.
  for (let i = 0; i < 5; i++) fail('198.51.100.1');
  limiter.close();
  t.is(ended.length, 2);
  t.is(ended[1]?.suppressed, 2);
  limiter.close();
  t.is(ended.length, 2, 'reported once');
});
