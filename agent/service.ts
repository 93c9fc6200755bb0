// Wires one agent: the command loop on its cluster's consumer plus heartbeats. main.ts builds the
// dependencies; tests build the same service with real servers.

import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '../common/logger.js';
import { type CommandLoop, type CommandLoopDeps, startCommandLoop } from './command-loop.js';
import type { CommandExecutor } from './executor-types.js';
import { type Heartbeat, startHeartbeat } from './heartbeat.js';
import type { Revalidate } from './revalidate.js';

export const AGENT_VERSION = '0.1.0';

export interface AgentServiceDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  log: Logger;
  clusterId: string;
  agentId: string;
  executor: CommandExecutor;
  revalidate: Revalidate;
  policyPreset: () => string;
  maxInFlight: number;
  heartbeatIntervalMs: number;
  selfCheck?: CommandLoopDeps['selfCheck'];
  /** The agent policy's caps of one follow command; the defaults of limits.stream otherwise. */
  streamLimits?: () => { maxMs: number; maxBytes: number };
}

export interface AgentService {
  readonly inFlight: number;
  stop(graceMs?: number): Promise<void>;
  /**
   * Settles when the command loop ends without stop() (its consumer deleted, the connection closed for
   * good). Heartbeats stop with it, so gateways stop routing to this agent; main.ts exits to be restarted.
   */
  readonly ended: Promise<void>;
}

export async function startAgentService(deps: AgentServiceDeps): Promise<AgentService> {
  const loop: CommandLoop = await startCommandLoop(deps);
  const heartbeat: Heartbeat = startHeartbeat({
    nc: deps.nc,
    log: deps.log,
    clusterId: deps.clusterId,
    agentId: deps.agentId,
    version: AGENT_VERSION,
    policyPreset: deps.policyPreset,
    inFlight: () => loop.inFlight,
    canTakeCommands: () => loop.canTakeCommands,
    intervalMs: deps.heartbeatIntervalMs,
  });
  let stopping = false;
  const ended = loop.done.then(
    () => undefined,
    (err: unknown) => {
      deps.log.error({ err }, 'command loop failed');
    },
  );
  const unexpectedEnd = ended.then(() => {
    if (stopping) return new Promise<void>(() => {});
    heartbeat.stop();
    deps.log.error('command loop ended: no longer taking commands');
  });
  return {
    ended: unexpectedEnd,
    get inFlight() {
      return loop.inFlight;
    },
    async stop(graceMs) {
      stopping = true;
      heartbeat.stop();
      await loop.stop(graceMs);
    },
  };
}
