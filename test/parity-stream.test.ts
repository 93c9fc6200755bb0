// Follow commands against real kubectl: kubectl 1.32 and the agent's event stream read the same simulated
// apiserver while the same changes happen, and print the same bytes (kubectl logs -f, kubectl get -w).

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { eventually, scaled } from '../harness/eventually.js';
import { TEST_POLICY_YAML } from '../harness/gateway.js';
import { writeKubeconfig } from '../harness/sim.js';
import { readSse, type StreamingStack, startStreamingStack } from '../harness/stream.js';

const WEB = 'web-7c5ddbdf54-2xkqp';

/** kubectl running in the background against the stack's sim; `stdout` grows as it prints. */
async function kubectlFollowing(t: ExecutionContext, s: StreamingStack, args: string[]) {
  const kubeconfig = await writeKubeconfig(t, s.sim.url);
  const cacheDir = await mkdtemp(join(tmpdir(), 'kubently-kubectl-cache-'));
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }));
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args]);
  const run = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => {
    run.stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    run.stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), scaled(60_000));
  t.teardown(() => {
    clearTimeout(killer);
    child.kill('SIGKILL');
  });
  return { run, child, exited };
}

for (const command of [
  `logs -f ${WEB} --tail=2 --timestamps`,
  `logs ${WEB} -c nginx --since=1h -f`,
  `logs -f pod/${WEB} --prefix --tail=1`,
]) {
  test(`parity stream - ${command} prints what kubectl logs -f prints, through the end of the container`, async (t) => {
    const s = await startStreamingStack(t);
    const kubectl = await kubectlFollowing(t, s, command.split(' '));
    const sse = readSse(await s.execute(command));
    // Both followers are attached before anything changes: two open streams at the apiserver.
    await eventually(t, () => s.sim.openStreams === 2, { message: 'kubectl and the agent follow the log' });
    for (const text of ['alpha', 'beta \u00e9\u00e8 unicode', 'gamma'])
      s.sim.live.appendLog('default', WEB, 'nginx', text);
    s.sim.live.setPodPhase('default', WEB, 'Succeeded');
    t.is(await kubectl.exited, 0);
    await sse.done;
    t.like(sse.state.end, { status: 'success', reason: 'completed' });
    t.true(kubectl.run.stdout.endsWith('gamma\n'));
    t.is(sse.state.output, kubectl.run.stdout);
  });
}

for (const args of [
  'get pods -w -l app=web',
  'get pods --watch-only',
  'get pods -w -o wide -A',
  `get pod ${WEB} -w`,
]) {
  test(`parity stream - ${args} prints what kubectl prints for the same changes`, async (t) => {
    const s = await startStreamingStack(t);
    const kubectl = await kubectlFollowing(t, s, args.split(' '));
    const client = new AbortController();
    const sse = readSse(await s.execute(args, { signal: client.signal }));
    await eventually(t, () => s.sim.openStreams === 2, { message: 'kubectl and the agent watch' });
    s.sim.live.setPodPhase('default', WEB, 'Pending');
    s.sim.live.setPodPhase('default', WEB, 'Running');
    s.sim.live.setPodPhase('default', 'api-6b8f9d5c7-h2lqs', 'Failed');
    s.sim.live.setPodPhase('default', WEB, 'Failed');
    const rows = (text: string) =>
      text.split('\n').filter((l) => l.startsWith(WEB) || l.includes(` ${WEB} `)).length;
    const expectedRows = args.includes('--watch-only') ? 3 : 4;
    await eventually(
      t,
      () => rows(kubectl.run.stdout) === expectedRows && rows(sse.state.output) === expectedRows,
      {
        message: 'both printed every change',
      },
    );
    if (args.includes('--watch-only') || args.includes('-A')) {
      await eventually(
        t,
        () =>
          kubectl.run.stdout.includes('api-6b8f9d5c7-h2lqs') &&
          sse.state.output.includes('api-6b8f9d5c7-h2lqs'),
        {
          message: 'both printed the other pod',
        },
      );
    }
    kubectl.child.kill('SIGINT');
    client.abort();
    await kubectl.exited;
    t.is(sse.state.output, kubectl.run.stdout);
  });
}

test('parity stream - rollout status follows a deployment as kubectl does, until it is rolled out', async (t) => {
  const s = await startStreamingStack(t, {
    policyYaml: TEST_POLICY_YAML.replace('extends: readOnly', 'extends: troubleshoot'),
  });
  const web = () =>
    structuredClone(s.sim.fixtures.objects.deployments!.find((d) => d.metadata.name === 'web')!);
  const step = (status: Record<string, number>) => {
    const d = web();
    (d.spec as { replicas: number }).replicas = 3;
    d.metadata.generation = 5;
    d.status = { ...(d.status as object), observedGeneration: 5, replicas: 3, ...status };
    s.sim.live.apply('deployments', d);
  };
  step({ updatedReplicas: 1, availableReplicas: 2 });
  const command = 'rollout status deployment/web';
  const kubectl = await kubectlFollowing(t, s, command.split(' '));
  const sse = readSse(await s.execute(command));
  const waiting = (text: string) => text.includes('1 out of 3 new replicas');
  await eventually(
    t,
    () => waiting(kubectl.run.stdout) && waiting(sse.state.output) && s.sim.openStreams === 2,
    {
      message: 'both print the first status and watch',
    },
  );
  step({ updatedReplicas: 2, availableReplicas: 2 });
  step({ updatedReplicas: 3, availableReplicas: 2 });
  step({ updatedReplicas: 3, availableReplicas: 3 });
  t.is(await kubectl.exited, 0);
  await sse.done;
  t.like(sse.state.end, { status: 'success', reason: 'completed' });
  t.true(kubectl.run.stdout.endsWith('deployment "web" successfully rolled out\n'));
  t.is(sse.state.output, kubectl.run.stdout);
});

for (const args of ['events --watch', 'events -w -A --types=Warning']) {
  test(`parity stream - ${args} prints what kubectl prints, the current events and then a new one`, async (t) => {
    /** One run: kubectl and the agent watch, a new Warning is written, both stop; their outputs. */
    const watchBoth = async () => {
      const s = await startStreamingStack(t);
      const kubectl = await kubectlFollowing(t, s, args.split(' '));
      const client = new AbortController();
      const sse = readSse(await s.execute(args, { signal: client.signal }));
      await eventually(
        t,
        () => s.sim.openStreams === 2 && kubectl.run.stdout !== '' && sse.state.output !== '',
        { message: 'kubectl and the agent watch the events' },
      );
      const event = structuredClone(s.sim.fixtures.objects.events!.find((e) => e.type === 'Warning')!);
      event.metadata.name = 'new-warning.17f0';
      event.metadata.namespace = 'default';
      event.message = 'a new warning, written while both watch';
      s.sim.live.apply('events', event);
      await eventually(
        t,
        () => kubectl.run.stdout.includes('a new warning') && sse.state.output.includes('a new warning'),
        { message: 'both printed the new event' },
      );
      kubectl.child.kill('SIGINT');
      client.abort();
      await kubectl.exited;
      return { agent: sse.state.output, kubectl: kubectl.run.stdout };
    };
    // LAST SEEN ages are computed from each printer's own clock when it prints: kubectl and the agent
    // print the current events at slightly different moments, and a second boundary between them changes
    // an age ("27s" against "26s"). Such a run is repeated once; a real difference shows every time.
    let outputs = await watchBoth();
    if (outputs.agent !== outputs.kubectl) outputs = await watchBoth();
    t.is(outputs.agent, outputs.kubectl);
  });
}
