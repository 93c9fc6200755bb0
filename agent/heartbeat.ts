// Publishes this agent's heartbeat on core NATS so gateways can tell whether the cluster is reachable.

import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '../common/logger.js';
import { subjects } from '../common/subjects.js';
import { encodeJson, type HeartbeatMessage, WIRE_VERSION } from '../common/wire.js';

export interface HeartbeatDeps {
  nc: NatsConnection;
  log: Logger;
  clusterId: string;
  agentId: string;
  version: string;
  policyPreset: () => string;
  inFlight: () => number;
  /** Beats are sent only while this says the agent can take commands, so gateways answer 503 at once. */
  canTakeCommands: () => boolean;
  intervalMs: number;
}

export interface Heartbeat {
  /** Sends one beat now (also used right after start so gateways see the agent at once). */
  beat(): void;
  stop(): void;
}

export function startHeartbeat(deps: HeartbeatDeps): Heartbeat {
  const startedAt = new Date().toISOString();
  const beat = () => {
    if (!deps.canTakeCommands()) return;
    const hb: HeartbeatMessage = {
      v: WIRE_VERSION,
      cluster_id: deps.clusterId,
      agent_id: deps.agentId,
      version: deps.version,
      policy_preset: deps.policyPreset(),
      in_flight: deps.inFlight(),
      started_at: startedAt,
      sent_at: new Date().toISOString(),
      interval_ms: deps.intervalMs,
    };
    try {
      deps.nc.publish(subjects.heartbeat(deps.clusterId), encodeJson(hb));
    } catch (err) {
      deps.log.warn({ err }, 'heartbeat not sent');
    }
  };
  beat();
  const timer = setInterval(beat, deps.intervalMs);
  timer.unref();
  return { beat, stop: () => clearInterval(timer) };
}
