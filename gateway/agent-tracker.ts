// Derives which clusters have a connected agent from the heartbeats agents publish.
// An agent counts as connected while its last heartbeat is younger than `missedBeats` intervals, the interval
// being the agent's own within HEARTBEAT_INTERVAL_BOUNDS_MS. What one cluster's credential can make this process
// keep is bounded: beats over MAX_HEARTBEAT_BYTES or outside the schema are dropped unparsed or unkept, at most
// MAX_AGENTS_PER_CLUSTER agents are kept per cluster, and an agent id seen once and never again (a replica that
// never proved itself, or a forger inventing ids) is forgotten as soon as its beat expires.

import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { Logger } from '../common/logger.js';
import { isValidClusterId, subjects } from '../common/subjects.js';
import {
  decodeJson,
  type HeartbeatMessage,
  isHeartbeatMessage,
  MAX_HEARTBEAT_BYTES,
} from '../common/wire.js';

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
/** Agents kept per cluster (a cluster account accepts 16 connections; the rest is room for rollouts). */
export const MAX_AGENTS_PER_CLUSTER = 32;

/** The last heartbeat of one agent, when this gateway received it, and whether the agent beat more than once. */
interface Beat {
  hb: HeartbeatMessage;
  at: number;
  proven: boolean;
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
      if (msg.data.length > MAX_HEARTBEAT_BYTES) {
        log.debug({ subject: msg.subject, bytes: msg.data.length }, 'oversized heartbeat dropped');
        return;
      }
      let hb: unknown;
      try {
        hb = decodeJson<unknown>(msg.data);
      } catch {
        log.debug({ subject: msg.subject }, 'undecodable heartbeat dropped');
        return;
      }
      // The subject is what the cluster's account allows; the payload's cluster id must agree with it.
      if (!isValidClusterId(clusterId) || !isHeartbeatMessage(hb) || hb.cluster_id !== clusterId) {
        log.debug({ subject: msg.subject }, 'invalid heartbeat dropped');
        return;
      }
      record(clusterId, hb);
    },
  });

  const alive = ({ hb, at }: Beat, t: number) => t - at <= hb.interval_ms * missedBeats;

  function record(clusterId: string, hb: HeartbeatMessage): void {
    const t = now();
    let agents = beats.get(clusterId);
    if (!agents) {
      agents = new Map();
      beats.set(clusterId, agents);
    }
    const previous = agents.get(hb.agent_id);
    if (!previous && agents.size >= MAX_AGENTS_PER_CLUSTER) {
      forgetSilent(agents);
      if (agents.size >= MAX_AGENTS_PER_CLUSTER) {
        log.debug({ clusterId }, 'heartbeat of one agent too many dropped');
        return;
      }
    }
    agents.set(hb.agent_id, { hb, at: t, proven: previous !== undefined });
  }

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
    for (const [id, beat] of agents) {
      const unprovenAndGone = !beat.proven && !alive(beat, t);
      if (id !== newest && (unprovenAndGone || t - beat.at > forgetAfterMs)) agents.delete(id);
    }
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
