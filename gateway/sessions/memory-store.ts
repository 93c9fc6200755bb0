// The embedded session store, used when REDIS_URL is unset. Sessions live in this process only, so it
// serves exactly one gateway replica; main.ts warns about that.

import {
  expiryOf,
  type NewSession,
  newSession,
  type Session,
  type SessionStore,
  type SessionTtls,
} from './types.js';

export interface MemorySessionStoreOptions extends SessionTtls {
  now?: () => number;
  /** How often expired sessions are swept; reads check expiry themselves. */
  sweepMs?: number;
}

export function createMemorySessionStore({
  absoluteSeconds,
  idleSeconds,
  now = Date.now,
  sweepMs = 60_000,
}: MemorySessionStoreOptions): SessionStore {
  const sessions = new Map<string, Session>();
  const sweep = setInterval(() => {
    const t = now();
    for (const [id, s] of sessions) if (s.expiresAt <= t) sessions.delete(id);
  }, sweepMs);
  sweep.unref();

  function live(id: string, owner: string): Session | null {
    const s = sessions.get(id);
    if (!s) return null;
    if (s.expiresAt <= now()) {
      sessions.delete(id);
      return null;
    }
    return s.owner === owner ? s : null;
  }

  return {
    kind: 'memory',
    async create(input: NewSession) {
      const session = newSession(input, now(), { absoluteSeconds, idleSeconds });
      sessions.set(session.id, session);
      return { ...session };
    },
    async get(id, owner) {
      const s = live(id, owner);
      return s ? { ...s } : null;
    },
    async touch(id, owner) {
      const s = live(id, owner);
      if (!s) return null;
      s.lastActivity = now();
      s.commandsExecuted += 1;
      s.expiresAt = expiryOf(s.deadline, s.lastActivity, idleSeconds);
      return { ...s };
    },
    async delete(id, owner) {
      const s = live(id, owner);
      if (!s) return null;
      sessions.delete(id);
      return { ...s };
    },
    async list(owner) {
      const out: Session[] = [];
      for (const s of sessions.values()) {
        if (live(s.id, owner)) out.push({ ...s });
      }
      return out.sort((a, b) => a.createdAt - b.createdAt);
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      sessions.clear();
    },
  };
}
