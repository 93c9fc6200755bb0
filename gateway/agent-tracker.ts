// Derives which clusters have a connected agent from the heartbeats agents publish.
// An agent counts as connected while its last heartbeat is younger than `missedBeats` intervals.

import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { Logger } from '../common/logger.js';
import { isValidClusterId, subjects } from '../common/subjects.js';
import { decodeJson, type HeartbeatMessage } from '../common/wire.js';

export interface AgentStatus {
  agentId: string;
  clusterId: string;
  version: string;
  policyPreset: string;
  inFlight: number;
  startedAt: string;
  lastSeen: number;
  connected: boolean;
}

export interface ClusterStatus {
  clusterId: string;
  connected: boolean;
  lastSeen: number | null;
  agents: AgentStatus[];
}

export interface AgentTracker {
  isConnected(clusterId: string): boolean;
  cluster(clusterId: string): ClusterStatus;
  clusters(): ClusterStatus[];
  close(): void;
}

export interface AgentTrackerDeps {
  nc: NatsConnection;
  log: Logger;
  /** Heartbeats that may be missed before an agent is considered gone. */
  missedBeats?: number;
  /**
   * Agents silent this long are forgotten (pods replaced by rollouts come and go), except a cluster's most
   * recent one, which keeps its `last_seen`.
   */
  forgetAfterMs?: number;
  now?: () => number;
}

export const DEFAULT_FORGET_AFTER_MS = 60 * 60_000;

/** The last heartbeat of one agent and when this gateway received it. */
interface Beat {
  hb: HeartbeatMessage;
  at: number;
}

export function createAgentTracker({
  nc,
  log,
  missedBeats = 3,
  forgetAfterMs = DEFAULT_FORGET_AFTER_MS,
  now = Date.now,
}: AgentTrackerDeps): AgentTracker {
  const beats = new Map<string, Map<string, Beat>>();
  const sub: Subscription = nc.subscribe(subjects.allHeartbeats, {
    callback: (err, msg) => {
      if (err) {
        log.error({ err }, 'heartbeat subscription failed');
        return;
      }
      const clusterId = msg.subject.slice(subjects.heartbeat('').length);
      let hb: HeartbeatMessage;
      try {
        hb = decodeJson<HeartbeatMessage>(msg.data);
      } catch {
        log.warn({ subject: msg.subject }, 'undecodable heartbeat dropped');
        return;
      }
      // The subject is what NATS permissions guarantee; the payload's cluster id must agree with it.
      if (!isValidClusterId(clusterId) || hb.cluster_id !== clusterId || typeof hb.agent_id !== 'string')
        return;
      let agents = beats.get(clusterId);
      if (!agents) {
        agents = new Map();
        beats.set(clusterId, agents);
      }
      agents.set(hb.agent_id, { hb, at: now() });
    },
  });

  const alive = ({ hb, at }: Beat, t: number) => t - at <= hb.interval_ms * missedBeats;

  function agentStatus(clusterId: string, entry: Beat): AgentStatus {
    const { hb, at } = entry;
    return {
      agentId: hb.agent_id,
      clusterId,
      version: hb.version,
      policyPreset: hb.policy_preset,
      inFlight: hb.in_flight,
      startedAt: hb.started_at,
      lastSeen: at,
      connected: alive(entry, now()),
    };
  }

  function forgetSilent(agents: Map<string, Beat>): void {
    const t = now();
    let newest: string | undefined;
    for (const [id, beat] of agents) if (!newest || beat.at > agents.get(newest)!.at) newest = id;
    for (const [id, beat] of agents) if (id !== newest && t - beat.at > forgetAfterMs) agents.delete(id);
  }

  function cluster(clusterId: string): ClusterStatus {
    const known = beats.get(clusterId);
    if (known) forgetSilent(known);
    const agents = [...(known?.values() ?? [])].map((e) => agentStatus(clusterId, e));
    const lastSeen = agents.length > 0 ? Math.max(...agents.map((a) => a.lastSeen)) : null;
    return { clusterId, connected: agents.some((a) => a.connected), lastSeen, agents };
  }

  return {
    // Per command: no status objects built, just the first live heartbeat.
    isConnected(clusterId) {
      const t = now();
      for (const beat of beats.get(clusterId)?.values() ?? []) if (alive(beat, t)) return true;
      return false;
    },
    cluster,
    clusters: () => [...beats.keys()].sort().map(cluster),
    close: () => sub.unsubscribe(),
  };
}
