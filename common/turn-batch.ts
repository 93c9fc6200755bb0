// NATS publishes made in one turn of the event loop, written to the socket together. nats.js (nats-core 3.4
// protocol.js sendCommand) writes its buffer once per microtask checkpoint, so publishes made from separate I/O
// callbacks — one per finished command under load — cost one socket write each; those writes took ~10 % of the
// agent's and the gateway's CPU in bench/profile.ts. Deferred to setImmediate, every callback of one poll phase
// shares one write. An idle process runs the check phase right after the poll phase: nothing waits longer.

/**
 * Returns `defer(work)`: runs `work` (synchronous publishes) in the next check phase together with every other
 * work deferred before it, in the order deferred. Resolves once `work` ran; rejects with what it threw.
 */
export function createTurnBatch(): (work: () => void) => Promise<void> {
  let queue: Array<{ work: () => void; resolve(): void; reject(err: unknown): void }> | null = null;
  const flush = () => {
    const jobs = queue ?? [];
    queue = null;
    for (const job of jobs) {
      try {
        job.work();
        job.resolve();
      } catch (err) {
        job.reject(err);
      }
    }
  };
  return (work) =>
    new Promise<void>((resolve, reject) => {
      if (queue === null) {
        queue = [];
        setImmediate(flush);
      }
      queue.push({ work, resolve, reject });
    });
}
