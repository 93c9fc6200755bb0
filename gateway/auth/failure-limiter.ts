// Counts failed authentications per client address. Past the limit a wrong key gets 429 instead of 401
// and no audit record of its own, so nobody can flood the audit stream (or guess keys) at line rate.
// Valid keys are never limited here: a caller behind the same address as an attacker keeps working.
// The counters are per gateway process, which is enough to bound what one process writes.

import { LRUCache } from 'lru-cache';

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
  /** Addresses tracked at once; the least recently seen are forgotten first. */
  maxTracked?: number;
}

export function createFailureLimiter({
  maxFailures,
  windowMs,
  now = Date.now,
  maxTracked = 100_000,
}: FailureLimiterOptions): FailureLimiter {
  // A window starts at an address's first failure and is not extended by later ones (set() only then).
  const windows = new LRUCache<string, { count: number }>({
    max: maxTracked,
    ttl: windowMs,
    ttlResolution: 0,
    perf: { now },
  });

  return {
    blockedFor(ip) {
      const entry = windows.get(ip);
      return entry && entry.count >= maxFailures
        ? Math.max(1, Math.ceil(windows.getRemainingTTL(ip) / 1000))
        : 0;
    },
    recordFailure(ip) {
      let entry = windows.get(ip);
      if (!entry) {
        entry = { count: 0 };
        windows.set(ip, entry);
      }
      entry.count++;
      return entry.count === maxFailures;
    },
  };
}
