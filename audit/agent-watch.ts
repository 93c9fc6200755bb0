// Watches agents from the audit service: server advisories ($SYS connect/disconnect/auth error, through
// watchAgentConnections) become `agent_connection_failure` records and drive `kubently_agent_connected`.
// Failed logins carry only what the client sent, so they are never attributed to a cluster: they are counted per
// source address and recorded at most once per source and window (cluster `unknown`), whatever their rate.

import type { NatsConnection } from '@nats-io/nats-core';
import type { AuditEmitter } from '../common/audit/emitter-types.js';
import type { Logger } from '../common/logger.js';
import { type ConnectionEvent, watchAgentConnections } from '../common/nats-sys-events.js';
import type { AuditMetrics } from './metrics.js';

export const PRESENCE_REFRESH_MS = 5_000;
/** One record per source address and window for failed NATS logins. */
export const AUTH_FAILURE_WINDOW_MS = 60_000;
/** Sources tracked per window; failures from further sources are summed under one `other` record. */
export const MAX_AUTH_FAILURE_SOURCES = 256;
/** The cluster id of records about logins that proved no identity. */
export const UNKNOWN_CLUSTER = 'unknown';

export interface AgentWatchDeps {
  nc: NatsConnection;
  emitter: AuditEmitter;
  metrics: AuditMetrics;
  log: Logger;
  refreshMs?: number;
  authFailureWindowMs?: number;
}

export interface AgentWatch {
  ready: Promise<void>;
  /** Re-evaluates kubently_agent_connected now (also runs every refreshMs). */
  refresh(): void;
  /** Records the failed logins counted since the last record of each source (also runs every window). */
  flushAuthFailures(): void;
  stop(): void;
}

interface SourceFailures {
  /** Failures not yet in a record. */
  pending: number;
  first: string | undefined;
  last: string | undefined;
}

export function watchAgents(deps: AgentWatchDeps): AgentWatch {
  const { nc, emitter, metrics, log } = deps;
  const windowMs = deps.authFailureWindowMs ?? AUTH_FAILURE_WINDOW_MS;
  // Open connections per cluster, keyed by verified agent identity only.
  const open = new Map<string, number>();
  // Sources already recorded in this window: later failures are only counted until the window ends.
  let failures = new Map<string, SourceFailures>();

  function refresh(): void {
    for (const [clusterId, count] of open) metrics.setAgentConnected(clusterId, count > 0);
  }

  function recordAuthFailures(source: string, count: number, first?: string, last?: string): void {
    void emitter.emit({
      event_type: 'agent_connection_failure',
      timestamp: last,
      cluster_id: UNKNOWN_CLUSTER,
      source_ip: source === 'other' ? null : source,
      details: {
        kind: 'auth_error',
        reason: 'Authentication Failure',
        attempts: count,
        first_at: first ?? null,
        window_seconds: Math.round(windowMs / 1000),
      },
    });
  }

  function onAuthError(e: ConnectionEvent): void {
    const tracked = failures.size < MAX_AUTH_FAILURE_SOURCES || failures.has(e.remote ?? '');
    const source = tracked && e.remote ? e.remote : 'other';
    const seen = failures.get(source);
    if (seen) {
      seen.pending++;
      seen.last = e.timestamp;
      return;
    }
    // The first failure of a source in a window is recorded at once; the rest wait for the window's end.
    failures.set(source, { pending: 0, first: e.timestamp, last: e.timestamp });
    recordAuthFailures(source, 1, e.timestamp, e.timestamp);
    log.warn({ remote: e.remote }, 'nats authentication failure');
  }

  function flushAuthFailures(): void {
    const ended = failures;
    failures = new Map();
    for (const [source, f] of ended)
      if (f.pending > 0) recordAuthFailures(source, f.pending, f.first, f.last);
  }

  function onEvent(e: ConnectionEvent): void {
    if (e.kind === 'auth_error') {
      onAuthError(e);
      return;
    }
    const clusterId = e.clusterId;
    if (clusterId === undefined) return;
    const count = open.get(clusterId) ?? 0;
    if (e.kind === 'connect') {
      open.set(clusterId, count + 1);
    } else {
      // A connection opened before this process started was never counted: never go below zero.
      open.set(clusterId, Math.max(0, count - 1));
      void emitter.emit({
        event_type: 'agent_connection_failure',
        timestamp: e.timestamp,
        cluster_id: clusterId,
        source_ip: e.remote ?? null,
        details: { kind: e.kind, reason: e.reason ?? null, account: e.account ?? null },
      });
    }
    refresh();
  }

  const watch = watchAgentConnections(nc, onEvent);
  const timer = setInterval(refresh, deps.refreshMs ?? PRESENCE_REFRESH_MS);
  timer.unref();
  const windowTimer = setInterval(flushAuthFailures, windowMs);
  windowTimer.unref();

  return {
    ready: watch.ready,
    refresh,
    flushAuthFailures,
    stop() {
      clearInterval(timer);
      clearInterval(windowTimer);
      watch.stop();
    },
  };
}
