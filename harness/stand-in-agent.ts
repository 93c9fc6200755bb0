// An agent reduced to its wire behaviour, for tests and the fleet benchmark: heartbeats, pulls from its
// cluster's durable consumer through the imported JetStream API, acks, and answers on the result subject.

import type { JetStreamOptions } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { importedJetStream } from '../common/imported-jetstream.js';
import { agentConsumerName, CMD_STREAM, subjects } from '../common/subjects.js';
import {
  type CommandMessage,
  decodeJson,
  encodeJson,
  type HeartbeatMessage,
  type ResultMessage,
  WIRE_VERSION,
} from '../common/wire.js';

export type AgentBehaviour =
  | 'answer'
  | 'silent'
  | ((command: CommandMessage) => Partial<ResultMessage> | null);

export interface TestAgent {
  nc: NatsConnection;
  /** Command messages taken from the consumer, in order (kept only when `keepReceived`, the default). */
  received: CommandMessage[];
  stop(): Promise<void>;
}

export interface StandInAgentOptions {
  /** 'answer': success with output `ok <argv>`; 'silent': never answers; a function: fields to answer with. */
  behaviour?: AgentBehaviour;
  agentId?: string;
  jsOptions?: Partial<JetStreamOptions>;
  /** How often it beats, and the interval it announces (the gateway marks it gone after 3 missed ones). */
  beatEveryMs: number;
  promisedBeatMs: number;
  /** false: keep no received messages (a benchmark of many agents). */
  keepReceived?: boolean;
}

/** Runs a stand-in agent on `nc` (an agent connection of `clusterId`) until `stop()`, which also closes `nc`. */
export async function runStandInAgent(
  nc: NatsConnection,
  clusterId: string,
  {
    behaviour = 'answer',
    agentId = `agent-${clusterId}-0`,
    jsOptions,
    beatEveryMs,
    promisedBeatMs,
    keepReceived = true,
  }: StandInAgentOptions,
): Promise<TestAgent> {
  const js = importedJetStream(nc, jsOptions);
  const consumer = await js.consumers.get(CMD_STREAM, agentConsumerName(clusterId));
  const messages = await consumer.consume({ max_messages: 256 });
  const received: CommandMessage[] = [];
  void (async () => {
    for await (const m of messages) {
      m.ack();
      const msg = decodeJson<CommandMessage>(m.data);
      if (keepReceived) received.push(msg);
      if (behaviour === 'silent') continue;
      const extra = behaviour === 'answer' ? {} : behaviour(msg);
      if (extra === null) continue;
      const result: ResultMessage = {
        v: WIRE_VERSION,
        command_id: msg.id,
        cluster_id: clusterId,
        session_id: msg.session_id,
        status: 'success',
        output: `ok ${msg.argv.join(' ')}`,
        error: null,
        execution_time_ms: 1,
        executed_at: new Date().toISOString(),
        truncated: false,
        agent_id: agentId,
        ...extra,
      };
      nc.publish(subjects.result(clusterId, msg.id), encodeJson(result));
    }
  })().catch(() => {});
  const startedAt = new Date().toISOString();
  const beat = () => {
    const hb: HeartbeatMessage = {
      v: WIRE_VERSION,
      cluster_id: clusterId,
      agent_id: agentId,
      version: 'test',
      policy_preset: 'readOnly',
      in_flight: 0,
      started_at: startedAt,
      sent_at: new Date().toISOString(),
      interval_ms: promisedBeatMs,
    };
    // A revoked credential closes the connection under the running timer.
    if (!nc.isClosed()) nc.publish(subjects.heartbeat(clusterId), encodeJson(hb));
  };
  beat();
  const timer = setInterval(beat, beatEveryMs);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    await messages.close();
    if (!nc.isClosed()) await nc.close();
  };
  return { nc, received, stop };
}
