// Discovery and OpenAPI documents change rarely and cost a round trip each: keep them briefly.
// lru-cache's fetch() shares one request among concurrent misses for a key and does not keep a failure.

import { LRUCache } from 'lru-cache';

/** Documents kept at once; discovery has one per group/version, so CRD-heavy clusters stay bounded. */
export const DOCUMENT_CACHE_MAX = 1_000;

type Load = () => Promise<NonNullable<unknown>>;

/** `get(key, load)` returns the kept document for `key`, or runs `load` (once for concurrent callers). */
export interface DocumentCache {
  get<T extends NonNullable<unknown>>(key: string, load: () => Promise<T>): Promise<T>;
  /** Drops every kept document whose key starts with `prefix`, so the next get loads it again. */
  forget(prefix: string): void;
}

/** `ttlMs` > 0: how long a document is reused; `now` is the clock (ms) expiry is measured on. */
export function createDocumentCache(ttlMs: number, now: () => number = Date.now): DocumentCache {
  const cache = new LRUCache<string, NonNullable<unknown>, Load>({
    max: DOCUMENT_CACHE_MAX,
    ttl: ttlMs,
    ttlResolution: 0,
    perf: { now },
    fetchMethod: (_key, _stale, { context }) => context(),
  });
  return {
    async get<T extends NonNullable<unknown>>(key: string, load: () => Promise<T>): Promise<T> {
      return (await cache.fetch(key, { context: load })) as T;
    },
    forget(prefix) {
      for (const key of [...cache.keys()]) if (key.startsWith(prefix)) cache.delete(key);
    },
  };
}
