// Payloads that travel over NATS. They are separate from the in-process types on purpose:
// the wire shape is a contract between gateway, agent and audit consumer versions.

import type { Command } from './command/types.js';

export const WIRE_VERSION = 1;

/** Published by the gateway on kubently.cmd.<cluster>; Nats-Msg-Id is command.id. */
export interface CommandMessage {
  v: typeof WIRE_VERSION;
  command: Command;
  /** Epoch ms after which the agent must not start the command (the gateway has given up). */
  deadline: number;
  /** Subject the agent publishes its ResultMessage to. */
  replyTo: string;
}

export const RESULT_STATUSES = ['success', 'failure', 'timeout', 'denied'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export interface ResultMessage {
  v: typeof WIRE_VERSION;
  command_id: string;
  cluster_id: string;
  session_id: string | null;
  status: ResultStatus;
  output: string;
  error: string | null;
  execution_time_ms: number;
  executed_at: string;
  truncated: boolean;
  /** Which agent replica answered (pod name or hostname). */
  agent_id: string;
}

export interface HeartbeatMessage {
  v: typeof WIRE_VERSION;
  cluster_id: string;
  agent_id: string;
  version: string;
  policy_preset: string;
  in_flight: number;
  started_at: string;
  sent_at: string;
  interval_ms: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}
