// `npm run dev` as a new user runs it: the whole stack from one command, a working curl, a clean Ctrl-C.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
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

/** Runs `npm run dev` with `env` until it prints its banner; stopped (Ctrl-C) at teardown. */
async function startDevStack(t: ExecutionContext, env: Record<string, string>) {
  // Five processes start at once (nats-server, audit, agents, gateway): slow on a busy machine. The stack
  // bounds its own start-up (it exits when the gateway is not up within 120 s).
  t.timeout(scaled(300_000));
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
      ...env,
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
  const ready = new Promise<boolean>((resolve) => {
    const collect = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Press Ctrl-C to stop.')) resolve(true);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', () => resolve(false));
  });
  t.true(await ready, `the stack came up:\n${output}`);
  const devKey = (await readFile(join(devDir, 'api-key'), 'utf8')).trim();
  const base = `http://127.0.0.1:${port}`;
  return { child, devDir, port, base, devKey, output: () => output };
}

// Serial: each stack is five processes, and two at once starve a busy machine.
test.serial(
  'dev - npm run dev starts the stack, the printed curl answers like kubectl, Ctrl-C stops every process',
  async (t) => {
    const { child, devDir, port, output: printed } = await startDevStack(t, {});
    const output = printed();
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
  },
);

test.serial(
  'dev - API_KEYS, ADMIN_IDENTITIES, CLUSTERS, POLICY_FILE and AUDIT_LOG_FILE reach the stack beside its own dev key',
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'kubently-dev-env-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const keys = { alice: `alice-${'a'.repeat(40)}`, bob: `bob-${'b'.repeat(40)}` };
    const policyFile = join(dir, 'policy.yaml');
    // bob may use cluster b only; on cluster b the agent's own copy caps output at 1 KiB.
    await writeFile(
      policyFile,
      [
        'name: dev-env-test',
        'extends: readOnly',
        'identities:',
        '  bob: { clusters: [b] }',
        '  "*": { clusters: ["*"] }',
        'clusters:',
        '  b:',
        '    limits: { maxOutputBytes: 1024 }',
        '',
      ].join('\n'),
    );
    const auditLog = join(dir, 'audit.jsonl');
    const stack = await startDevStack(t, {
      API_KEYS: `alice:${keys.alice}, bob:${keys.bob}`,
      ADMIN_IDENTITIES: 'alice',
      CLUSTERS: 'a,b',
      POLICY_FILE: policyFile,
      AUDIT_LOG_FILE: auditLog,
    });
    t.regex(stack.output(), /clusters\s+a, b/);

    const call = async (key: string, path: string, body?: object) => {
      const res = await fetch(`${stack.base}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { 'X-API-Key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as CommandResult & { error: string } };
    };
    const getPods = (key: string, cluster: string) =>
      call(key, '/debug/execute', { cluster_id: cluster, command: 'get pods -A -o wide' });

    // Both agents answer, each for its own cluster.
    const onA = await getPods(keys.alice, 'a');
    t.is(onA.status, 200, JSON.stringify(onA.body));
    t.like(onA.body, { cluster_id: 'a', status: 'success', truncated: false });
    t.true(Buffer.byteLength(onA.body.output) > 1024, 'the command prints more than cluster b allows');
    const onB = await getPods(keys.bob, 'b');
    t.is(onB.status, 200, JSON.stringify(onB.body));
    t.like(
      onB.body,
      { cluster_id: 'b', status: 'success', truncated: true },
      "b's agent applies POLICY_FILE",
    );
    t.true(Buffer.byteLength(onB.body.output) <= 1024);

    // The gateway applies POLICY_FILE to the identities from API_KEYS; the dev key still works.
    t.is((await getPods(keys.bob, 'a')).status, 404, 'cluster a does not exist for bob');
    t.is((await getPods(stack.devKey, 'a')).status, 200, 'the dev key is kept beside API_KEYS');

    // ADMIN_IDENTITIES adds to the dev identity, which stays an admin.
    t.is((await call(keys.alice, '/admin/agents')).status, 200);
    t.is((await call(stack.devKey, '/admin/agents')).status, 200);
    t.is((await call(keys.bob, '/admin/agents')).status, 403);

    // The audit consumer writes where AUDIT_LOG_FILE says.
    await eventually(
      t,
      async () => (await readFile(auditLog, 'utf8').catch(() => '')).includes('"identity":"bob"'),
      { timeoutMs: 30_000, message: `bob's commands are in ${auditLog}` },
    );
  },
);

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
