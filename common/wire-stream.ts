// A follow command's output on its way from the agent to the gateway that asked (kubectl logs -f, get -w,
// events --watch). The agent publishes each chunk as a request on kubently.stream.<cluster>.<command id>; the
// gateway answers a chunk once it has handed it to the HTTP client, so at most STREAM_WINDOW chunks are ever
// unanswered: a slow client slows the agent, which stops reading from the apiserver, and no side buffers more
// than STREAM_WINDOW × STREAM_CHUNK_BYTES. An answer may say stop (the client left, a cap was reached); while
// no output flows the agent sends a ping every STREAM_PING_MS, so a stop reaches it within that time.
// The subject names the cluster and only that cluster's account can publish under it (common/nats-auth):
// the gateway listens on the one subject of the command it sent, so another cluster cannot inject chunks.

import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { RESULT_STATUSES, WIRE_VERSION } from './wire.js';

/** The most bytes of output one chunk carries (its JSON escaping may make the message longer). */
export const STREAM_CHUNK_BYTES = 16 * 1024;
/** Chunks the agent may have sent and not had answered. */
export const STREAM_WINDOW = 4;
/** The agent pings this often while it has nothing unanswered, so it hears a stop in time. */
export const STREAM_PING_MS = 500;
/**
 * How long the agent waits for the answer to a chunk or ping before it gives up (the gateway is gone, or its
 * client has read nothing for this long): the stream ends with `timeout`.
 */
export const STREAM_ANSWER_TIMEOUT_MS = 30_000;
/** The gateway ends a stream whose agent sent nothing (not even a ping) for this long. */
export const STREAM_SILENCE_MS = 10_000;

/**
 * Why a stream ended: the command finished (a followed container exited, a watch closed), a cap of the policy
 * (duration or bytes), the client went away, or the agent or gateway stopped hearing from the other side.
 */
export const STREAM_END_REASONS = [
  'completed',
  'max_duration',
  'max_bytes',
  'client_closed',
  'timeout',
] as const;
export type StreamEndReason = (typeof STREAM_END_REASONS)[number];
/** The reasons the gateway gives when it tells the agent to stop. */
export const STREAM_STOP_REASONS = ['max_duration', 'max_bytes', 'client_closed', 'timeout'] as const;
export type StreamStopReason = (typeof STREAM_STOP_REASONS)[number];

const version = { type: 'integer', const: WIRE_VERSION } as const;
const seq = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** Agent → gateway, one per request; `seq` counts from 0 without gaps over every kind. */
export const streamMessageSchema = {
  $id: 'StreamMessage',
  type: 'object',
  required: ['v', 'seq', 'kind'],
  additionalProperties: false,
  properties: {
    v: version,
    seq,
    kind: { type: 'string', enum: ['output', 'ping', 'end'] },
    /** `output`: the next bytes of stdout, whole UTF-8 characters. */
    data: { type: 'string', maxLength: STREAM_CHUNK_BYTES },
    /** `end`: the outcome, as a result's fields say it. */
    status: { type: 'string', enum: RESULT_STATUSES },
    error: { anyOf: [{ type: 'string', maxLength: 4096 }, { type: 'null' }] },
    truncated: { type: 'boolean' },
    reason: { type: 'string', enum: STREAM_END_REASONS },
  },
} as const;
export type StreamMessage = FromSchema<typeof streamMessageSchema>;

/** Gateway → agent: the answer to message `seq`; `stop` ends the stream. */
export const streamAnswerSchema = {
  $id: 'StreamAnswer',
  type: 'object',
  required: ['v', 'seq'],
  additionalProperties: false,
  properties: {
    v: version,
    seq,
    stop: { type: 'string', enum: STREAM_STOP_REASONS },
  },
} as const;
export type StreamAnswer = FromSchema<typeof streamAnswerSchema>;

const ajv = new Ajv({ allErrors: false, strict: true, keywords: [] });
export const isStreamMessage = ajv.compile<StreamMessage>(streamMessageSchema);
export const isStreamAnswer = ajv.compile<StreamAnswer>(streamAnswerSchema);
