// Sessions in Redis: one hash per session that expires by itself (PEXPIREAT = min(absolute deadline,
// last activity + idle TTL)), and one sorted set per owner (score = expiry) so a caller lists only its own.
// Both keys carry the owner as their hash tag, so the scripts work on a Redis Cluster too.
// Every multi-step change is one Lua script, so concurrent gateways never see half an update.

import type { Redis } from 'ioredis';
import { KubentlyError } from '../../common/errors.js';
import { type NewSession, newSession, type Session, type SessionStore, type SessionTtls } from './types.js';

export interface RedisSessionStoreOptions extends SessionTtls {
  redis: Redis;
  keyPrefix: string;
  now?: () => number;
}

const CREATE = `
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], last[2])
return 1`;

const TOUCH = `
local f = redis.call('HMGET', KEYS[1], 'owner', 'deadline', 'expires_at')
if not f[1] or f[1] ~= ARGV[1] then return false end
local now = tonumber(ARGV[2])
-- Idle past its expiry by the gateway's clock, even if Redis (its own clock) has not evicted it yet.
if tonumber(f[3]) <= now then return false end
local exp = math.min(tonumber(f[2]), now + tonumber(ARGV[3]))
if exp <= now then return false end
redis.call('HINCRBY', KEYS[1], 'commands_executed', 1)
redis.call('HSET', KEYS[1], 'last_activity', ARGV[2], 'expires_at', string.format('%d', exp))
redis.call('PEXPIREAT', KEYS[1], string.format('%d', exp))
redis.call('ZADD', KEYS[2], string.format('%d', exp), ARGV[4])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], last[2])
return redis.call('HGETALL', KEYS[1])`;

const DELETE = `
local f = redis.call('HGETALL', KEYS[1])
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner or owner ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return f`;

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

function unavailable(err: unknown): KubentlyError {
  return new KubentlyError('service_unavailable', 'the session store is unavailable', { cause: err });
}

function fromHash(id: string, h: Record<string, string>): Session | null {
  if (h.owner === undefined || h.cluster_id === undefined) return null;
  return {
    id,
    clusterId: h.cluster_id,
    owner: h.owner,
    userId: h.user_id || null,
    correlationId: h.correlation_id || null,
    createdAt: Number(h.created_at),
    lastActivity: Number(h.last_activity),
    deadline: Number(h.deadline),
    expiresAt: Number(h.expires_at),
    ttlSeconds: Number(h.ttl_seconds),
    commandsExecuted: Number(h.commands_executed),
  };
}

function pairsToHash(pairs: unknown): Record<string, string> {
  const h: Record<string, string> = {};
  if (!Array.isArray(pairs)) return h;
  for (let i = 0; i + 1 < pairs.length; i += 2) h[String(pairs[i])] = String(pairs[i + 1]);
  return h;
}

export function createRedisSessionStore({
  redis,
  keyPrefix,
  absoluteSeconds,
  idleSeconds,
  now = Date.now,
}: RedisSessionStoreOptions): SessionStore {
  // The owner is the hash tag of both keys: a script's two keys, and an owner's sessions listed in one pipeline,
  // are in one Redis Cluster slot. (A `}` in the owner only shortens the tag, the same way in both keys.)
  const sessionKey = (id: string, owner: string) => `${keyPrefix}session:{${owner}}:${id}`;
  const indexKey = (owner: string) => `${keyPrefix}sessions:{${owner}}`;
  const idleMs = idleSeconds * 1000;

  // defineCommand is per client; the names carry our prefix so other users of the client cannot clash.
  const scripts = {
    kubentlySessionCreate: CREATE,
    kubentlySessionTouch: TOUCH,
    kubentlySessionDelete: DELETE,
  };
  const commands = redis as unknown as Record<string, ScriptFn | undefined>;
  for (const [name, lua] of Object.entries(scripts)) {
    if (!commands[name]) redis.defineCommand(name, { numberOfKeys: 2, lua });
  }
  const run = (name: keyof typeof scripts, ...args: (string | number)[]) =>
    commands[name]!.call(redis, ...args);

  async function guarded<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw unavailable(err);
    }
  }

  function visible(s: Session | null, owner: string): Session | null {
    return s && s.owner === owner && s.expiresAt > now() ? s : null;
  }

  return {
    kind: 'redis',
    create: (input: NewSession) =>
      guarded(async () => {
        const session = newSession(input, now(), { absoluteSeconds, idleSeconds });
        const { createdAt, deadline, ttlSeconds } = session;
        const fields = {
          cluster_id: session.clusterId,
          owner: session.owner,
          user_id: session.userId ?? '',
          correlation_id: session.correlationId ?? '',
          created_at: createdAt,
          last_activity: createdAt,
          deadline,
          expires_at: session.expiresAt,
          ttl_seconds: ttlSeconds,
          commands_executed: 0,
        };
        await run(
          'kubentlySessionCreate',
          sessionKey(session.id, session.owner),
          indexKey(session.owner),
          session.expiresAt,
          createdAt,
          session.id,
          ...Object.entries(fields).flat(),
        );
        return session;
      }),
    get: (id, owner) =>
      guarded(async () => visible(fromHash(id, await redis.hgetall(sessionKey(id, owner))), owner)),
    touch: (id, owner) =>
      guarded(async () => {
        const reply = await run(
          'kubentlySessionTouch',
          sessionKey(id, owner),
          indexKey(owner),
          owner,
          now(),
          idleMs,
          id,
        );
        return reply ? fromHash(id, pairsToHash(reply)) : null;
      }),
    delete: (id, owner) =>
      guarded(async () => {
        const reply = await run('kubentlySessionDelete', sessionKey(id, owner), indexKey(owner), owner, id);
        return reply ? visible(fromHash(id, pairsToHash(reply)), owner) : null;
      }),
    list: (owner) =>
      guarded(async () => {
        const t = now();
        const index = indexKey(owner);
        const ids = await redis.zrangebyscore(index, t, '+inf');
        if (ids.length === 0) {
          // Expired members go even when none is live (Redis's own expiry of the index may lag our clock).
          await redis.zremrangebyscore(index, '-inf', t);
          return [];
        }
        const pipeline = redis.pipeline();
        for (const id of ids) pipeline.hgetall(sessionKey(id, owner));
        pipeline.zremrangebyscore(index, '-inf', t);
        const replies = (await pipeline.exec()) ?? [];
        const out: Session[] = [];
        const gone: string[] = [];
        ids.forEach((id, i) => {
          const [err, hash] = replies[i] ?? [null, null];
          if (err) throw err;
          const s = visible(fromHash(id, (hash ?? {}) as Record<string, string>), owner);
          if (s) out.push(s);
          else gone.push(id);
        });
        if (gone.length > 0) await redis.zrem(index, ...gone);
        return out.sort((a, b) => a.createdAt - b.createdAt);
      }),
    ping: () =>
      guarded(async () => {
        await redis.ping();
      }),
    // The client is passed in; whoever created it quits it.
    async close() {},
  };
}
