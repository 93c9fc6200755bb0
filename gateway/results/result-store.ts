// Command results kept for RESULT_TTL_SECONDS so a client can fetch one again (GET /debug/result/:id),
// readable only by the identity that ran the command. Redis when configured, else this process's memory.

import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { CommandResult } from '../../common/api.js';
import { KubentlyError } from '../../common/errors.js';

export interface ResultStore {
  put(result: CommandResult, owner: string): Promise<void>;
  /** null when unknown, expired or another identity's. */
  get(id: string, owner: string): Promise<CommandResult | null>;
}

interface Stored {
  owner: string;
  result: CommandResult;
}

export function createRedisResultStore(opts: {
  redis: Redis;
  keyPrefix: string;
  ttlSeconds: number;
}): ResultStore {
  const key = (id: string) => `${opts.keyPrefix}result:${id}`;
  return {
    async put(result, owner) {
      try {
        await opts.redis.set(
          key(result.command_id),
          JSON.stringify({ owner, result }),
          'EX',
          opts.ttlSeconds,
        );
      } catch (err) {
        throw new KubentlyError('service_unavailable', 'the result store is unavailable', { cause: err });
      }
    },
    async get(id, owner) {
      let raw: string | null;
      try {
        raw = await opts.redis.get(key(id));
      } catch (err) {
        throw new KubentlyError('service_unavailable', 'the result store is unavailable', { cause: err });
      }
      if (raw === null) return null;
      const stored = JSON.parse(raw) as Stored;
      return stored.owner === owner ? stored.result : null;
    },
  };
}

/** Results in this process's memory: each kept `ttlSeconds`, at most `maxEntries` (least recently used go first). */
export function createMemoryResultStore(opts: {
  ttlSeconds: number;
  now?: () => number;
  maxEntries?: number;
}) {
  const { ttlSeconds, now = Date.now, maxEntries = 100_000 } = opts;
  const entries = new LRUCache<string, Stored>({
    max: maxEntries,
    ttl: ttlSeconds * 1000,
    ttlResolution: 0,
    perf: { now },
  });
  const store: ResultStore = {
    async put(result, owner) {
      entries.set(result.command_id, { owner, result });
    },
    async get(id, owner) {
      const e = entries.get(id);
      return e && e.owner === owner ? e.result : null;
    },
  };
  return store;
}
