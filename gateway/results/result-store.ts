// Command results kept for RESULT_TTL_SECONDS so a client can fetch one again (GET /debug/result/:id),
// readable only by the identity that ran the command. Redis when configured, else this process's memory.

import type { Redis } from 'ioredis';
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

export function createMemoryResultStore(opts: {
  ttlSeconds: number;
  now?: () => number;
  maxEntries?: number;
}) {
  const { ttlSeconds, now = Date.now, maxEntries = 100_000 } = opts;
  const entries = new Map<string, Stored & { expires: number }>();
  const store: ResultStore = {
    async put(result, owner) {
      // Map keeps insertion order: the oldest entries go first when the bound is reached.
      if (entries.size >= maxEntries) {
        const t = now();
        for (const [id, e] of entries) {
          if (e.expires <= t || entries.size >= maxEntries) entries.delete(id);
          else break;
        }
      }
      entries.set(result.command_id, { owner, result, expires: now() + ttlSeconds * 1000 });
    },
    async get(id, owner) {
      const e = entries.get(id);
      if (!e) return null;
      if (e.expires <= now()) {
        entries.delete(id);
        return null;
      }
      return e.owner === owner ? e.result : null;
    },
  };
  return store;
}
