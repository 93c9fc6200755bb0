// Watches agents from the audit service: server advisories ($SYS connect/disconnect/auth error, through
// watchAgentConnections) become `agent_connection_failure` records, and `kubently_agent_connected` follows
// open agent connections and, when the identity may read them, heartbeats (which also cover connections
// opened before this process started).

import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { AuditEmitter } from '../common/audit/emitter-types.js';
import type { Logger } from '../common/logger.js';
import { type ConnectionEvent, watchAgentConnections } from '../common/nats-sys-events.js';
import { isValidClusterId, subjects } from '../common/subjects.js';
import { decodeJson, type HeartbeatMessage } from '../common/wire.js';
import type { AuditMetrics } from './metrics.js';

export const PRESENCE_REFRESH_MS = 5_000;

export interface AgentWatchDeps {
  nc: NatsConnection;
  emitter: AuditEmitter;
  metrics: AuditMetrics;
  log: Logger;
  /** Subscribe to kubently.heartbeat.* (needs that permission for the audit identity). */
  heartbeats?: boolean;
  missedBeats?: number;
  refreshMs?: number;
  now?: () => number;
}

export interface AgentWatch {
  ready: Promise<void>;
  /** Re-evaluates kubently_agent_connected now (also runs every refreshMs). */
  refresh(): void;
  stop(): void;
}

export function watchAgents(deps: AgentWatchDeps): AgentWatch {
  const { nc, emitter, metrics, log, missedBeats = 3, now = Date.now } = deps;
  const open = new Map<string, number>();
  const beats = new Map<string, Map<string, number>>();
  const known = new Set<string>();

  function refresh(): void {
    const at = now();
    for (const clusterId of known) {
      const fresh = [...(beats.get(clusterId)?.values() ?? [])].some((until) => until >= at);
      metrics.setAgentConnected(clusterId, fresh || (open.get(clusterId) ?? 0) > 0);
    }
  }

  function onEvent(e: ConnectionEvent): void {
    if (e.clusterId === undefined) {
      if (e.kind === 'auth_error')
        log.warn({ user: e.user, remote: e.remote }, 'nats authentication failure');
      return;
    }
    const clusterId = e.clusterId;
    known.add(clusterId);
    const count = open.get(clusterId) ?? 0;
    if (e.kind === 'connect') {
      open.set(clusterId, count + 1);
    } else {
      // A connection opened before this process started was never counted: never go below zero.
      if (e.kind === 'disconnect') open.set(clusterId, Math.max(0, count - 1));
      void emitter.emit({
        event_type: 'agent_connection_failure',
        timestamp: e.timestamp,
        cluster_id: clusterId,
        source_ip: e.remote ?? null,
        details: { kind: e.kind, reason: e.reason ?? null, user: e.user ?? null },
      });
    }
    refresh();
  }

  const watch = watchAgentConnections(nc, onEvent);
  let hbSub: Subscription | undefined;
  if (deps.heartbeats) {
    hbSub = nc.subscribe(subjects.allHeartbeats, {
      callback: (err, msg) => {
        if (err) return log.error({ err }, 'heartbeat subscription failed');
        const clusterId = msg.subject.slice(subjects.heartbeat('').length);
        try {
          const hb = decodeJson<HeartbeatMessage>(msg.data);
          if (!isValidClusterId(clusterId) || hb.cluster_id !== clusterId || typeof hb.agent_id !== 'string')
            return;
          known.add(clusterId);
          const agents = beats.get(clusterId) ?? new Map<string, number>();
          beats.set(clusterId, agents);
          agents.set(hb.agent_id, now() + hb.interval_ms * missedBeats);
        } catch {
          log.warn({ subject: msg.subject }, 'undecodable heartbeat dropped');
        }
      },
    });
  }
  const timer = setInterval(refresh, deps.refreshMs ?? PRESENCE_REFRESH_MS);
  timer.unref();

  return {
    ready: watch.ready,
    refresh,
    stop() {
      clearInterval(timer);
      watch.stop();
      hbSub?.unsubscribe();
    },
  };
}
