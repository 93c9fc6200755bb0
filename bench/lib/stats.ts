// Latency summaries for the benchmarks: exact percentiles over every recorded sample (no histogram
// buckets), so a sub-millisecond p50 is reported as measured.

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarize(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    samples: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length ? sum / sorted.length : Number.NaN,
    maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

/** Runs `op` `count` times one after another after `warmup` unrecorded runs; returns each run's ms. */
export async function timeSequential(
  op: () => Promise<unknown>,
  count: number,
  warmup: number,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await op();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await op();
    samples.push(performance.now() - start);
  }
  return samples;
}

export interface ConcurrentRun {
  latency: LatencySummary;
  /** Completed operations per second over the run's wall time. */
  throughput: number;
  completed: number;
  errors: number;
  firstError?: string;
}

/**
 * `clients` loops each running `op` back to back until `total` operations have started. Used for the
 * in-process floors; HTTP load goes through autocannon instead.
 */
export async function timeConcurrent(
  op: () => Promise<unknown>,
  clients: number,
  total: number,
): Promise<ConcurrentRun> {
  let started = 0;
  let errors = 0;
  let firstError: string | undefined;
  const samples: number[] = [];
  const begin = performance.now();
  const worker = async () => {
    while (started < total) {
      started++;
      const t0 = performance.now();
      try {
        await op();
        samples.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - begin) / 1000;
  return {
    latency: summarize(samples),
    throughput: samples.length / seconds,
    completed: samples.length,
    errors,
    firstError,
  };
}
