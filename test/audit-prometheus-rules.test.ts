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

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces as `-`. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

test('prometheus rules - every alert has a runbook_url whose section in docs/runbooks.md says what it means, how to investigate and respond', async (t) => {
  const resource = parse(await readFile(RULES, 'utf8')) as {
    spec: { groups: { rules: { alert: string; annotations?: Record<string, string> }[] }[] };
  };
  const runbooks = await readFile(new URL('../docs/runbooks.md', import.meta.url), 'utf8');
  // Each `## ` heading's anchor with the text up to the next one.
  const sections = new Map<string, string>();
  for (const part of runbooks.split(/^## /m).slice(1)) {
    const newline = part.indexOf('\n');
    sections.set(anchorOf(part.slice(0, newline)), part.slice(newline));
  }
  const rules = resource.spec.groups.flatMap((g) => g.rules);
  t.true(rules.length >= 10);
  for (const rule of rules) {
    const url = rule.annotations?.runbook_url;
    const m = /^docs\/runbooks\.md#([a-z0-9_-]+)$/.exec(url ?? '');
    if (!m) {
      t.fail(`${rule.alert}: runbook_url ${JSON.stringify(url)} is not docs/runbooks.md#<anchor>`);
      continue;
    }
    const section = sections.get(m[1]!);
    if (section === undefined) {
      t.fail(`${rule.alert}: docs/runbooks.md has no heading with anchor #${m[1]}`);
      continue;
    }
    for (const part of ['**Means**', '**Investigate**', '**Respond**'])
      t.true(section.includes(part), `${rule.alert}: its runbook has ${part}`);
    t.regex(
      section,
      /kubently (audit|doctor|clusters|cluster)/,
      `${rule.alert}: its runbook uses Kubently's tools`,
    );
  }
  t.is(anchorOf('KubentlyAuditConsumerLag'), 'kubentlyauditconsumerlag');
  t.is(anchorOf('What is `guaranteed`, and what not'), 'what-is-guaranteed-and-what-not');
});
