// Counts failed authentications per client address. Past the limit a wrong key gets 429 instead of 401
// and no audit record of its own, so nobody can flood the audit stream (or guess keys) at line rate.
// Valid keys are never limited here: a caller behind the same address as an attacker keeps working.
// The counters are per gateway process, which is enough to bound what one process writes.

export interface FailureLimiter {
  /** Seconds until `ip` may fail again, or 0 when it is under the limit. */
  blockedFor(ip: string): number;
  /** Counts a failure; true exactly when it crosses the limit (the one failure worth an audit record). */
  recordFailure(ip: string): boolean;
}

export interface FailureLimiterOptions {
  maxFailures: number;
  windowMs: number;
  now?: () => number;
  /** Addresses tracked at once; the oldest windows are forgotten first. */
  maxTracked?: number;
}

export function createFailureLimiter({
  maxFailures,
  windowMs,
  now = Date.now,
  maxTracked = 100_000,
}: FailureLimiterOptions): FailureLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();

  function current(ip: string): { count: number; resetAt: number } | undefined {
    const entry = windows.get(ip);
    if (entry && entry.resetAt <= now()) {
      windows.delete(ip);
      return undefined;
    }
    return entry;
  }

  return {
    blockedFor(ip) {
      const entry = current(ip);
      return entry && entry.count >= maxFailures ? Math.max(1, Math.ceil((entry.resetAt - now()) / 1000)) : 0;
    },
    recordFailure(ip) {
      let entry = current(ip);
      if (!entry) {
        if (windows.size >= maxTracked) windows.delete(windows.keys().next().value as string);
        entry = { count: 0, resetAt: now() + windowMs };
        windows.set(ip, entry);
      }
      entry.count++;
      return entry.count === maxFailures;
    },
  };
}
