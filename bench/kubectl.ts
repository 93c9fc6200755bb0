// The peer approach: one `kubectl` subprocess per command (how Kubently's original executor runs),
// against the same simulated apiserver. kubectl's discovery cache is warmed first, its best case.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BENCH_NAMESPACE, BENCH_POD_COUNT } from './lib/fixtures.js';
import {
  type ConcurrentRun,
  type LatencySummary,
  summarize,
  timeConcurrent,
  timeSequential,
} from './lib/stats.js';

const run = promisify(execFile);

export interface KubectlResult {
  sequential: LatencySummary;
  concurrent: ConcurrentRun;
}

export async function kubectlGetPods(
  kubeconfigPath: string,
  counts: { sequential: number; concurrent: number; clients: number },
): Promise<KubectlResult> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'kubently-kubectl-cache-'));
  const op = async () => {
    const { stdout } = await run(
      'kubectl',
      ['--kubeconfig', kubeconfigPath, '--cache-dir', cacheDir, 'get', 'pods', '-n', BENCH_NAMESPACE],
      {
        env: { PATH: process.env.PATH ?? '', HOME: cacheDir },
      },
    );
    const rows = stdout.trim().split('\n').length - 1;
    if (rows !== BENCH_POD_COUNT)
      throw new Error(`kubectl printed ${rows} pods, expected ${BENCH_POD_COUNT}`);
  };
  try {
    const sequential = summarize(await timeSequential(op, counts.sequential, 2));
    const concurrent = await timeConcurrent(op, counts.clients, counts.concurrent);
    return { sequential, concurrent };
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
