// The Grafana dashboard shipped with the monitoring overlay: every query is valid PromQL (promtool parses it)
// and names only metrics that Kubently's running services export, read from their real registries.

import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import type { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { startConsumer, tempDir } from '../harness/audit.js';
import { startGatewayStack } from '../harness/gateway.js';
import { renderOverlay } from '../harness/k8s-render.js';

const DASHBOARD = new URL('../k8s/base/monitoring/grafana-dashboard.json', import.meta.url);

interface Panel {
  id: number;
  title: string;
  type: string;
  targets?: { refId: string; expr: string }[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: { query: string } }[] };
}

/** Grafana's variables as Prometheus would see them once Grafana substituted them. */
function substituteVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__range', '1h')
    .replaceAll('$__interval', '1m')
    .replaceAll('$cluster', '.*');
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers outside strings, label matchers, ranges and
 * grouping clauses that are not function or aggregation names (followed by `(`) nor keywords.
 */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length);
    if (/^\s*\(/.test(after) || PROMQL_WORDS.has(m[0].toLowerCase())) continue;
    if (/\d$/.test(bare.slice(0, m.index)) || /^e\d/i.test(m[0])) continue; // 1e3, 5m
    names.add(m[0]);
  }
  return [...names].sort();
}

/** Every sample name a registry exposes: histograms as _bucket, _sum and _count. */
async function exportedNames(registry: Registry): Promise<string[]> {
  const names: string[] = [];
  for (const m of await registry.getMetricsAsJSON()) {
    const type = String(m.type);
    if (type === 'histogram') names.push(`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`);
    else if (type === 'summary') names.push(m.name, `${m.name}_sum`, `${m.name}_count`);
    else names.push(m.name);
  }
  return names;
}

async function dashboard(): Promise<Dashboard> {
  return JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
}

function queriesOf(d: Dashboard): { where: string; expr: string }[] {
  const flat = (ps: Panel[]): Panel[] => ps.flatMap((p) => [p, ...flat(p.panels ?? [])]);
  const queries = flat(d.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      where: `panel "${p.title}" ${t.refId}`,
      expr: substituteVariables(t.expr),
    })),
  );
  for (const v of d.templating.list) {
    // label_values(<selector>, <label>) is Grafana's, not PromQL: its selector is.
    const m = /^label_values\((.*),\s*[a-z_]+\)$/.exec(v.query?.query ?? '');
    if (m) queries.push({ where: `variable ${v.name}`, expr: m[1]! });
  }
  return queries;
}

test('grafana dashboard - metricNamesIn finds selected metrics only', (t) => {
  t.deepEqual(
    metricNamesIn(
      'histogram_quantile(0.99, sum by (le, cluster_id) (rate(foo_bucket{job="a{b}", x=~"y"}[5m]))) / on (cluster_id) bar > 1e3',
    ),
    ['bar', 'foo_bucket'],
  );
  t.deepEqual(metricNamesIn('max(up{job="kubently-audit"}) or vector(0)'), ['up']);
});

test('grafana dashboard - every query is PromQL that promtool accepts, and it covers what operators watch', async (t) => {
  const d = await dashboard();
  const queries = queriesOf(d);
  t.true(queries.length >= 12);
  const dir = await tempDir(t);
  // promtool parses rule expressions with Prometheus's own parser: one recording rule per query.
  const rules = queries.map((q, i) => ({ record: `kubently:dashboard_query_${i}`, expr: q.expr }));
  await writeFile(join(dir, 'dashboard.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
  const run = promisify(execFile);
  const check = await run('promtool', ['check', 'rules', join(dir, 'dashboard.yaml')]).catch(
    (err: { stdout: string; stderr: string }) => err,
  );
  t.regex(check.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`), check.stderr);
  const all = queries.map((q) => q.expr).join('\n');
  for (const needed of [
    /sum by \(cluster_id, outcome\) \(rate\(kubently_commands_total/,
    /sum by \(rule\) \(rate\(kubently_gateway_unauthorized_commands_total/,
    /kubently_auth_failures_total/,
    /max by \(cluster_id\) \(kubently_agent_connected/,
    /histogram_quantile\(0\.99, .*kubently_gateway_command_duration_seconds_bucket/,
    /kubently_audit_consumer_lag/,
  ])
    t.regex(all, needed);
});

test('grafana dashboard - every metric a query names is exported by the gateway or the audit service', async (t) => {
  const gateway = await startGatewayStack(t, { agents: {}, redis: false });
  const dir = await tempDir(t);
  const audit = await startConsumer(
    t,
    gateway.server,
    { path: join(dir, 'audit.log') },
    { watchAgents: true },
  );
  const exported = new Set([
    ...(await exportedNames(gateway.registry)),
    ...(await exportedNames(audit.registry)),
    // Prometheus's own per-target series.
    'up',
  ]);
  t.true(exported.has('kubently_gateway_command_duration_seconds_bucket'), 'the real gateway registry');
  t.true(exported.has('kubently_audit_consumer_lag'), 'the real audit registry');
  const missing: string[] = [];
  for (const q of queriesOf(await dashboard()))
    for (const name of metricNamesIn(q.expr)) if (!exported.has(name)) missing.push(`${q.where}: ${name}`);
  t.deepEqual(missing, [], 'metrics no Kubently service exports');
});

test('grafana dashboard - the control-plane overlay ships it as a ConfigMap the Grafana sidecar picks up', async (t) => {
  const objects = await renderOverlay('control-plane');
  const maps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
  t.is(maps.length, 1);
  const data = (maps[0] as { data?: Record<string, string> }).data ?? {};
  t.deepEqual(JSON.parse(data['kubently.json'] ?? 'null'), await dashboard());
});
