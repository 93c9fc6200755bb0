// POST /fleet/execute: one read-only command on many clusters, its request and answer as JSON Schemas with
// their types derived. The command fields are /debug/execute's; `clusters` selects by name or glob.

import type { FromSchema } from 'json-schema-to-ts';
import { commandRequestSchema } from './api.js';

/** Selectors per request: names and globs (`prod-*`, `eu-?`), each a cluster id with `*`/`?` allowed. */
export const MAX_FLEET_SELECTORS = 100;
/** Clusters one request may fan out to, when FLEET_MAX_CLUSTERS is not set. */
export const DEFAULT_FLEET_MAX_CLUSTERS = 1_000;
/** Commands of one request in flight at once, unless `max_concurrency` says fewer (or more, up to the cap). */
export const DEFAULT_FLEET_CONCURRENCY = 100;
export const MAX_FLEET_CONCURRENCY = 1_000;

/** A selector: a cluster id, or a glob over cluster ids (`*` any run, `?` one character). */
export const CLUSTER_SELECTOR_PATTERN = '^[a-z0-9*?][a-z0-9*?-]{0,62}$';

const { cluster_id: _cluster, session_id: _session, ...commandFields } = commandRequestSchema.properties;

export const fleetRequestSchema = {
  type: 'object',
  required: ['clusters'],
  additionalProperties: false,
  properties: {
    clusters: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_FLEET_SELECTORS,
      items: { type: 'string', pattern: CLUSTER_SELECTOR_PATTERN, maxLength: 63 },
    },
    ...commandFields,
    max_concurrency: { type: 'integer', minimum: 1, maximum: MAX_FLEET_CONCURRENCY },
  },
  oneOf: commandRequestSchema.oneOf,
  'x-error-message': commandRequestSchema['x-error-message'],
} as const;
export type FleetRequestBody = FromSchema<Omit<typeof fleetRequestSchema, 'oneOf' | 'x-error-message'>>;

/** A row's status: a command result's, or `unavailable` (no agent of the cluster connected; nothing was sent). */
export const FLEET_STATUSES = ['success', 'failure', 'timeout', 'denied', 'unavailable'] as const;
export type FleetStatus = (typeof FLEET_STATUSES)[number];

export const fleetResultSchema = {
  type: 'object',
  required: ['cluster_id', 'command_id', 'status', 'output', 'error', 'execution_time_ms', 'truncated'],
  additionalProperties: false,
  properties: {
    cluster_id: { type: 'string' },
    /** Null when nothing was sent (`unavailable`, or the fan-out's deadline passed before the cluster's turn). */
    command_id: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    status: { type: 'string', enum: FLEET_STATUSES },
    output: { type: 'string' },
    error: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    execution_time_ms: { type: 'integer' },
    /** The agent cut the output (its own limit) or this answer's output budget did. */
    truncated: { type: 'boolean' },
  },
} as const;
export type FleetResult = FromSchema<typeof fleetResultSchema>;

const count = { type: 'integer', minimum: 0 } as const;

export const fleetAnswerSchema = {
  type: 'object',
  required: ['fleet_id', 'results', 'summary'],
  additionalProperties: false,
  properties: {
    fleet_id: { type: 'string' },
    /** One row per matched cluster, in cluster id order. */
    results: { type: 'array', items: fleetResultSchema },
    summary: {
      type: 'object',
      required: ['clusters', 'success', 'failure', 'timeout', 'denied', 'unavailable'],
      additionalProperties: false,
      properties: {
        clusters: count,
        success: count,
        failure: count,
        timeout: count,
        denied: count,
        unavailable: count,
      },
    },
  },
} as const;
export type FleetAnswer = FromSchema<typeof fleetAnswerSchema>;
