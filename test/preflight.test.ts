// The pre-flight that `npm test` runs first (harness/preflight.js): a machine without the suite's tools and
// services gets one line per missing part, with the command that installs or starts it, and exit code 1.

import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { tempDir } from '../harness/audit.js';
import { scaled } from '../harness/eventually.js';

const run = promisify(execFile);
const PREFLIGHT = fileURLToPath(new URL('../harness/preflight.js', import.meta.url));
const TOOLS = ['nats-server', 'redis-server', 'kubectl', 'promtool', 'openssl'];

async function preflight(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  // Started by absolute path: the PATH under test need not contain node.
  return run(process.execPath, [PREFLIGHT], { env, timeout: scaled(15_000) }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

/** A directory holding an executable stub for each of `tools`. */
async function stubs(dir: string, tools: string[]): Promise<void> {
  for (const tool of tools) {
    await writeFile(join(dir, tool), '#!/bin/sh\nexit 0\n');
    await chmod(join(dir, tool), 0o755);
  }
}

test('preflight - names every missing tool and an unreachable Redis, one line each with its remedy', async (t) => {
  const empty = await tempDir(t);
  const { code, stdout, stderr } = await preflight({ PATH: empty, TEST_REDIS_URL: 'redis://127.0.0.1:1' });
  t.is(code, 1);
  t.is(stdout, '');
  const lines = stderr.trim().split('\n').slice(1);
  t.deepEqual(lines, [
    'missing nats-server: apt-get install nats-server',
    'missing redis-server: apt-get install redis-server',
    'missing Redis answering PING: start the Redis at 127.0.0.1:1 (TEST_REDIS_URL), or unset TEST_REDIS_URL to use 127.0.0.1:6379',
    'missing kubectl: apt-get install kubectl (Kubernetes apt repository: https://kubernetes.io/docs/tasks/tools/)',
    'missing promtool: apt-get install prometheus (Debian ships promtool in it)',
    'missing openssl: apt-get install openssl',
  ]);
});

test('preflight - a file that is not executable does not count, and the Redis password never appears', async (t) => {
  const dir = await tempDir(t);
  await stubs(
    dir,
    TOOLS.filter((tool) => tool !== 'promtool'),
  );
  await writeFile(join(dir, 'promtool'), 'not a program');
  const { code, stderr } = await preflight({ PATH: dir, TEST_REDIS_URL: 'redis://:hunter2@127.0.0.1:1' });
  t.is(code, 1);
  t.deepEqual(stderr.trim().split('\n').slice(1), [
    'missing Redis answering PING: start the Redis at 127.0.0.1:1 (TEST_REDIS_URL), or unset TEST_REDIS_URL to use 127.0.0.1:6379',
    'missing promtool: apt-get install prometheus (Debian ships promtool in it)',
  ]);
  t.false(stderr.includes('hunter2'));
});

test('preflight - with every tool on PATH and Redis answering it says so and exits 0', async (t) => {
  const dir = await tempDir(t);
  await stubs(dir, TOOLS);
  const { code, stdout } = await preflight({ PATH: dir, TEST_REDIS_URL: process.env.TEST_REDIS_URL ?? '' });
  t.is(code, 0);
  t.regex(stdout, /^pre-flight: .* present\n$/);
});
