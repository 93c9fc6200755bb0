// Counts failed authentications per client address. Past the limit a wrong key gets 429 instead of 401
// and no audit record of its own, so nobody can flood the audit stream (or guess keys) at line rate; the
// failures it suppressed are counted, and reported once when the address's window ends.
// Valid keys are never limited here: a caller behind the same address as an attacker keeps working.
// The counters are per gateway process, which is enough to bound what one process writes.

import { LRUCache } from 'lru-cache';

export interface FailureLimiter {
  /** Seconds until `ip` may fail again, or 0 when it is under the limit. */
  blockedFor(ip: string): number;
  /** Counts a failure; true exactly when it crosses the limit (the one failure worth an audit record). */
  recordFailure(ip: string): boolean;
  /** Counts a failure refused without its own record (the address was over the limit). */
  recordSuppressed(ip: string): void;
  /** Ends the windows that have run out now (the timers do it too; tests with an injected clock call it). */
  sweep(): void;
  /** Ends every window, reporting what each suppressed. */
  close(): void;
}

/** One address's window that suppressed failures, as reported when it ends. */
export interface SuppressedWindow {
  ip: string;
  suppressed: number;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
}

export interface FailureLimiterOptions {
  maxFailures: number;
  windowMs: number;
  now?: () => number;
  /** Addresses tracked at once; the least recently seen are forgotten first. */
  maxTracked?: number;
  /** Called once per window that suppressed at least one failure, when it ends (expired, evicted or closed). */
  onWindowEnd?: (window: SuppressedWindow) => void;
}

interface Window {
  count: number;
  suppressed: number;
  startedAt: number;
}

export function createFailureLimiter({
  maxFailures,
  windowMs,
  now = Date.now,
  maxTracked = 100_000,
  onWindowEnd,
}: FailureLimiterOptions): FailureLimiter {
  // A window starts at an address's first failure and is not extended by later ones (set() only then).
  // Expired windows are purged by lru-cache's (unref'd) timers, so a window's report does not wait for the
  // address to come back.
  const windows = new LRUCache<string, Window>({
    max: maxTracked,
    ttl: windowMs,
    ttlResolution: 0,
    ttlAutopurge: true,
    perf: { now },
    dispose: (w, ip) => {
      if (w.suppressed > 0)
        onWindowEnd?.({ ip, suppressed: w.suppressed, startedAt: w.startedAt, endedAt: now() });
    },
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
        entry = { count: 0, suppressed: 0, startedAt: now() };
        windows.set(ip, entry);
      }
      entry.count++;
      return entry.count === maxFailures;
    },
    recordSuppressed(ip) {
      const entry = windows.get(ip);
      if (entry) entry.suppressed++;
    },
    sweep() {
      windows.purgeStale();
    },
    close() {
      windows.clear();
    },
  };
}
