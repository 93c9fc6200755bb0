// POST /fleet/execute against a real nats-server, real test agents and the gateway's own runner: selection,
// per-cluster rows, the whole request's refusals, the deadline, the output budget and the cluster rate limit.

import test from 'ava';
import type { FleetAnswer } from '../common/api-fleet.js';
import { parsePolicy } from '../common/policy/index.js';
import { NO_RATE_LIMIT } from '../gateway/config.js';
import { eventually } from '../harness/eventually.js';
import {
  capturingAudit,
  type GatewayStack,
  startGatewayStack,
  TEST_POLICY_YAML,
} from '../harness/gateway.js';

const fleet = (s: GatewayStack, who: 'alice' | 'bob' | 'admin', payload: unknown) =>
  s.app.inject({ method: 'POST', url: '/fleet/execute', payload: payload as object, headers: s.as(who) });

const THREE: { clusters: string[]; agents: Record<string, 'answer'> } = {
  clusters: ['c1', 'c2', 'c3'],
  agents: { c1: 'answer', c2: 'answer' },
};

test('fleet - runs on every selected cluster, answers in cluster order, and audits each plus the fan-out', async (t) => {
  const s = await startGatewayStack(t, { ...THREE, redis: false });
  const res = await fleet(s, 'admin', { clusters: ['c*'], command: 'get pods -A', correlation_id: 'corr-f' });
  t.is(res.statusCode, 200, res.body);
  const body = res.json() as FleetAnswer;
  t.deepEqual(
    body.results.map((r) => [r.cluster_id, r.status]),
    [
      ['c1', 'success'],
      ['c2', 'success'],
      ['c3', 'unavailable'],
    ],
  );
  t.deepEqual(body.summary, { clusters: 3, success: 2, failure: 0, timeout: 0, denied: 0, unavailable: 1 });
  t.regex(body.results[0]!.output, /^ok get pods --all-namespaces/);
  t.is(body.results[2]!.command_id, null, 'nothing was sent to a cluster without an agent');
  t.is(body.results[0]!.command_id, s.agents.c1!.received[0]!.id);
  t.is(s.agents.c2!.received.length, 1);

  const executed = s.captured.of('command_executed');
  t.deepEqual(executed.map((e) => e.cluster_id).sort(), ['c1', 'c2']);
  for (const e of executed) {
    t.is(e.details?.fleet_id, body.fleet_id);
    t.is(e.details?.correlation_id, 'corr-f');
  }
  t.is(s.captured.of('command_attempt').length, 2);
  t.like(s.captured.of('agent_connection_failure')[0], {
    cluster_id: 'c3',
    details: { fleet_id: body.fleet_id },
  });
  const fan = s.captured.of('fleet_execution');
  t.is(fan.length, 1);
  t.like(fan[0], {
    identity: 'admin',
    details: {
      fleet_id: body.fleet_id,
      selectors: ['c*'],
      clusters: ['c1', 'c2', 'c3'],
      summary: body.summary,
    },
  });
  // Each row's result is kept for its owner like a single command's.
  const kept = await s.app.inject({
    url: `/debug/result/${body.results[1]!.command_id}`,
    headers: s.as('admin'),
  });
  t.is(kept.statusCode, 200);
});

test("fleet - globs match only the caller's clusters; a named cluster it may not use is 404 for the whole request", async (t) => {
  const s = await startGatewayStack(t, { ...THREE, redis: false });
  const all = (await fleet(s, 'bob', { clusters: ['*'], command: 'get pods' })).json() as FleetAnswer;
  t.deepEqual(
    all.results.map((r) => r.cluster_id),
    ['c2'],
  );

  const unknown = await fleet(s, 'bob', { clusters: ['c2', 'nope'], command: 'get pods' });
  const forbidden = await fleet(s, 'bob', { clusters: ['c2', 'c1'], command: 'get pods' });
  t.is(forbidden.statusCode, 404);
  t.is(forbidden.body, unknown.body, "another tenant's cluster answers byte for byte like an unknown one");
  t.deepEqual(forbidden.json(), { error: 'not_found', message: 'cluster not found' });
  t.false(forbidden.body.includes('c2'), 'the answer names no cluster');
  t.is(s.agents.c1!.received.length, 0);
  t.is(s.agents.c2!.received.length, 1, 'only the first, allowed request ran');
  t.true(
    s.captured
      .of('access_denied')
      .some((e) => e.cluster_id === 'c1' && e.details?.reason === 'cluster_not_found'),
  );
});

test('fleet - a glob that matches nothing answers no rows; duplicates and overlaps run once per cluster', async (t) => {
  const s = await startGatewayStack(t, { ...THREE, redis: false });
  const none = await fleet(s, 'alice', { clusters: ['prod-*', 'c3?'], command: 'get pods' });
  t.is(none.statusCode, 200);
  t.deepEqual((none.json() as FleetAnswer).results, []);
  t.is((none.json() as FleetAnswer).summary.clusters, 0);

  const dup = (
    await fleet(s, 'alice', { clusters: ['c1', 'c1', 'c?', '*', 'c1'], command: 'get pods' })
  ).json();
  t.deepEqual(
    (dup as FleetAnswer).results.map((r) => r.cluster_id),
    ['c1', 'c2'],
  );
  t.is(s.agents.c1!.received.length, 1);
});

test('fleet - huge selector lists, control characters and malformed names are 400 with the error shape', async (t) => {
  const s = await startGatewayStack(t, { ...THREE, redis: false, agents: { c1: 'answer' } });
  const bad: unknown[] = [
    { clusters: Array.from({ length: 101 }, (_, i) => `c${i}`), command: 'get pods' },
    { clusters: [], command: 'get pods' },
    { clusters: ['c1\u0000'], command: 'get pods' },
    { clusters: ['c1\n'], command: 'get pods' },
    { clusters: ['\u001b[31mc1'], command: 'get pods' },
    { clusters: ['C1'], command: 'get pods' },
    { clusters: ['c'.repeat(64)], command: 'get pods' },
    { clusters: ['c1/../c2'], command: 'get pods' },
    { clusters: 'c1', command: 'get pods' },
    { clusters: ['c1'], command: 'get pods', args: ['pods'] },
    { clusters: ['c1'], command: 'get pods', max_concurrency: 0 },
    { clusters: ['c1'], command: 'get pods', max_concurrency: 100_000 },
    { clusters: ['c1'], command: 'get pods', cluster_id: 'c1' },
    { clusters: ['c1'], command: 'get pods', session_id: 'abc' },
  ];
  for (const payload of bad) {
    const res = await fleet(s, 'admin', payload);
    t.is(res.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)} → ${res.body}`);
    t.is(res.json().error, 'bad_request');
    t.false(/[\u0000-\u001f]/.test(res.body), 'no control character is echoed');
  }
  t.is(s.agents.c1!.received.length, 0);
});

test('fleet - the command is refused for the whole request when the grammar refuses it; nothing runs', async (t) => {
  const s = await startGatewayStack(t, { ...THREE, redis: false });
  const invalid = await fleet(s, 'admin', { clusters: ['*'], command: 'get pods --frobnicate' });
  t.is(invalid.statusCode, 400, invalid.body);
  t.is(invalid.json().error, 'invalid_command');
  const write = await fleet(s, 'admin', { clusters: ['*'], command: 'delete pods --all' });
  t.is(write.statusCode, 403, write.body);
  t.is(write.json().error, 'unauthorized_command');
  const token = await fleet(s, 'admin', { clusters: ['*'], command: 'get pods --token=s3cret' });
  t.is(token.statusCode, 403);
  t.is(s.agents.c1!.received.length + s.agents.c2!.received.length, 0);
  t.is(s.captured.of('fleet_execution').length, 0);
  t.false(
    JSON.stringify(s.captured.events).includes('s3cret'),
    'a forbidden flag value never reaches the audit',
  );
  t.true(s.captured.of('access_denied').some((e) => e.details?.reason === 'invalid_command'));
});

test("fleet - each cluster's own policy narrows its row to denied", async (t) => {
  const policy = parsePolicy(
    `${TEST_POLICY_YAML}\nclusters:\n  c2:\n    verbs: [get]\n    resources:\n      get: [nodes]\n`,
    't',
  );
  const s = await startGatewayStack(t, { ...THREE, redis: false, policy });
  const body = (
    await fleet(s, 'admin', { clusters: ['c1', 'c2'], command: 'get pods' })
  ).json() as FleetAnswer;
  t.deepEqual(
    body.results.map((r) => r.status),
    ['success', 'denied'],
  );
  t.truthy(body.results[1]!.error);
  t.is(s.agents.c2!.received.length, 0);
  t.like(s.captured.of('unauthorized_command_attempt')[0], {
    cluster_id: 'c2',
    details: { fleet_id: body.fleet_id },
  });
});

test('fleet - max_concurrency bounds the commands in flight and no command outlives the deadline', async (t) => {
  const s = await startGatewayStack(t, {
    ...THREE,
    redis: false,
    agents: { c1: 'silent', c2: 'silent', c3: 'silent' },
  });
  const res = await fleet(s, 'admin', {
    clusters: ['*'],
    command: 'get pods',
    timeout_seconds: 2,
    max_concurrency: 1,
  });
  const body = res.json() as FleetAnswer;
  // One at a time: the first took the whole deadline, the others' turns came after it and were never sent.
  t.deepEqual(
    body.results.map((r) => [r.status, r.command_id === null]),
    [
      ['timeout', false],
      ['timeout', true],
      ['timeout', true],
    ],
  );
  t.is(s.agents.c1!.received.length, 1);
  t.is(s.agents.c2!.received.length + s.agents.c3!.received.length, 0);
  // Nothing was sent to c2 and c3, so they have no record of their own: the fan-out's record names them.
  const fanOut = await eventually(t, () => s.captured.of('fleet_execution')[0], {
    message: 'the fan-out record',
  });
  t.deepEqual(fanOut.details?.not_sent, ['c2', 'c3']);
});

test('fleet - answers at the deadline while a run is stuck (a fail-closed audit write that never returns)', async (t) => {
  const audit = capturingAudit();
  const s = await startGatewayStack(t, { ...THREE, redis: false, audit });
  audit.record = () => new Promise(() => {});
  const res = await fleet(s, 'admin', { clusters: ['c1', 'c2'], command: 'get pods', timeout_seconds: 1 });
  t.is(res.statusCode, 200);
  t.deepEqual(
    (res.json() as FleetAnswer).results.map((r) => r.status),
    ['timeout', 'timeout'],
  );
  t.is(s.agents.c1!.received.length, 0, 'nothing runs without its recorded attempt');
});

test('fleet - the outputs share one budget: rows past it are cut on a character boundary and marked', async (t) => {
  const output = `${'é'.repeat(300)}\n`; // 601 bytes
  const s = await startGatewayStack(t, {
    ...THREE,
    redis: false,
    agents: { c1: () => ({ output }), c2: () => ({ output }), c3: () => ({ output }) },
    config: { fleet: { maxClusters: 1000, outputBudgetBytes: 1024 } },
  });
  const body = (await fleet(s, 'admin', { clusters: ['*'], command: 'get pods' })).json() as FleetAnswer;
  const sizes = body.results.map((r) => Buffer.byteLength(r.output));
  t.true(sizes.reduce((a, b) => a + b, 0) <= 1024, String(sizes));
  t.is(body.results.filter((r) => r.truncated).length, 2, 'one row whole, one cut, one empty');
  for (const r of body.results) t.false(r.output.includes('\ufffd'), 'no character is split');
  // The audit's digest is of what the caller received.
  for (const e of s.captured.of('command_executed')) {
    const row = body.results.find((r) => r.command_id === e.command_id)!;
    t.is(e.details?.output_bytes, Buffer.byteLength(row.output));
  }
});

test('fleet - rate limits count clusters, per identity; too many matched clusters is a 400 saying how many', async (t) => {
  const s = await startGatewayStack(t, {
    ...THREE,
    redis: false,
    config: {
      rateLimit: { ...NO_RATE_LIMIT, fleetClusters: 3 },
      fleet: { maxClusters: 2, outputBudgetBytes: 1 << 20 },
    },
  });
  const many = await fleet(s, 'admin', { clusters: ['*'], command: 'get pods' });
  t.is(many.statusCode, 400);
  t.like(many.json(), { error: 'bad_request', details: { matched: 3, limit: 2 } });
  t.is((await fleet(s, 'admin', { clusters: ['c1', 'c2'], command: 'get pods' })).statusCode, 200);
  const over = await fleet(s, 'admin', { clusters: ['c1', 'c2'], command: 'get pods' });
  t.is(over.statusCode, 429, over.body);
  t.like(over.json(), { error: 'rate_limited', details: { limit: 3, remaining: 1 } });
  t.is(s.agents.c1!.received.length, 1, 'the refused fan-out ran nowhere');
  t.is((await fleet(s, 'admin', { clusters: ['c1'], command: 'get pods' })).statusCode, 200);
  t.is(
    (await fleet(s, 'bob', { clusters: ['c2'], command: 'get pods' })).statusCode,
    200,
    'another identity has its own',
  );
  t.true(s.captured.of('rate_limit_exceeded').some((e) => e.details?.clusters === 2));
});
