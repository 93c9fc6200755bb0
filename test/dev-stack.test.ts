// `npm run dev` as a new user runs it: the whole stack from one command, a working curl, a clean Ctrl-C.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import type { CommandResult } from '../common/api.js';
import { eventually, scaled } from '../harness/eventually.js';
import { freePort } from '../scripts/lib/nats-server.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function descendants(pid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=']);
  const children = new Map<number, number[]>();
  for (const line of stdout.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

test('dev - npm run dev starts the stack, the printed curl answers like kubectl, Ctrl-C stops every process', async (t) => {
  const devDir = await mkdtemp(join(tmpdir(), 'kubently-dev-'));
  t.teardown(() => rm(devDir, { recursive: true, force: true }));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/dev.ts')], {
    cwd: root,
    env: {
      ...process.env,
      KUBENTLY_DEV_DIR: devDir,
      PORT: String(port),
      AUDIT_METRICS_PORT: String(await freePort()),
      GATEWAY_METRICS_PORT: String(await freePort()),
      KUBECONFIG: join(devDir, 'no-kubeconfig'),
      REDIS_URL: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // On failure, stop the stack the way a user would (Ctrl-C), so its nats-server does not outlive the test.
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), scaled(15_000));
    await exited;
    clearTimeout(timer);
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), scaled(60_000));
    const check = () => {
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', () => resolve(false));
  });
  t.true(ready, `the stack came up:\n${output}`);
  t.regex(output, /no kubeconfig context found: using the simulated cluster/);
  t.regex(output, /REDIS_URL is not set: .*one gateway replica only/, 'the memory-store warning is shown');

  const apiKey = (await readFile(join(devDir, 'api-key'), 'utf8')).trim();
  t.true(output.includes(`X-API-Key: ${apiKey}`), 'the printed curl carries the dev key');
  const curl = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/debug/execute`, {
      method: 'POST',
      headers: { 'X-API-Key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        cluster_id: 'local',
        command_type: 'get',
        args: ['pods'],
        namespace: 'default',
      }),
    });
    return { status: res.status, body: (await res.json()) as CommandResult };
  };
  const kubectl = () =>
    run('kubectl', ['--kubeconfig', join(devDir, 'sim-kubeconfig.yaml'), 'get', 'pods', '-n', 'default']);
  // Cells like "7 (4m6s ago)" follow the clock: when a second boundary falls between the two, ask again.
  let ours = await curl();
  let theirs = await kubectl();
  for (let i = 0; i < 2 && ours.body.output !== theirs.stdout; i++)
    [ours, theirs] = await Promise.all([curl(), kubectl()]);
  t.is(ours.status, 200);
  t.is(ours.body.status, 'success');
  t.is(ours.body.output, theirs.stdout);

  const processes = await descendants(child.pid!);
  t.true(processes.length >= 4, 'nats-server, gateway, agent and audit run as child processes');
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  t.is(code, 0);
  // tsx's esbuild helpers leave a moment after their node process: allow them a few seconds.
  await eventually(t, () => !processes.some(alive), {
    message: `no process is left running (alive: ${processes.filter(alive).join(', ')})`,
  });
  t.deepEqual(processes.filter(alive), [], 'no process is left running');
});

test('dev - a missing nats-server is explained with how to install it, not a stack trace', async (t) => {
  const devDir = await mkdtemp(join(tmpdir(), 'kubently-dev-'));
  t.teardown(() => rm(devDir, { recursive: true, force: true }));
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/dev.ts')], {
      cwd: root,
      // Only node's own directory on PATH: no nats-server to be found.
      env: { ...process.env, PATH: dirname(process.execPath), KUBENTLY_DEV_DIR: devDir, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('exit', (code) => resolve({ code, output }));
  });
  t.is(result.code, 1);
  t.regex(result.output, /apt-get install nats-server/);
  t.notRegex(result.output, /\n\s+at /, 'no stack trace');
});
