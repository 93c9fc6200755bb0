import { jetstreamManager } from '@nats-io/jetstream';
import test from 'ava';
import { CMD_STREAM } from '../common/subjects.js';
import { startGatewayStack } from '../harness/gateway.js';
import { connectAs } from '../harness/nats-server.js';

const exec = (payload: unknown) => ({
  method: 'POST' as const,
  url: '/debug/execute',
  payload: payload as object,
});

test('execute - relays an allowed command to the agent and answers with its result', async (t) => {
  const s = await startGatewayStack(t);
  const before = Date.now();
  const res = await s.app.inject({
    ...exec({
      cluster_id: 'c1',
      command_type: 'get',
      args: ['pods'],
      namespace: 'default',
      correlation_id: 'corr-1',
    }),
    headers: s.as('alice'),
  });
  const after = Date.now();
  t.is(res.statusCode, 200, res.body);
  const body = res.json();
  t.deepEqual(Object.keys(body).sort(), [
    'cluster_id',
    'command_id',
    'error',
    'executed_at',
    'execution_time_ms',
    'output',
    'session_id',
    'status',
    'truncated',
  ]);
  t.is(body.status, 'success');
  t.is(body.session_id, null);
  t.regex(body.output, /^ok get pods/);
  const received = s.agents.c1!.received[0]!;
  t.is(received.id, body.command_id);
  t.is(received.identity, 'alice');
  // The policy's default timeout (30 s), as the deadline the agent must not start after.
  t.true(
    received.deadline >= before + 30_000 && received.deadline <= after + 30_000,
    String(received.deadline),
  );
  t.deepEqual(
    Object.keys(received).sort(),
    ['argv', 'cluster_id', 'deadline', 'id', 'identity', 'session_id', 'v'],
    'the message carries only what the agent reads',
  );

  const attempt = s.captured.of('command_attempt')[0]!;
  const executed = s.captured.of('command_executed')[0]!;
  t.is(attempt.command_id, body.command_id);
  t.is(executed.identity, 'alice');
  t.is(executed.details?.status, 'success');
  t.deepEqual(executed.details?.argv, received.argv);
  t.false(JSON.stringify(executed).includes('ok get pods'), 'the output never goes to the audit trail');

  // Kept for its owner only.
  const again = await s.app.inject({
    method: 'GET',
    url: `/debug/result/${body.command_id}`,
    headers: s.as('alice'),
  });
  t.is(again.statusCode, 200);
  t.deepEqual(again.json(), body);
  const other = await s.app.inject({
    method: 'GET',
    url: `/debug/result/${body.command_id}`,
    headers: s.as('bob'),
  });
  t.is(other.statusCode, 404);
  t.deepEqual(other.json(), { error: 'not_found', message: 'result not found' });
  const unknown = await s.app.inject({ method: 'GET', url: '/debug/result/nope', headers: s.as('alice') });
  t.deepEqual(unknown.json(), other.json());
});

test('execute - accepts the single-string form and caps the timeout at the policy maximum', async (t) => {
  const s = await startGatewayStack(t, { redis: false });
  const before = Date.now();
  const res = await s.app.inject({
    ...exec({ cluster_id: 'c1', command: 'get pods -A', timeout_seconds: 500 }),
    headers: s.as('alice'),
  });
  const after = Date.now();
  t.is(res.statusCode, 200, res.body);
  const { deadline, argv } = s.agents.c1!.received[0]!;
  t.true(deadline >= before + 120_000 && deadline <= after + 120_000, String(deadline));
  t.deepEqual(argv, ['get', 'pods', '--all-namespaces']);
});

test('execute - answers 400 for bad JSON, wrong types, unknown fields and mixed forms', async (t) => {
  const s = await startGatewayStack(t, { redis: false });
  const bad = [
    { payload: '{"cluster_id": "c1", ', type: 'application/json' },
    { payload: JSON.stringify({ cluster_id: 'c1', command_type: 'get', args: 'pods' }) },
    { payload: JSON.stringify({ cluster_id: 'c1', command_type: 'get', args: ['pods'], shell: true }) },
    { payload: JSON.stringify({ cluster_id: 'c1', command: 'get pods', command_type: 'get' }) },
    { payload: JSON.stringify({ cluster_id: 'C1!', command: 'get pods' }) },
    { payload: JSON.stringify({ cluster_id: 'c1', command: 'get pods', timeout_seconds: 0 }) },
    { payload: JSON.stringify({ cluster_id: 'c1', command_type: 'get', args: Array(65).fill('x') }) },
  ];
  for (const b of bad) {
    const res = await s.app.inject({
      method: 'POST',
      url: '/debug/execute',
      headers: { ...s.as('alice'), 'content-type': 'application/json' },
      payload: b.payload,
    });
    t.is(res.statusCode, 400, b.payload);
    t.is(res.json().error, 'bad_request');
  }
  const schemaError = await s.app.inject({
    ...exec({ cluster_id: 'c1', command_type: 'get', args: ['pods'], shell: true }),
    headers: s.as('alice'),
  });
  t.true(Array.isArray(schemaError.json().details.validation));
  // A grammar rejection is 400 invalid_command with the token.
  const grammar = await s.app.inject({
    ...exec({ cluster_id: 'c1', command: 'get pods --frobnicate' }),
    headers: s.as('alice'),
  });
  t.is(grammar.statusCode, 400);
  t.is(grammar.json().error, 'invalid_command');
  t.is(s.agents.c1!.received.length, 0);
});

test('execute - a command the policy denies answers 403 with rule and token, is audited, and never reaches the agent', async (t) => {
  const s = await startGatewayStack(t, { redis: false });
  for (const command of ['get secrets', 'delete pod x', 'get pods --as=admin']) {
    const res = await s.app.inject({ ...exec({ cluster_id: 'c1', command }), headers: s.as('alice') });
    t.is(res.statusCode, 403, command);
    const body = res.json();
    t.is(body.error, 'unauthorized_command');
    t.is(body.status, 'denied');
    t.is(typeof body.message, 'string');
    t.is(typeof body.details.rule, 'string');
    t.truthy(body.command_id);
  }
  const secrets = (
    await s.app.inject({ ...exec({ cluster_id: 'c1', command: 'get secrets' }), headers: s.as('alice') })
  ).json();
  t.is(secrets.details.rule, 'secret_forbidden');
  t.is(secrets.details.token, 'secrets');
  t.is(s.captured.of('unauthorized_command_attempt').length, 4);
  t.is(s.captured.of('command_attempt').length, 0);
  t.is(s.agents.c1!.received.length, 0);
  t.regex(
    await s.registry.metrics(),
    /kubently_gateway_unauthorized_commands_total\{cluster_id="c1",rule="secret_forbidden"\} 2/,
  );
});

test('execute - a forbidden cluster answers exactly like an unknown one, naming no cluster', async (t) => {
  const s = await startGatewayStack(t, { redis: false });
  const forbidden = await s.app.inject({
    ...exec({ cluster_id: 'c1', command: 'get pods' }),
    headers: s.as('bob'),
  });
  const unknown = await s.app.inject({
    ...exec({ cluster_id: 'nowhere', command: 'get pods' }),
    headers: s.as('bob'),
  });
  t.is(forbidden.statusCode, 404);
  t.is(unknown.statusCode, 404);
  t.deepEqual(forbidden.json(), unknown.json());
  t.deepEqual(forbidden.json(), { error: 'not_found', message: 'cluster not found' });
  t.false(forbidden.body.includes('c2'));
  const validate = await s.app.inject({
    method: 'POST',
    url: '/debug/validate',
    payload: { cluster_id: 'c1', command: 'get pods' },
    headers: s.as('bob'),
  });
  t.deepEqual(validate.json(), unknown.json());
});

test('execute - answers 503 at once when no agent of the cluster is connected', async (t) => {
  const s = await startGatewayStack(t, { redis: false });
  const res = await s.app.inject({
    ...exec({ cluster_id: 'c2', command: 'get pods', timeout_seconds: 30 }),
    headers: s.as('alice'),
  });
  t.is(res.statusCode, 503);
  t.is(res.json().error, 'agent_unavailable');
  // Nothing was published, so nothing could be waited for: the answer did not sit out the 30 s deadline.
  const admin = await jetstreamManager(await connectAs(t, s.server, 'admin'));
  t.is((await admin.streams.info(CMD_STREAM)).state.messages, 0);
  t.is(s.captured.of('agent_connection_failure').length, 1);
});

test('execute - answers 504 with the timeout result when the agent takes the command and never answers', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: { c1: 'silent' } });
  const res = await s.app.inject({
    ...exec({ cluster_id: 'c1', command: 'get pods', timeout_seconds: 1 }),
    headers: s.as('alice'),
  });
  t.is(res.statusCode, 504);
  const body = res.json();
  t.is(body.error, 'timeout');
  t.is(body.status, 'timeout');
  t.is(s.agents.c1!.received[0]!.id, body.command_id);
  const kept = await s.app.inject({
    method: 'GET',
    url: `/debug/result/${body.command_id}`,
    headers: s.as('alice'),
  });
  t.is(kept.json().status, 'timeout');
  t.is(s.captured.of('command_executed')[0]!.details?.status, 'timeout');
});

test('execute - a command the agent policy denies answers 403 with status denied', async (t) => {
  const s = await startGatewayStack(t, {
    redis: false,
    agents: {
      c1: () => ({ status: 'denied', output: '', error: 'namespace kube-system is not allowed here' }),
    },
  });
  const res = await s.app.inject({
    ...exec({ cluster_id: 'c1', command: 'get pods -n kube-system' }),
    headers: s.as('alice'),
  });
  t.is(res.statusCode, 403);
  t.like(res.json(), {
    error: 'unauthorized_command',
    status: 'denied',
    message: 'namespace kube-system is not allowed here',
  });
});

test('execute - with fail-closed audit, a command whose attempt cannot be recorded is refused and not relayed', async (t) => {
  const s = await startGatewayStack(t, { redis: false });
  s.captured.failRecord = true;
  const res = await s.app.inject({
    ...exec({ cluster_id: 'c1', command: 'get pods' }),
    headers: s.as('alice'),
  });
  t.is(res.statusCode, 503);
  t.is(res.json().error, 'audit_unavailable');
  // A later command reaching the agent shows the stream moved past the refused one: the consumer delivers
  // in order, so had the refused command been published, it would have arrived first.
  s.captured.failRecord = false;
  const later = await s.app.inject({
    ...exec({ cluster_id: 'c1', command: 'get nodes' }),
    headers: s.as('alice'),
  });
  t.is(later.statusCode, 200);
  t.deepEqual(
    s.agents.c1!.received.map((c) => c.argv),
    [['get', 'nodes']],
  );
});

test('execute - 50 concurrent clients each get the result of their own command', async (t) => {
  const s = await startGatewayStack(t);
  const replies = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      s.app.inject({
        ...exec({ cluster_id: 'c1', command_type: 'get', args: ['pod', `p-${i}`], namespace: 'default' }),
        headers: s.as('alice'),
      }),
    ),
  );
  const byId = new Map(s.agents.c1!.received.map((c) => [c.id, c]));
  replies.forEach((r, i) => {
    t.is(r.statusCode, 200);
    const body = r.json();
    t.deepEqual(byId.get(body.command_id)?.argv, ['get', 'pods', `p-${i}`, '--namespace=default']);
    t.true(body.output.includes(`p-${i}`));
  });
});

test("execute - a session must be the caller's and for that cluster, and counts its commands", async (t) => {
  const s = await startGatewayStack(t);
  const created = await s.app.inject({
    method: 'POST',
    url: '/debug/session',
    payload: { cluster_id: 'c1' },
    headers: s.as('alice'),
  });
  const sessionId = created.json().session_id;
  const run = (who: 'alice' | 'bob', clusterId: string) =>
    s.app.inject({
      ...exec({ cluster_id: clusterId, session_id: sessionId, command: 'get pods' }),
      headers: s.as(who),
    });
  const ok = await run('alice', 'c1');
  t.is(ok.statusCode, 200);
  t.is(ok.json().session_id, sessionId);
  t.is(s.agents.c1!.received[0]!.session_id, sessionId);
  t.is((await run('alice', 'c2')).statusCode, 404);
  t.is((await run('bob', 'c2')).statusCode, 404);
  const session = await s.app.inject({
    method: 'GET',
    url: `/debug/session/${sessionId}`,
    headers: s.as('alice'),
  });
  t.is(session.json().commands_executed, 1);
});

test('validate - explains the decision and runs nothing', async (t) => {
  const s = await startGatewayStack(t, { redis: false });
  const allowed = await s.app.inject({
    method: 'POST',
    url: '/debug/validate',
    payload: { cluster_id: 'c1', command_type: 'get', args: ['po', '-A'] },
    headers: s.as('alice'),
  });
  t.is(allowed.statusCode, 200);
  t.like(allowed.json(), { allowed: true });
  t.deepEqual(allowed.json().normalized_argv.slice(0, 2), ['get', 'pods']);
  const denied = await s.app.inject({
    method: 'POST',
    url: '/debug/validate',
    payload: { cluster_id: 'c1', command: 'get secret x' },
    headers: s.as('alice'),
  });
  t.like(denied.json(), { allowed: false, rule: 'secret_forbidden' });
  t.is(s.agents.c1!.received.length, 0);
});
