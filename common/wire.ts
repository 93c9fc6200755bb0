// Payloads that travel over NATS, each a JSON Schema with its TypeScript type derived from it. They are
// separate from the in-process types on purpose: the wire shape is a contract between gateway, agent and
// audit consumer versions, and the agent reads nothing the gateway decided beyond what is listed here.

import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { grepSchema, maxOutputBytesSchema } from './command/output-view.js';
import { MAX_ARGS } from './command/tokenize.js';
import type { Command } from './command/types.js';
import { CLUSTER_ID_PATTERN } from './subjects.js';

export const WIRE_VERSION = 1;

/**
 * nats-server's default max_payload, which nats.conf and the Kubernetes manifests state too: the largest
 * message, so the largest result (output plus its JSON escaping plus the envelope) the agent can send.
 */
export const NATS_MAX_PAYLOAD_BYTES = 1024 * 1024;

export const RESULT_STATUSES = ['success', 'failure', 'timeout', 'denied'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** Command message kinds other than a kubectl command. */
export const COMMAND_KINDS = ['self_check'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

const nullableString = { anyOf: [{ type: 'string' }, { type: 'null' }] } as const;
const version = { type: 'integer', const: WIRE_VERSION } as const;

/**
 * Published by the gateway on kubently.cmd.<cluster>; `Nats-Msg-Id` is `id`. The agent parses `argv` again
 * with its own parser and policy, and answers on kubently.result.<cluster_id>.<id>.
 */
export const commandMessageSchema = {
  $id: 'CommandMessage',
  type: 'object',
  required: ['v', 'id', 'cluster_id', 'argv', 'identity', 'session_id', 'deadline'],
  additionalProperties: false,
  properties: {
    v: version,
    id: { type: 'string', minLength: 1, maxLength: 64 },
    cluster_id: { type: 'string', pattern: CLUSTER_ID_PATTERN },
    /** The normalized kubectl argv without the leading `kubectl` (normalizing may add a flag or two). */
    argv: { type: 'array', maxItems: 2 * MAX_ARGS, items: { type: 'string' } },
    /** The identity on whose behalf the command runs (the agent's policy may name it). */
    identity: { type: 'string', minLength: 1 },
    /** The caller's `group:<name>` identities (OIDC callers); the agent's policy may name them too. */
    groups: { type: 'array', maxItems: 1024, items: { type: 'string', minLength: 1, maxLength: 512 } },
    session_id: nullableString,
    /** Epoch ms after which the agent must not start the command (the gateway has given up): its time budget. */
    deadline: { type: 'number' },
    /** Lines to keep (output-view.ts); the agent checks that they apply to the command's output. */
    grep: grepSchema,
    /** A smaller output cap than the policy's; the agent caps it by its own policy. */
    max_output_bytes: maxOutputBytesSchema,
    /**
     * Absent for a kubectl command. `self_check`: argv is empty and the agent answers with its self-check
     * report (common/self-check.ts); only the gateway's admin route publishes it.
     */
    kind: { type: 'string', enum: COMMAND_KINDS },
  },
} as const;
export type CommandMessage = FromSchema<typeof commandMessageSchema>;

/** What the gateway publishes for a checked command: the agent must not start it after `deadline` (epoch ms). */
/** What a command message is built from: a checked command, or a self-check with an empty argv. */
export type RelayedCommand = Pick<
  Command,
  'id' | 'clusterId' | 'argv' | 'identity' | 'groups' | 'sessionId' | 'timeoutMs' | 'view'
>;

export function toCommandMessage(
  command: RelayedCommand,
  deadline: number,
  kind?: CommandKind,
): CommandMessage {
  return {
    ...(kind ? { kind } : {}),
    v: WIRE_VERSION,
    id: command.id,
    cluster_id: command.clusterId,
    argv: command.argv,
    identity: command.identity,
    ...(command.groups?.length ? { groups: command.groups } : {}),
    session_id: command.sessionId,
    deadline,
    ...(command.view?.grep ? { grep: command.view.grep } : {}),
    ...(command.view?.maxOutputBytes ? { max_output_bytes: command.view.maxOutputBytes } : {}),
  };
}

/** The longest `error` a result carries: the gateway cuts an agent's longer text to this. */
export const MAX_RESULT_ERROR_CHARS = 4096;

/** The fields of a command's result, as the REST API returns it and as the agent sends it (plus `v`, `agent_id`). */
const resultProperties = {
  command_id: { type: 'string' },
  session_id: nullableString,
  cluster_id: { type: 'string' },
  status: { type: 'string', enum: RESULT_STATUSES },
  /** Bounded by the NATS payload the agent's whole result must fit in. */
  output: { type: 'string', maxLength: NATS_MAX_PAYLOAD_BYTES },
  error: { anyOf: [{ type: 'string', maxLength: MAX_RESULT_ERROR_CHARS }, { type: 'null' }] },
  /** Milliseconds the agent spent on the command (the gateway's own for a timeout or a denial). */
  execution_time_ms: { type: 'number', minimum: 0, maximum: 86_400_000 },
  /** ISO 8601 time the command started. */
  executed_at: {
    type: 'string',
    maxLength: 40,
    pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$',
  },
  /** True when the output was cut at the policy's or the server's size limit. */
  truncated: { type: 'boolean' },
} as const;
const resultRequired = [
  'command_id',
  'session_id',
  'cluster_id',
  'status',
  'output',
  'error',
  'execution_time_ms',
  'executed_at',
  'truncated',
] as const;

/** GET /debug/result/:id, POST /debug/execute (200) and the result part of its 403 and 504 answers. */
export const commandResultSchema = {
  $id: 'CommandResult',
  type: 'object',
  required: resultRequired,
  additionalProperties: false,
  properties: resultProperties,
} as const;
export type CommandResult = FromSchema<typeof commandResultSchema>;

/** Published by the agent on kubently.result.<cluster>.<command id> (core NATS). */
export const resultMessageSchema = {
  $id: 'ResultMessage',
  type: 'object',
  required: ['v', ...resultRequired, 'agent_id'],
  additionalProperties: false,
  properties: {
    v: version,
    ...resultProperties,
    /** Which agent replica answered (pod name or hostname). */
    agent_id: { type: 'string' },
  },
} as const;
export type ResultMessage = FromSchema<typeof resultMessageSchema>;

/** The agent's HEARTBEAT_INTERVAL_MS bounds: a beat claiming another interval is not believed. */
export const HEARTBEAT_INTERVAL_BOUNDS_MS = { min: 100, max: 60_000 } as const;
/** A heartbeat is a few hundred bytes; anything larger is dropped before it is parsed. */
export const MAX_HEARTBEAT_BYTES = 2_048;

/**
 * Published by each agent replica on kubently.heartbeat.<cluster> every `interval_ms`. Every field is bounded:
 * the gateway keeps what it receives, and the sender is only as trusted as its cluster's credential.
 */
export const heartbeatMessageSchema = {
  $id: 'HeartbeatMessage',
  type: 'object',
  required: [
    'v',
    'cluster_id',
    'agent_id',
    'version',
    'policy_preset',
    'in_flight',
    'started_at',
    'sent_at',
    'interval_ms',
  ],
  additionalProperties: false,
  properties: {
    v: version,
    cluster_id: { type: 'string', pattern: CLUSTER_ID_PATTERN },
    /** A pod name or host name. */
    agent_id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$' },
    version: { type: 'string', maxLength: 64 },
    policy_preset: { type: 'string', maxLength: 64 },
    in_flight: { type: 'integer', minimum: 0, maximum: 100_000 },
    started_at: { type: 'string', maxLength: 40 },
    sent_at: { type: 'string', maxLength: 40 },
    interval_ms: {
      type: 'integer',
      minimum: HEARTBEAT_INTERVAL_BOUNDS_MS.min,
      maximum: HEARTBEAT_INTERVAL_BOUNDS_MS.max,
    },
  },
} as const;
export type HeartbeatMessage = FromSchema<typeof heartbeatMessageSchema>;

const ajv = new Ajv({ allErrors: false, strict: true, keywords: [] });

/** True when `value` is a CommandMessage this version understands; compiled once. */
export const isCommandMessage = ajv.compile<CommandMessage>(commandMessageSchema);

/**
 * The result fields the gateway passes on, checked against their schema one by one. Only these: a newer agent
 * may add fields, and the ids are the gateway's own (it matched the reply subject to the command).
 */
const RESULT_FIELDS = ['status', 'output', 'error', 'execution_time_ms', 'executed_at', 'truncated'] as const;
const resultFieldChecks = RESULT_FIELDS.map((name) => ({
  name,
  check: ajv.compile({ $id: `ResultMessage.${name}`, ...resultProperties[name] }),
}));

/** Names of the result fields an agent's reply lacks or gets wrong (type, enum, bounds, time format); [] when sound. */
export function malformedResultFields(reply: unknown): string[] {
  const fields = (typeof reply === 'object' && reply !== null ? reply : {}) as Record<string, unknown>;
  return resultFieldChecks.filter(({ name, check }) => !check(fields[name])).map(({ name }) => name);
}

/** True when `value` is a HeartbeatMessage within every bound; compiled once. */
export const isHeartbeatMessage = ajv.compile<HeartbeatMessage>(heartbeatMessageSchema);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Parses JSON; the type is the caller's expectation, not a check (validate what the sender does not own). */
export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}
