// JSON Schemas shared by the route groups. Bounds here are the API's contract: they are what
// /openapi.json publishes and what Ajv enforces before any handler runs.

import { MAX_ARG_CHARS, MAX_ARGS, MAX_COMMAND_CHARS } from '../common/command/tokenize.js';
import { CLUSTER_ID_PATTERN } from '../common/subjects.js';
import { RESULT_STATUSES } from '../common/wire.js';

export const clusterId = { type: 'string', pattern: CLUSTER_ID_PATTERN, maxLength: 63 } as const;
export const uuid = {
  type: 'string',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
} as const;
/** Ids are looked up, never trusted: anything id-like up to 64 characters is accepted and simply not found. */
export const idParam = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const label = { type: 'string', minLength: 1, maxLength: 256 } as const;
const nullableString = { anyOf: [{ type: 'string' }, { type: 'null' }] } as const;

export const errorBody = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
  // Denied and timed-out commands add the result fields (status, command_id, ...) to the error body.
  additionalProperties: true,
} as const;

export const errorRef = { $ref: 'ErrorBody#' } as const;

export const resultBody = {
  $id: 'CommandResult',
  type: 'object',
  required: [
    'command_id',
    'cluster_id',
    'status',
    'output',
    'error',
    'execution_time_ms',
    'executed_at',
    'truncated',
  ],
  properties: {
    command_id: { type: 'string' },
    session_id: nullableString,
    cluster_id: { type: 'string' },
    status: { type: 'string', enum: [...RESULT_STATUSES] },
    output: { type: 'string' },
    error: nullableString,
    execution_time_ms: { type: 'number' },
    executed_at: { type: 'string' },
    truncated: { type: 'boolean' },
  },
} as const;

export const sessionBody = {
  $id: 'Session',
  type: 'object',
  properties: {
    session_id: { type: 'string' },
    cluster_id: { type: 'string' },
    status: { type: 'string', enum: ['active'] },
    created_at: { type: 'string' },
    expires_at: { type: 'string' },
    ttl_seconds: { type: 'integer' },
    user_id: nullableString,
    correlation_id: nullableString,
    commands_executed: { type: 'integer' },
    last_activity: { type: 'string' },
  },
} as const;

export function commandRequestSchema(maxTimeoutSeconds: number) {
  return {
    type: 'object',
    required: ['cluster_id'],
    additionalProperties: false,
    properties: {
      cluster_id: clusterId,
      session_id: idParam,
      command: { type: 'string', minLength: 1, maxLength: MAX_COMMAND_CHARS },
      command_type: { type: 'string', minLength: 1, maxLength: 64 },
      args: { type: 'array', maxItems: MAX_ARGS, items: { type: 'string', maxLength: MAX_ARG_CHARS } },
      namespace: { type: 'string', minLength: 1, maxLength: 253 },
      timeout_seconds: { type: 'integer', minimum: 1, maximum: maxTimeoutSeconds },
      extra_args: { type: 'array', maxItems: MAX_ARGS, items: { type: 'string', maxLength: MAX_ARG_CHARS } },
      correlation_id: label,
    },
    // Exactly one of the two request forms.
    oneOf: [{ required: ['command'] }, { required: ['command_type'] }],
  } as const;
}

export function sessionRequestSchema(maxTtlSeconds: number) {
  return {
    type: 'object',
    required: ['cluster_id'],
    additionalProperties: false,
    properties: {
      cluster_id: clusterId,
      user_id: label,
      correlation_id: label,
      ttl_seconds: { type: 'integer', minimum: 1, maximum: maxTtlSeconds },
    },
  } as const;
}
