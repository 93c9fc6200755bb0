// POST /fleet/execute attacked: concurrent requests against the cluster budget, a run held up past the
// fan-out's deadline (nothing may be sent after the answer, and no record may claim an output the caller never
// got), other tenants' clusters named or globbed, and hostile bodies.

import test from 'ava';
import type { FleetAnswer } from '../common/api-fleet.js';
import type { AuditEventInput } from '../common/audit/events.js';
import { outputDigest } from '../common/audit/output-digest.js';
import type { CommandRunner } from '../gateway/command-runner.js';
import { NO_RATE_LIMIT } from '../gateway/config.js';
import { fanOut } from '../gateway/fleet.js';
import { eventually, scaled } from '../harness/eventually.js';
import { capturingAudit, type GatewayStack, startGatewayStack } from '../harness/gateway.js';
import { quietLog } from '../harness/log.js';

const fleet = (s: GatewayStack, who: 'alice' | 'bob' | 'admin', payload: unknown) =>
  s.app.inject({ method: 'POST', url: '/fleet/execute', payload: payload as object, headers: s.as(who) });

test('attack fleet - concurrent requests cannot spend more clusters than the budget holds', async (t) => {
  const s = await startGatewayStack(t, {
    clusters: ['c1', 'c2', 'c3'],
    agents: { c1: 'answer', c2: 'answer', c3: 'answer' },
    config: { rateLimit: { ...NO_RATE_LIMIT, fleetClusters: 3 } },
  });
  const answers = await Promise.all(
    Array.from({ length: 8 }, () => fleet(s, 'admin', { clusters: ['*'], command: 'get pods' })),
  );
  const statuses = answers.map((a) => a.statusCode);
  // Increments of racing requests may interleave so that none fits: then none runs (never more than one).
  t.true(statuses.filter((c) => c === 200).length <= 1, String(statuses));
  t.true(
    statuses.every((c) => c === 200 || c === 429),
    String(statuses),
  );
  const sent = ['c1', 'c2', 'c3'].reduce((n, id) => n + s.agents[id]!.received.length, 0);
  t.true(sent <= 3, `a budget of 3 clusters ran ${sent} commands`);
  t.is(s.captured.of('rate_limit_exceeded').length, statuses.filter((c) => c === 429).length);
});

test('attack fleet - a run held up past the deadline is never sent, and no record claims output the caller never got', async (t) => {
  const audit = capturingAudit();
  const output = 'NAME   READY\nsecret-looking-row 1/1\n';
  const s = await startGatewayStack(t, {
    clusters: ['c1'],
    agents: { c1: () => ({ output }) },
    redis: false,
    audit,
  });
  // The fail-closed attempt record is held until the fan-out has answered, then let through.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const record = audit.record.bind(audit);
  audit.record = async (event) => {
    await held;
    return record(event);
  };
  const res = await fleet(s, 'admin', { clusters: ['c1'], command: 'get pods', timeout_seconds: 1 });
  t.is(res.statusCode, 200, res.body);
  const row = (res.json() as FleetAnswer).results[0]!;
  t.is(row.status, 'timeout');
  t.is(row.output, '');
  release();
  // The run goes on and writes its own command_executed record: it must be a timeout of the empty output.
  const executed: AuditEventInput = await eventually(
    t,
    () => audit.of('command_executed').find((e) => e.command_id === row.command_id),
    { message: 'the held run records its end' },
  );
  t.is(s.agents.c1!.received.length, 0, 'nothing is sent after the fan-out answered');
  t.like(executed.details, { status: 'timeout', output_bytes: 0 });
});

test("attack fleet - another tenant's cluster named, globbed or listed twice reveals nothing", async (t) => {
  const s = await startGatewayStack(t, {
    clusters: ['c1', 'c2', 'c3'],
    agents: { c1: 'answer', c2: 'answer' },
    redis: false,
  });
  // bob may use c2 only (the test policy).
  const named = await fleet(s, 'bob', { clusters: ['c2', 'c1'], command: 'get pods' });
  const missing = await fleet(s, 'bob', { clusters: ['c2', 'nope'], command: 'get pods' });
  t.is(named.statusCode, 404);
  t.is(missing.statusCode, 404);
  t.deepEqual(
    { ...named.json(), details: undefined },
    { ...missing.json(), details: undefined },
    'the same answer for a foreign and a missing cluster',
  );
  t.notRegex(named.body, /\bc1\b/);
  const globbed = (
    await fleet(s, 'bob', { clusters: ['*', 'c?', 'c*', '?*'], command: 'get pods' })
  ).json() as FleetAnswer;
  t.deepEqual(
    globbed.results.map((r) => r.cluster_id),
    ['c2'],
  );
  const dup = (
    await fleet(s, 'bob', { clusters: Array(100).fill('c2'), command: 'get pods' })
  ).json() as FleetAnswer;
  t.is(dup.results.length, 1);
  t.is(s.agents.c1!.received.length, 0);
});

test('attack fleet - a glob built to backtrack (?*?*…z) against long cluster ids answers at once', async (t) => {
  const long = 'prod-eu-west-1-payments-cluster-0001-blue'; // 41 characters
  const s = await startGatewayStack(t, {
    clusters: ['c1', long],
    agents: { c1: 'answer' },
    redis: false,
  });
  // As an anchored regex, each of these took minutes on the 41-character id, with the event loop blocked.
  const evil = [20, 24, 28, 30].map((k) => `${'?*'.repeat(k)}z`);
  const res = await fleet(s, 'admin', { clusters: [...evil, 'c?'], command: 'get pods' });
  t.is(res.statusCode, 200, res.body);
  t.deepEqual(
    (res.json() as FleetAnswer).results.map((r) => r.cluster_id),
    ['c1'],
  );
  const matching = await fleet(s, 'admin', { clusters: [`${'?*'.repeat(30)}e`], command: 'get pods' });
  t.deepEqual(
    (matching.json() as FleetAnswer).results.map((r) => r.cluster_id),
    [long],
  );
});

test('attack fleet - X-Correlation-ID with control characters is refused like the body field (400)', async (t) => {
  const s = await startGatewayStack(t, { clusters: ['c1'], agents: { c1: 'answer' }, redis: false });
  for (const id of ['a\u009b31m', 'a\u001b[2J', 'a\u0085b']) {
    for (const [url, payload] of [
      ['/fleet/execute', { clusters: ['c1'], command: 'get pods' }],
      ['/debug/execute', { cluster_id: 'c1', command: 'get pods' }],
    ] as const) {
      const res = await s.app.inject({
        method: 'POST',
        url,
        payload,
        headers: { ...s.as('admin'), 'x-correlation-id': id },
      });
      t.is(res.statusCode, 400, `${url} ${JSON.stringify(id)}`);
    }
  }
  t.is(s.agents.c1!.received.length, 0);
});

test('attack fleet - a result kept too slowly to answer in time is still the row its audit digest names', async (t) => {
  const output = 'NAME  READY\nweb   1/1\n';
  const digests = new Map<string, string>();
  // The runner shapes and audits the result, then its keeping (the result store) never ends.
  const runner: CommandRunner = {
    run: async (r) => {
      const result = r.shape!({
        command_id: r.commandId!,
        session_id: null,
        cluster_id: r.body.cluster_id,
        status: 'success',
        output,
        error: null,
        execution_time_ms: 3,
        executed_at: new Date().toISOString(),
        truncated: false,
      });
      digests.set(r.commandId!, outputDigest(result.output).output_sha256);
      return new Promise<never>(() => {});
    },
  };
  const rows = await fanOut(runner, quietLog(), {
    origin: {} as never,
    body: { clusters: ['c1', 'c2'], command: 'get pods' },
    clusters: ['c1', 'c2'],
    policy: {} as never,
    parsed: {} as never,
    fleetId: 'f',
    // Long enough for both runs to be shaped on a busy machine (the keeping never ends, so the deadline
    // always comes): a 10 ms deadline could pass before c2's run started, leaving nothing to compare.
    timeoutMs: scaled(1000),
    concurrency: 2,
    outputBudgetBytes: output.length + 4,
  });
  for (const r of rows)
    t.is(digests.get(r.command_id!), outputDigest(r.output).output_sha256, `${r.cluster_id}: ${r.status}`);
  t.deepEqual(
    rows.map((r) => [r.status, r.truncated]),
    [
      ['success', false],
      ['success', true],
    ],
  );
});
