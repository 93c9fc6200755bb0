// The agent's own cost per command: its executor in process against the same simulated apiserver the
// kubectl subprocess reads, one `get pods` at a time. This is the "agent vs kubectl subprocess" row of
// docs/benchmarks.md (target: at least 50x faster); the end-to-end figure adds the gateway and NATS.

import { createExecutor } from '../agent/executor.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { createLogger } from '../common/logger.js';
import { BENCH_NAMESPACE, BENCH_POD_COUNT } from './lib/fixtures.js';
import { type LatencySummary, summarize, timeSequential } from './lib/stats.js';

export async function executorGetPods(
  kubeconfigPath: string,
  counts: { sequential: number; warmup: number },
): Promise<LatencySummary> {
  const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath }));
  const executor = createExecutor({
    kube,
    log: createLogger({ level: 'silent' }),
    limits: { maxOutputBytes: 1 << 20 },
  });
  const command = parseCommandRequest(
    { command: `get pods -n ${BENCH_NAMESPACE}` },
    { id: 'bench', clusterId: 'bench', identity: 'bench', sessionId: null, timeoutMs: 10_000 },
  );
  const op = async () => {
    const r = await executor.execute(command, AbortSignal.timeout(10_000));
    const rows = r.output.trim().split('\n').length - 1;
    if (r.status !== 'success' || rows !== BENCH_POD_COUNT)
      throw new Error(`executor: ${r.status} ${rows} rows ${r.error}`);
  };
  try {
    return summarize(await timeSequential(op, counts.sequential, counts.warmup));
  } finally {
    kube.close();
  }
}
