import { execFile } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parse, stringify } from 'yaml';
import { tempDir } from '../harness/audit.js';

const RULES = new URL('../k8s/base/monitoring/prometheus-rules.yaml', import.meta.url);
const TESTS = new URL('./prometheus-rules/kubently-rules.test.yaml', import.meta.url);

test('prometheus rules - promtool checks the rules and every unit test passes', async (t) => {
  const resource = parse(await readFile(RULES, 'utf8')) as { kind: string; spec: { groups: unknown[] } };
  t.is(resource.kind, 'PrometheusRule');
  const dir = await tempDir(t);
  // promtool reads plain rule files: the PrometheusRule's spec is one.
  await writeFile(join(dir, 'rules.yaml'), stringify({ groups: resource.spec.groups }));
  await copyFile(TESTS, join(dir, 'tests.yaml'));
  const run = promisify(execFile);
  const check = await run('promtool', ['check', 'rules', join(dir, 'rules.yaml')]);
  t.regex(check.stdout, /SUCCESS: 10 rules found/);
  const result = await run('promtool', ['test', 'rules', join(dir, 'tests.yaml')]).catch(
    (err: { stdout: string; stderr: string }) => err,
  );
  t.log(result.stdout.trim());
  t.regex(result.stdout, /SUCCESS/, `${result.stdout}\n${result.stderr}`);
});

test("prometheus rules - the security guide's three alerts exist", async (t) => {
  const resource = parse(await readFile(RULES, 'utf8')) as {
    spec: { groups: { rules: { alert: string }[] }[] };
  };
  const alerts = resource.spec.groups.flatMap((g) => g.rules.map((r) => r.alert));
  for (const name of [
    'KubentlyAuthenticationFailures',
    'KubentlyUnauthorizedCommands',
    'KubentlyAgentDisconnected',
  ]) {
    t.true(alerts.includes(name), name);
  }
});
