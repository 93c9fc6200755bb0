import test from 'ava';
import type { CommandResult } from '../common/api.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { isKubentlyError } from '../common/errors.js';
import { MAX_RESULT_ERROR_CHARS } from '../common/wire.js';
import { createMemorySessionStore } from '../gateway/sessions/memory-store.js';
import type { SessionStore } from '../gateway/sessions/types.js';
import { eventually } from '../harness/eventually.js';
import { startGatewayStack } from '../harness/gateway.js';

const exec = (payload: object) => ({ method: 'POST' as const, url: '/debug/execute', payload });

test('execute - a forbidden flag value (a token, a password) never reaches the audit record', async (t) => {
  const s = await startGatewayStack(t, { redis: false });
  for (const command of [
    'get pods --token=s3cr3t-bearer',
    'get pods --password=hunter2-pw',
    'get po -sx:1',
  ]) {
    const res = await s.app.inject({ ...exec({ cluster_id: 'c1', command }), headers: s.as('alice') });
    t.is(res.statusCode, 403, res.body);
  }
  const records = s.captured.of('unauthorized_command_attempt');
  t.is(records.length, 3);
  const text = JSON.stringify(records);
  t.false(text.includes('s3cr3t-bearer'), text);
  t.false(text.includes('hunter2-pw'), text);
  // The flag itself is what the audit trail needs.
  t.is(records[0]!.details?.token, '--token=[redacted]');
  t.is(records[0]!.details?.rule, 'forbidden_flag');
  t.is(records[2]!.details?.token, '-s[redacted]');
});

test('execute - a session ended while the command was being checked answers 404 and runs nothing', async (t) => {
  const inner = createMemorySessionStore({ absoluteSeconds: 3600, idleSeconds: 1800 });
  t.teardown(() => inner.close());
  // The session disappears between the route's ownership check and the moment the command is counted.
  const sessions: SessionStore = {
    ...inner,
    kind: inner.kind,
    touch: async (id, owner) => {
      await inner.delete(id, owner);
      return inner.touch(id, owner);
    },
  };
  const s = await startGatewayStack(t, { redis: false, sessions });
  const created = await s.app.inject({
    method: 'POST',
    url: '/debug/session',
    payload: { cluster_id: 'c1' },
    headers: s.as('alice'),
  });
  t.is(created.statusCode, 201);
  const res = await s.app.inject({
    ...exec({ cluster_id: 'c1', session_id: created.json().session_id, command: 'get pods' }),
    headers: s.as('alice'),
  });
  t.is(res.statusCode, 404, res.body);
  t.is(res.json().error, 'not_found');
  await new Promise((r) => setTimeout(r, 200));
  t.is(s.agents.c1!.received.length, 0);
  t.is(s.captured.of('command_attempt').length, 0);
});

test('relay - close() rejects the commands still waiting for a result instead of leaving them pending', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: { c1: 'silent' } });
  const command = parseCommandRequest(
    { command: 'get pods' },
    { id: crypto.randomUUID(), clusterId: 'c1', identity: 'alice', sessionId: null, timeoutMs: 60_000 },
  );
  const sent = s.relay.send(command);
  await eventually(t, () => s.agents.c1!.received.length === 1, { message: 'the agent took the command' });
  await s.relay.close();
  const outcome = await Promise.race([
    sent.then(
      () => 'resolved',
      (err: unknown) => (isKubentlyError(err) ? err.code : 'other'),
    ),
    new Promise((r) => setTimeout(() => r('pending'), 1_000)),
  ]);
  t.is(outcome, 'service_unavailable');
  t.is(s.relay.inFlight, 0);
});

test('auth - a refused request cannot write an unbounded user agent into the audit trail', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: {} });
  const res = await s.app.inject({
    method: 'GET',
    url: '/debug/sessions',
    headers: { 'x-api-key': 'wrong-key-0123456789abcdef', 'user-agent': `curl/8 ${'x'.repeat(8_000)}` },
  });
  t.is(res.statusCode, 401);
  const [failure] = s.captured.of('authentication_failure');
  const agent = failure!.details?.user_agent as string;
  t.true(agent.startsWith('curl/8 x'));
  t.true(agent.length <= 256, String(agent.length));
});

test('execute - an agent reply is not trusted for its cluster id or an unknown status', async (t) => {
  const s = await startGatewayStack(t, {
    redis: false,
    agents: { c1: () => ({ cluster_id: 'c2', status: 'bogus' as never, output: 'x' }) },
  });
  const res = await s.app.inject({
    ...exec({ cluster_id: 'c1', command: 'get pods' }),
    headers: s.as('alice'),
  });
  t.is(res.statusCode, 200, res.body);
  const body = res.json() as CommandResult;
  t.is(body.cluster_id, 'c1');
  t.is(body.status, 'failure');
  t.regex(body.error ?? '', /malformed result \(status, unknown status "bogus"\)/);
});

test('execute - a malformed agent result is a failure naming the bad fields, never a 500 or "[object Object]"', async (t) => {
  const replies: Array<Record<string, unknown>> = [
    { error: { nested: 'object' } },
    { output: { rows: [1, 2] } },
    { output: 42, error: 7 },
    { execution_time_ms: 'fast' },
    { execution_time_ms: -5 },
    { executed_at: { when: 'now' } },
    { executed_at: 'yesterday' },
    { truncated: 'yes' },
    { status: ['success'] },
  ];
  let next = 0;
  const s = await startGatewayStack(t, {
    redis: false,
    agents: { c1: () => replies[next++] as never },
  });
  for (const reply of replies) {
    const res = await s.app.inject({
      ...exec({ cluster_id: 'c1', command: 'get pods' }),
      headers: s.as('alice'),
    });
    t.is(res.statusCode, 200, JSON.stringify(reply));
    const body = res.json() as CommandResult;
    t.is(body.status, 'failure', JSON.stringify(reply));
    t.is(body.output, '');
    t.regex(body.error ?? '', /^the agent answered with a malformed result \(/);
    for (const field of Object.keys(reply)) t.true((body.error ?? '').includes(field), `${field} named`);
    t.notRegex(res.body, /object Object|nested|rows/);
    t.is(typeof body.execution_time_ms, 'number');
    t.false(Number.isNaN(Date.parse(body.executed_at)));
  }
  const audited = s.captured.of('command_executed').map((e) => e.details?.error);
  t.true(
    audited.every((e) => typeof e === 'string'),
    'the audit record holds text too',
  );
});

test('execute - an over-long agent error is cut to the cap, the rest of the result passes', async (t) => {
  const s = await startGatewayStack(t, {
    redis: false,
    agents: {
      c1: () => ({ status: 'failure', error: 'e'.repeat(MAX_RESULT_ERROR_CHARS * 4), output: 'partial' }),
    },
  });
  const res = await s.app.inject({
    ...exec({ cluster_id: 'c1', command: 'get pods' }),
    headers: s.as('alice'),
  });
  const body = res.json() as CommandResult;
  t.is(body.status, 'failure');
  t.is(body.output, 'partial');
  t.is(body.error?.length, MAX_RESULT_ERROR_CHARS);
  t.true(body.error?.endsWith('…'));
});
