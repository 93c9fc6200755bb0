// kubently exec with a follow command: output printed as it arrives, Ctrl-C ends it with exit 0 (and the agent's
// apiserver stream closes), a stream that ends by itself exits as the command did.

import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { eventually } from '../harness/eventually.js';
import { KEYS } from '../harness/gateway.js';
import { startStreamingStack } from '../harness/stream.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'kubently.js');
const WEB = 'web-7c5ddbdf54-2xkqp';

function kubently(args: string[], url: string) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: tmpdir(), KUBENTLY_API_URL: url, KUBENTLY_API_KEY: KEYS.alice },
  });
  const run = { stdout: '', stderr: '', code: undefined as number | null | undefined };
  child.stdout.on('data', (d: Buffer) => {
    run.stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    run.stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then((code) => {
    run.code = code;
  });
  return { run, child, exited };
}

test('cli stream - exec logs -f prints lines as they are written and Ctrl-C exits 0, closing the agent stream', async (t) => {
  const s = await startStreamingStack(t);
  const { run, child, exited } = kubently(['exec', 'c1', 'logs', '-f', WEB, '--tail=1'], s.url);
  t.teardown(() => child.kill('SIGKILL'));
  await eventually(t, () => run.stdout.includes('GET /api/cart'), { message: 'the tail was printed' });
  s.sim.live.appendLog('default', WEB, 'nginx', 'printed as it happens');
  await eventually(t, () => run.stdout.endsWith('printed as it happens\n'), {
    message: 'the new line was printed',
  });
  t.is(run.code, undefined, 'still running');
  child.kill('SIGINT');
  t.is(await exited, 0);
  t.is(run.stderr, '');
  await eventually(t, () => s.sim.openStreams === 0, { message: 'the agent closed its follow' });
});

test('cli stream - exec get pods -w prints the table and a row per change; a stream that ends exits 0', async (t) => {
  const s = await startStreamingStack(t, { policyExtra: 'limits: { stream: { maxSeconds: 3 } }\n' });
  const { run, child, exited } = kubently(['exec', 'c1', 'get', 'pods', '-w', '-l', 'app=web'], s.url);
  t.teardown(() => child.kill('SIGKILL'));
  await eventually(t, () => run.stdout.includes('NAME') && s.sim.openStreams === 1, {
    message: 'the table was printed',
  });
  s.sim.live.setPodPhase('default', WEB, 'Failed');
  await eventually(t, () => /\n\S+ +0\/1 +Error +0 +\S+\n$/.test(run.stdout), {
    message: 'the change was printed',
  });
  t.is(await exited, 0);
  t.regex(run.stderr, /stopped at the policy's time limit/);
});

test('cli stream - a refused follow command keeps its exit code', async (t) => {
  const s = await startStreamingStack(t);
  const { run, exited } = kubently(['exec', 'c1', 'logs', '-f', 'secret/x'], s.url);
  t.not(await exited, 0);
  t.regex(run.stderr, /invalid_command|unauthorized_command/);
});
