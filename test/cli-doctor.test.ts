// `kubently doctor` against a real gateway stack (NATS, audit stream, audit consumer writing its log): all
// green when the deployment is right, and the right check fails for each deliberate misconfiguration.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import { createApiClient } from '../cli/api-client.js';
import { checkLag } from '../cli/doctor/audit.js';
import type { CheckRow, DoctorDeps } from '../cli/doctor/check.js';
import { checkCommandFiltering } from '../cli/doctor/command-filtering.js';
import { checkMetricsExposure } from '../cli/doctor/metrics-exposure.js';
import { checkGatewayTransport } from '../cli/doctor/transport.js';
import { runCli } from '../cli/program.js';
import { startMetricsServer } from '../common/metrics-server.js';
import { createOperatorSetup } from '../common/nats-auth/setup.js';
import { startConsumer, tempDir } from '../harness/audit.js';
import { eventually, scaled } from '../harness/eventually.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';
import { quietLog } from '../harness/log.js';
import { provision, startNats } from '../harness/nats-server.js';
import { startRealAgent } from '../harness/real-agent.js';
import { startSim, writeKubeconfig } from '../harness/sim.js';

async function doctor(args: string[], env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await runCli(['doctor', ...args], {
    stdin: new PassThrough(),
    stdout,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: { HOME: '/nonexistent', ...env },
  });
  return { code, stdout: out, stderr: err };
}

/**
 * The stack of `npm run dev` in process: gateway publishing to the audit stream, a real agent of c1 reading the
 * simulated cluster (its credential valid 30 days), the audit consumer writing its log.
 */
async function deployment(t: ExecutionContext, options: { audit?: 'jetstream' | 'captured' } = {}) {
  const setup = await createOperatorSetup({
    clusters: ['c1'],
    agentExpiresAt: Math.floor(Date.now() / 1000) + 30 * 86_400,
  });
  const server = await startNats(t, { setup });
  await provision(t, server, ['c1']);
  const stack = await startGatewayStack(t, {
    nats: server,
    clusters: ['c1'],
    agents: {},
    redis: false,
    ...(options.audit === 'captured' ? {} : { audit: 'jetstream' as const }),
  });
  const sim = await startSim(t);
  await startRealAgent(t, server, 'c1', await writeKubeconfig(t, sim.url));
  await eventually(t, () => stack.tracker.isConnected('c1'), {
    message: 'the real agent of c1 is connected',
  });
  const url = await stack.app.listen({ host: '127.0.0.1', port: 0 });
  const dir = await tempDir(t);
  const log = join(dir, 'audit.log');
  const consumer = await startConsumer(t, stack.server, { path: log });
  const metrics = await startMetricsServer({
    registry: consumer.registry,
    host: '127.0.0.1',
    port: 0,
    log: quietLog(),
  });
  t.teardown(() => metrics.close());
  const flags = [
    '--audit-log',
    log,
    '--audit-metrics-url',
    `http://127.0.0.1:${metrics.port}/metrics`,
    '--wait',
    String(scaled(15)),
  ];
  return { stack, url, log, flags, env: { KUBENTLY_API_URL: url, KUBENTLY_API_KEY: KEYS.admin } };
}

function byCheck(rows: CheckRow[]): Record<string, string> {
  return Object.fromEntries(rows.map((r) => [`${r.check}${r.cluster ? ` ${r.cluster}` : ''}`, r.result]));
}

test('doctor - a correct deployment: every check passes, the table names each, exit 0', async (t) => {
  const d = await deployment(t);
  const json = await doctor(['--all', '-o', 'json', ...d.flags], d.env);
  t.is(json.code, 0, json.stdout);
  const report = JSON.parse(json.stdout) as { ok: boolean; failed: number; checks: CheckRow[] };
  t.true(report.ok);
  t.deepEqual(byCheck(report.checks), {
    'transport: gateway URL': 'pass',
    'metrics not public': 'pass',
    authentication: 'pass',
    'command filtering c1': 'pass',
    'agent RBAC c1': 'pass',
    'transport: agent c1': 'pass',
    'audit: recent records': 'pass',
    // The test consumer has no chain key: an intact plain hash chain is a warning, not a failure.
    'audit: log chain': 'warn',
    'audit: consumer lag': 'pass',
  });
  const table = await doctor(['--cluster', 'c1', ...d.flags], d.env);
  t.is(table.code, 0);
  t.regex(table.stdout, /^CHECK\s+CLUSTER\s+RESULT\s+EVIDENCE\s+WHAT TO DO\n/);
  t.regex(table.stdout, /command filtering\s+c1\s+PASS\s+get secrets… → secret_forbidden/);
  t.regex(table.stdout, /agent RBAC\s+c1\s+PASS/);
  const unknown = await doctor(['--cluster', 'c2', ...d.flags], d.env);
  t.is(unknown.code, 6, 'a cluster the key may not use');
});

test('doctor - a gateway that does not publish audit records fails authentication and audit, exit 1', async (t) => {
  const d = await deployment(t, { audit: 'captured' });
  const r = await doctor(['-o', 'json', ...d.flags, '--wait', '2'], d.env);
  t.is(r.code, 1);
  const checks = byCheck((JSON.parse(r.stdout) as { checks: CheckRow[] }).checks);
  t.is(checks.authentication, 'fail');
  t.is(checks['audit: recent records'], 'fail');
  t.is(checks['command filtering c1'], 'pass', 'the filtering itself still works');
});

test('doctor - an audit log altered after the fact fails the chain check with the broken line', async (t) => {
  const d = await deployment(t);
  t.is((await doctor(['-o', 'json', ...d.flags], d.env)).code, 0);
  const lines = (await readFile(d.log, 'utf8')).split('\n');
  lines[0] = lines[0]!.replace('"event_type":"', '"event_type":"x');
  await writeFile(d.log, lines.join('\n'));
  const r = await doctor(['-o', 'json', ...d.flags], d.env);
  t.is(r.code, 1);
  const row = (JSON.parse(r.stdout) as { checks: CheckRow[] }).checks.find(
    (c) => c.check === 'audit: log chain',
  );
  t.is(row?.result, 'fail');
  t.regex(row?.evidence ?? '', /line 1/);
});

test('doctor - a public URL that routes to the metrics port fails "metrics not public"', async (t) => {
  const d = await deployment(t);
  // The Ingress misrouted to the metrics port: the "public" URL serves Prometheus text.
  const exposed = await startMetricsServer({
    registry: d.stack.registry,
    host: '127.0.0.1',
    port: 0,
    log: quietLog(),
  });
  t.teardown(() => exposed.close());
  const rows = await checkMetricsExposure(deps({ apiUrl: `http://127.0.0.1:${exposed.port}` }));
  t.is(rows[0]?.result, 'fail');
  t.regex(rows[0]!.evidence, /answers 200 with Prometheus metrics/);
  t.is((await checkMetricsExposure(deps({ apiUrl: d.url }))).at(0)?.result, 'pass');
});

test('doctor - plain http to a remote host fails the transport check; https and loopback pass', async (t) => {
  const result = async (apiUrl: string) => (await checkGatewayTransport(deps({ apiUrl })))[0]?.result;
  t.is(await result('http://10.1.2.3:8080'), 'fail');
  t.is(await result('http://kubently.example.com'), 'fail');
  t.is(await result('http://127.0.0.1:8080'), 'pass');
  t.is(await result('http://[::1]:8080'), 'pass');
  t.is(await result('https://kubently.example.com'), 'pass');
});

test('doctor - a gateway in front that lets Secrets, writes or --as through fails command filtering for that cluster', async (t) => {
  // What answers is not Kubently's policy (a proxy answering for it, a patched build): every probe is allowed.
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const body =
      req.url === '/debug/validate'
        ? { allowed: true, normalized_argv: [], rule: 'allowed', reason: 'allowed' }
        : { command_id: 'x', status: 'success', output: 'my-secret', error: null };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const apiUrl = `http://127.0.0.1:${port}`;
  const rows = await checkCommandFiltering(
    deps({
      apiUrl,
      clusters: ['prod'],
      client: createApiClient({ apiUrl, credential: { kind: 'api_key', value: 'k' } } as never),
    }),
  );
  t.is(rows.length, 1);
  t.is(rows[0]?.result, 'fail');
  t.is(rows[0]?.cluster, 'prod');
  t.regex(rows[0]!.evidence, /"get secrets -A" is allowed, expected secret_forbidden/);
  t.regex(rows[0]!.evidence, /not 403 secret_forbidden/);
});

function deps(overrides: Partial<DoctorDeps>): DoctorDeps {
  return {
    client: createApiClient({
      apiUrl: overrides.apiUrl ?? 'http://127.0.0.1:1',
      credential: undefined,
    } as never),
    apiUrl: 'http://127.0.0.1:1',
    fetch,
    clusters: [],
    startedAt: new Date(),
    nonce: 'test',
    waitMs: 1000,
    ...overrides,
  };
}

test('doctor - a consumer lag over the alert threshold fails, an unreachable metrics URL fails, without one it is skipped', async (t) => {
  const { createServer } = await import('node:http');
  let lag = 5000;
  const server = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/plain' })
      .end(`# TYPE kubently_audit_consumer_lag gauge\nkubently_audit_consumer_lag ${lag}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
  const lagRow = (auditMetricsUrl?: string) => checkLag(deps({ auditMetricsUrl }));
  t.like(await lagRow(url), { result: 'fail', evidence: '5000 records pending' });
  lag = 12;
  t.like(await lagRow(url), { result: 'pass', evidence: '12 records pending (threshold 1000)' });
  // A port nothing listens on any more.
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));
  t.like(await lagRow(`http://127.0.0.1:${closedPort}/metrics`), {
    result: 'fail',
    evidence: `cannot reach http://127.0.0.1:${closedPort}/metrics (ECONNREFUSED)`,
  });
  t.is((await lagRow()).result, 'skip');
});
