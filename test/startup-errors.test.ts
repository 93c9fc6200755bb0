// Every service refuses to start with one clear line, never a stack trace: bad configuration, NATS or
// Redis that cannot be reached.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import test from 'ava';
import { scaled } from '../harness/eventually.js';

const root = join(import.meta.dirname, '..');

function start(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, script)],
      { cwd: root, env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env }, timeout: scaled(30_000) },
      (err, _stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }),
    );
  });
}

const unreachableNats = 'nats://127.0.0.1:1';
const cases: Array<[string, string, Record<string, string>, RegExp]> = [
  ['gateway', 'gateway/main.ts', { PORT: 'eighty' }, /PORT="eighty" must be an integer/],
  [
    'gateway',
    'gateway/main.ts',
    { NATS_URL: unreachableNats },
    /NATS at nats:\/\/127\.0\.0\.1:1 is unreachable/,
  ],
  ['agent', 'agent/main.ts', {}, /CLUSTER_ID is required/],
  ['agent', 'agent/main.ts', { CLUSTER_ID: 'Not_A_Label', AGENT_TOKEN: 'x' }, /must be a DNS label/],
  ['audit', 'audit/main.ts', { NATS_URL: unreachableNats }, /NATS at nats:\/\/127\.0\.0\.1:1 is unreachable/],
  ['audit', 'audit/main.ts', { AUDIT_STDOUT: 'false' }, /AUDIT_STDOUT=false needs AUDIT_LOG_FILE/],
];

for (const [service, script, env, message] of cases) {
  test(`startup - the ${service} refuses ${JSON.stringify(env)} with a clear message and no stack trace`, async (t) => {
    const { code, stderr } = await start(script, env);
    t.not(code, 0);
    t.regex(stderr, message);
    t.notRegex(stderr, /\n\s+at /, 'no stack trace');
  });
}
