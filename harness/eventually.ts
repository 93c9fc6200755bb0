// Time in tests: one knob that stretches every deadline, and one way to wait for a condition.
// Tests never sleep and then assert; they wait for a positive signal with `eventually()`.

import type { ExecutionContext } from 'ava';

/**
 * `TEST_TIME_SCALE` (default 1) multiplies every deadline in the tests and the harness, for machines where
 * several stacks compete for the cores. A positive number; anything else is a configuration error.
 */
export const TIME_SCALE = readTimeScale(process.env.TEST_TIME_SCALE);

function readTimeScale(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`TEST_TIME_SCALE must be a positive number, got "${raw}"`);
  return scale;
}

/** `ms` stretched by TEST_TIME_SCALE: use it for every deadline a test or helper gives itself. */
export function scaled(ms: number): number {
  return Math.round(ms * TIME_SCALE);
}

export interface EventuallyOptions {
  /** Deadline before scaling by TEST_TIME_SCALE. Default 10 s. */
  timeoutMs?: number;
  /** What did not happen, for the failure: 'the agent answered', 'c1 connected'. */
  message: string;
  /** Pause between checks, in ms. Default 20. */
  intervalMs?: number;
}

/** The slice of ava's context eventually() uses; benchmarks pass a stand-in with a no-op log. */
export type WaitContext = Pick<ExecutionContext, 'log'>;

/**
 * Checks `predicate` until it returns a truthy value and resolves with that value. A predicate that throws
 * counts as "not yet" (a server still starting). After `timeoutMs × TEST_TIME_SCALE` it rejects with
 * `message`, the deadline and the predicate's last error, which fails the test that awaited it.
 */
export async function eventually<T>(
  t: WaitContext,
  predicate: () => T | Promise<T>,
  options: EventuallyOptions,
): Promise<NonNullable<T>> {
  const timeoutMs = scaled(options.timeoutMs ?? 10_000);
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const text = `not true within ${timeoutMs} ms: ${options.message}${cause}`;
      t.log(text);
      throw new Error(text, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
