// The REST API's request and answer bodies, each a JSON Schema with its TypeScript type derived from it.
// The gateway validates and serializes with these schemas (and publishes them in /openapi.json); the CLI
// and the tests read answers through the same types. Bounds here are the API's contract.

import type { FromSchema } from 'json-schema-to-ts';
import { grepSchema, maxOutputBytesSchema } from './command/output-view.js';
import { MAX_ARG_CHARS, MAX_ARGS, MAX_COMMAND_CHARS } from './command/tokenize.js';
import { CLUSTER_ID_PATTERN } from './subjects.js';
import { PRINTABLE_PATTERN } from './terminal.js';
import { type CommandResult, commandResultSchema } from './wire.js';

export { type CommandResult, commandResultSchema } from './wire.js';

export const clusterIdSchema = { type: 'string', pattern: CLUSTER_ID_PATTERN, maxLength: 63 } as const;
/** Ids are looked up, never trusted: anything id-like up to 64 characters is accepted and simply not found. */
export const idSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
/** user_id, correlation_id: printable text only (they reach audit records and terminals), else 400. */
const label = { type: 'string', minLength: 1, maxLength: 256, pattern: PRINTABLE_PATTERN } as const;
const nullableString = { anyOf: [{ type: 'string' }, { type: 'null' }] } as const;
const argList = {
  type: 'array',
  maxItems: MAX_ARGS,
  items: { type: 'string', maxLength: MAX_ARG_CHARS },
} as const;

/** Every error answer: `error` is a code from common/errors.ts, `message` is for people. */
export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['error', 'message'],
  additionalProperties: false,
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;
export type ErrorBody = FromSchema<typeof errorBodySchema>;

/**
 * POST /debug/execute's 403 (denied) and 504 (timed out): the error shape AND the result shape with
 * `status: 'denied' | 'timeout'`. Generic HTTP clients read `error`, Kubently's clients read `status`.
 */
export const refusedResultSchema = {
  $id: 'RefusedResult',
  type: 'object',
  // Only the error part is required, so an error raised on the way (not a refusal) still serializes.
  required: errorBodySchema.required,
  additionalProperties: false,
  properties: { ...commandResultSchema.properties, ...errorBodySchema.properties },
} as const;
export type RefusedResult = ErrorBody & CommandResult;

/** The schema's outer bound on timeout_seconds; the policy's own maximum (default 120 s) caps the value used. */
export const MAX_TIMEOUT_SECONDS = 600;

/**
 * POST /debug/execute and /debug/validate: kubectl-style argv (`command_type` + `args`, as Kubently's REST
 * API takes it) or one `command` string, never both.
 */
export const commandRequestSchema = {
  type: 'object',
  required: ['cluster_id'],
  additionalProperties: false,
  properties: {
    cluster_id: clusterIdSchema,
    session_id: idSchema,
    command: { type: 'string', minLength: 1, maxLength: MAX_COMMAND_CHARS },
    command_type: { type: 'string', minLength: 1, maxLength: 64 },
    args: argList,
    namespace: {
      anyOf: [
        { type: 'string', minLength: 1, maxLength: 253 },
        { type: 'null', description: 'No -n: namespaced verbs read `default` (upstream clients send null)' },
      ],
    },
    timeout_seconds: { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_SECONDS },
    extra_args: argList,
    correlation_id: label,
    grep: grepSchema,
    max_output_bytes: maxOutputBytesSchema,
  },
  // Exactly one of the two request forms; `command_type` defaults to `get` when only `args` is given.
  oneOf: [{ required: ['command'] }, { anyOf: [{ required: ['command_type'] }, { required: ['args'] }] }],
  'x-error-message': 'use either `command` (one string) or `command_type` with `args`, not both',
} as const;
// The oneOf only narrows which field is present; the body's type is the plain object.
export type CommandRequestBody = FromSchema<Omit<typeof commandRequestSchema, 'oneOf' | 'x-error-message'>>;

/** POST /debug/validate's answer: what the policy would decide, and the argv it would run. */
export const validationSchema = {
  type: 'object',
  required: ['allowed', 'normalized_argv', 'rule', 'reason'],
  additionalProperties: false,
  properties: {
    allowed: { type: 'boolean' },
    /** Empty when the request did not parse. */
    normalized_argv: { type: 'array', items: { type: 'string' } },
    rule: { type: 'string' },
    reason: { type: 'string' },
    /** The token the deciding rule looked at, when there is one. */
    token: { type: 'string' },
  },
} as const;
export type Validation = FromSchema<typeof validationSchema>;

/** POST /debug/session. `ttl_seconds` is capped by the gateway's SESSION_TTL_SECONDS. */
export function sessionRequestSchema(maxTtlSeconds: number) {
  return {
    type: 'object',
    required: ['cluster_id'],
    additionalProperties: false,
    properties: {
      cluster_id: clusterIdSchema,
      user_id: label,
      correlation_id: label,
      ttl_seconds: { type: 'integer', minimum: 1, maximum: maxTtlSeconds },
    },
  } as const;
}
export type SessionRequestBody = FromSchema<ReturnType<typeof sessionRequestSchema>>;

/** A session as GET /debug/session/:id, POST /debug/session (201) and GET /debug/sessions return it. */
export const sessionBodySchema = {
  $id: 'Session',
  type: 'object',
  required: [
    'session_id',
    'cluster_id',
    'status',
    'created_at',
    'expires_at',
    'ttl_seconds',
    'user_id',
    'correlation_id',
    'commands_executed',
    'last_activity',
  ],
  additionalProperties: false,
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
export type SessionBody = FromSchema<typeof sessionBodySchema>;
