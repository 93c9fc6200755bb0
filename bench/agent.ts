// The agent's executor in process vs a kubectl subprocess, against the same simulated apiserver:
// one `get pods` (20 pods) each way (median of N), the executor's throughput with 64 commands in
// flight, JSON.parse vs client-node's model decoding of the same body, and the process RSS.
// Run: npx tsx bench/agent.ts [--runs 30] [--seconds 5]

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
// client-node keeps its model serializer out of the package index; the bench reaches it by path.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { createExecutor } from '../agent/executor.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { createLogger } from '../common/logger.js';
import { defaultFixtures } from '../sim/fixtures.js';
import { simKubeconfigYaml } from '../sim/kubeconfig.js';
import { startSimApiserver } from '../sim/server.js';

const run = promisify(execFile);
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg('runs', 30);
const seconds = arg('seconds', 5);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

// Exactly 20 pods in the namespace the command reads.
const now = Date.now();
const fixtures = defaultFixtures(now);
const template = fixtures.objects.pods?.find(
  (p) => p.metadata.namespace === 'default' || !p.metadata.namespace,
);
if (!template) throw new Error('the sim fixtures hold no pod to copy');
fixtures.objects.pods = [
  ...(fixtures.objects.pods ?? []).filter((p) => (p.metadata.namespace ?? 'default') !== 'bench'),
  ...Array.from({ length: 20 }, (_, i) => ({
    ...template,
    metadata: { ...template.metadata, name: `bench-${i}`, namespace: 'bench', uid: `bench-${i}` },
  })),
];

const sim = await startSimApiserver({ port: 0, fixtures });
const dir = await mkdtemp(join(tmpdir(), 'kubently-bench-'));
const kubeconfig = join(dir, 'kubeconfig');
await writeFile(kubeconfig, simKubeconfigYaml(sim.url));
const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath: kubeconfig }));
const executor = createExecutor({
  kube,
  log: createLogger({ level: 'silent' }),
  limits: { maxOutputBytes: 1 << 20 },
});
const command = parseCommandRequest(
  { command: 'get pods -n bench' },
  { id: 'b', clusterId: 'sim', identity: 'bench', sessionId: null, timeoutMs: 10_000 },
);

try {
  // Latency, one at a time.
  const agentMs: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const t0 = performance.now();
    const r = await executor.execute(command, AbortSignal.timeout(10_000));
    if (r.status !== 'success' || !r.output.includes('bench-19'))
      throw new Error(`unexpected result: ${r.status} ${r.error}`);
    if (i >= 5) agentMs.push(performance.now() - t0);
  }
  const kubectlMs: number[] = [];
  const kubectlRuns = Math.max(5, Math.min(runs, 20));
  for (let i = 0; i < kubectlRuns; i++) {
    const t0 = performance.now();
    await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      join(dir, 'cache'),
      'get',
      'pods',
      '-n',
      'bench',
    ]);
    kubectlMs.push(performance.now() - t0);
  }

  // Throughput with 64 in flight.
  let done = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < until) {
        await executor.execute(command, AbortSignal.timeout(10_000));
        done++;
      }
    }),
  );
  const opsPerSecond = done / seconds;

  // Decoding cost: the same pod list body through JSON.parse vs client-node's model conversion.
  const body = (await kube.get('/api/v1/namespaces/bench/pods')).body;
  const decodeRuns = 300;
  let t0 = performance.now();
  for (let i = 0; i < decodeRuns; i++) JSON.parse(body);
  const parseMs = (performance.now() - t0) / decodeRuns;
  t0 = performance.now();
  for (let i = 0; i < decodeRuns; i++) ObjectSerializer.deserialize(JSON.parse(body), 'V1PodList', '');
  const modelMs = (performance.now() - t0) / decodeRuns;

  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const a = median(agentMs);
  const k = median(kubectlMs);
  console.table([
    { measure: 'get pods (20 pods), agent in process, median', value: `${a.toFixed(2)} ms` },
    {
      measure: `get pods (20 pods), kubectl subprocess, median of ${kubectlRuns}`,
      value: `${k.toFixed(1)} ms`,
    },
    { measure: 'speed-up agent vs kubectl', value: `${(k / a).toFixed(0)}x` },
    { measure: 'agent throughput, 64 in flight', value: `${opsPerSecond.toFixed(0)} ops/s` },
    { measure: 'decode pod list: JSON.parse', value: `${parseMs.toFixed(3)} ms` },
    {
      measure: 'decode pod list: JSON.parse + client-node models',
      value: `${modelMs.toFixed(3)} ms (${(modelMs / parseMs).toFixed(1)}x)`,
    },
    { measure: 'process RSS after the run', value: `${rssMb.toFixed(0)} MB` },
  ]);
} finally {
  kube.close();
  await sim.close();
  await rm(dir, { recursive: true, force: true });
}
