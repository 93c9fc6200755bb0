// A debugging session: owned by the API-key identity that created it, bounded by an absolute and an idle TTL.

import { randomUUID } from 'node:crypto';

export interface Session {
  id: string;
  clusterId: string;
  /** The identity that created it; nobody else can see or end it. */
  owner: string;
  userId: string | null;
  correlationId: string | null;
  /** Epoch ms. */
  createdAt: number;
  lastActivity: number;
  /** Absolute deadline, epoch ms: createdAt + ttlSeconds. */
  deadline: number;
  /** When it ends unless touched first: min(deadline, lastActivity + idle TTL). */
  expiresAt: number;
  ttlSeconds: number;
  commandsExecuted: number;
}

export interface NewSession {
  clusterId: string;
  owner: string;
  userId: string | null;
  correlationId: string | null;
  ttlSeconds: number;
}

export interface SessionTtls {
  /** Upper bound for a session's absolute TTL and its default. */
  absoluteSeconds: number;
  idleSeconds: number;
}

/**
 * Every method answers null for a session that is unknown, expired or owned by another identity,
 * so callers cannot tell those cases apart. Store failures reject with KubentlyError service_unavailable.
 */
export interface SessionStore {
  readonly kind: 'redis' | 'memory';
  create(input: NewSession): Promise<Session>;
  get(id: string, owner: string): Promise<Session | null>;
  /** Records one command: bumps lastActivity and commandsExecuted and extends the idle deadline. */
  touch(id: string, owner: string): Promise<Session | null>;
  delete(id: string, owner: string): Promise<Session | null>;
  /** The owner's live sessions, oldest first. */
  list(owner: string): Promise<Session[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function expiryOf(deadline: number, lastActivity: number, idleSeconds: number): number {
  return Math.min(deadline, lastActivity + idleSeconds * 1000);
}

/** A new session as both stores create it: the requested TTL capped at the absolute maximum. */
export function newSession(input: NewSession, createdAt: number, ttls: SessionTtls): Session {
  const ttlSeconds = Math.min(input.ttlSeconds, ttls.absoluteSeconds);
  const deadline = createdAt + ttlSeconds * 1000;
  return {
    id: randomUUID(),
    ...input,
    ttlSeconds,
    createdAt,
    lastActivity: createdAt,
    deadline,
    expiresAt: expiryOf(deadline, createdAt, ttls.idleSeconds),
    commandsExecuted: 0,
  };
}
