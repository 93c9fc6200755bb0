// The MCP tools' arguments and structured results, each a JSON Schema with its TypeScript type derived from
// it (the SDK takes them through zod's fromJSONSchema). Bounds are the REST API's: the same command string,
// cluster id, timeout, grep and output cap a POST /debug/execute body takes.

import type { FromSchema } from 'json-schema-to-ts';
import { clusterIdSchema, MAX_TIMEOUT_SECONDS } from '../../common/api.js';
import { FLEET_STATUSES, fleetRequestSchema } from '../../common/api-fleet.js';
import { grepSchema, maxOutputBytesSchema } from '../../common/command/output-view.js';
import { MAX_COMMAND_CHARS } from '../../common/command/tokenize.js';
import { RESULT_STATUSES } from '../../common/wire.js';

const clusterId = { ...clusterIdSchema, description: 'A cluster id from list_clusters' } as const;
const command = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_COMMAND_CHARS,
  description:
    'A read-only kubectl command without the leading `kubectl`, e.g. `get pods -n kube-system -o wide`. ' +
    'Tokenized like a shell without any expansion; pipes and redirections are not available (use grep).',
} as const;

export const kubectlArgsSchema = {
  type: 'object',
  required: ['cluster_id', 'command'],
  additionalProperties: false,
  properties: {
    cluster_id: clusterId,
    command,
    timeout_seconds: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_TIMEOUT_SECONDS,
      description: "Seconds to wait for the answer; capped by the policy's maximum",
    },
    max_output_bytes: maxOutputBytesSchema,
    grep: grepSchema,
  },
} as const;
export type KubectlArgs = FromSchema<typeof kubectlArgsSchema>;

export const fleetArgsSchema = {
  type: 'object',
  required: ['clusters', 'command'],
  additionalProperties: false,
  properties: {
    clusters: {
      ...fleetRequestSchema.properties.clusters,
      description: 'Cluster ids and globs (`prod-*`, `eu-?`); globs match only clusters you may use',
    },
    command,
    timeout_seconds: kubectlArgsSchema.properties.timeout_seconds,
    max_output_bytes: maxOutputBytesSchema,
    grep: grepSchema,
  },
} as const;
export type FleetArgs = FromSchema<typeof fleetArgsSchema>;

export const validateArgsSchema = {
  type: 'object',
  required: ['cluster_id', 'command'],
  additionalProperties: false,
  properties: { cluster_id: clusterId, command },
} as const;
export type ValidateArgs = FromSchema<typeof validateArgsSchema>;

export const listClustersArgsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {},
} as const;

/** kubectl's structuredContent: the REST result's bookkeeping, without the text (that is the content). */
export const kubectlOutputSchema = {
  type: 'object',
  required: ['command_id', 'status', 'truncated', 'execution_time_ms'],
  additionalProperties: false,
  properties: {
    command_id: { type: 'string' },
    cluster_id: { type: 'string' },
    status: { type: 'string', enum: RESULT_STATUSES },
    truncated: { type: 'boolean' },
    execution_time_ms: { type: 'number' },
  },
} as const;
export type KubectlOutput = FromSchema<typeof kubectlOutputSchema>;

/** kubectl_fleet's structuredContent: each cluster's bookkeeping (the outputs are the text) and the counts. */
export const fleetOutputSchema = {
  type: 'object',
  required: ['fleet_id', 'results', 'summary'],
  additionalProperties: false,
  properties: {
    fleet_id: { type: 'string' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['cluster_id', 'command_id', 'status', 'truncated', 'execution_time_ms'],
        additionalProperties: false,
        properties: {
          cluster_id: { type: 'string' },
          command_id: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          status: { type: 'string', enum: FLEET_STATUSES },
          truncated: { type: 'boolean' },
          execution_time_ms: { type: 'number' },
        },
      },
    },
    summary: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;
export type FleetOutput = FromSchema<typeof fleetOutputSchema>;

export const listClustersOutputSchema = {
  type: 'object',
  required: ['clusters'],
  additionalProperties: false,
  properties: {
    clusters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['cluster_id', 'connected', 'last_seen'],
        additionalProperties: false,
        properties: {
          cluster_id: { type: 'string' },
          connected: { type: 'boolean' },
          last_seen: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        },
      },
    },
  },
} as const;
export type ListClustersOutput = FromSchema<typeof listClustersOutputSchema>;

export const validateOutputSchema = {
  type: 'object',
  required: ['allowed', 'rule', 'reason', 'normalized_argv'],
  additionalProperties: false,
  properties: {
    allowed: { type: 'boolean' },
    rule: { type: 'string' },
    reason: { type: 'string' },
    normalized_argv: { type: 'array', items: { type: 'string' } },
    token: { type: 'string' },
  },
} as const;
export type ValidateOutput = FromSchema<typeof validateOutputSchema>;
