// The harness helpers take ava's context for teardown and logging. An ava hook (which has no teardown)
// or a benchmark script (no ava at all) passes this stand-in and runs the collected teardowns itself.

import type { ExecutionContext } from 'ava';

export interface StandInContext {
  /** Pass it where a helper wants `t`: log() writes to stderr, teardown() collects. */
  t: ExecutionContext;
  /** Runs the collected teardowns, last registered first. */
  runTeardowns(): Promise<void>;
}

export function standInContext(): StandInContext {
  const teardowns: Array<() => unknown> = [];
  const t = {
    log: (...values: unknown[]) => console.error(...values),
    teardown: (fn: () => unknown) => void teardowns.push(fn),
  } as unknown as ExecutionContext;
  return {
    t,
    async runTeardowns() {
      for (const fn of teardowns.splice(0).reverse()) await fn();
    },
  };
}
