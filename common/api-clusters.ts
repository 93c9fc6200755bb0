// The answers of the cluster routes, as JSON Schemas with their types derived. Where upstream Kubently's
// clients read a shape of their own (camelCase `lastSeen`, `id`, `clusterId`, `capabilities`), the answer
// carries that shape AND Kubently's snake_case fields: a superset, so both kinds of client find what they read.

import type { FromSchema } from 'json-schema-to-ts';

const nullableString = { anyOf: [{ type: 'string' }, { type: 'null' }] } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;

/** One agent replica as its heartbeats describe it. */
export const agentViewSchema = {
  type: 'object',
  required: [
    'agent_id',
    'cluster_id',
    'connected',
    'last_seen',
    'version',
    'policy_preset',
    'in_flight',
    'started_at',
  ],
  additionalProperties: false,
  properties: {
    agent_id: { type: 'string' },
    cluster_id: { type: 'string' },
    connected: { type: 'boolean' },
    last_seen: nullableString,
    version: { type: 'string' },
    policy_preset: { type: 'string' },
    in_flight: { type: 'integer' },
    started_at: { type: 'string' },
  },
} as const;
export type AgentView = FromSchema<typeof agentViewSchema>;

/**
 * What a cluster's agent can do, in upstream's ExecutorCapabilities shape. `allowed_verbs` and
 * `allowed_flags` are the gateway's policy for the cluster (the agent may hold a stricter copy); `mode` is the
 * policy preset the newest agent reports; `features` are the write-like ones upstream names, always false here.
 */
export const capabilitiesSchema = {
  type: 'object',
  required: [
    'cluster_id',
    'mode',
    'allowed_verbs',
    'restricted_resources',
    'allowed_flags',
    'executor_version',
    'executor_pod',
    'reported_at',
    'expires_at',
    'features',
  ],
  additionalProperties: false,
  properties: {
    cluster_id: { type: 'string' },
    mode: { type: 'string' },
    allowed_verbs: strings,
    restricted_resources: strings,
    allowed_flags: strings,
    executor_version: nullableString,
    executor_pod: nullableString,
    reported_at: nullableString,
    expires_at: nullableString,
    features: {
      type: 'object',
      required: ['exec', 'port_forward', 'proxy', 'cp'],
      additionalProperties: false,
      properties: {
        exec: { type: 'boolean' },
        port_forward: { type: 'boolean' },
        proxy: { type: 'boolean' },
        cp: { type: 'boolean' },
      },
    },
  },
} as const;
export type Capabilities = FromSchema<typeof capabilitiesSchema>;
const nullableCapabilities = { anyOf: [capabilitiesSchema, { type: 'null' }] } as const;

/** GET /admin/agents: every known cluster (configured or heard from) and every agent replica. */
export const adminAgentsSchema = {
  type: 'object',
  required: ['clusters', 'count', 'agents'],
  additionalProperties: false,
  properties: {
    clusters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'connected', 'lastSeen', 'cluster_id', 'last_seen', 'agents'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', description: 'The cluster id (upstream name)' },
          connected: { type: 'boolean' },
          lastSeen: { ...nullableString, description: 'Newest heartbeat, ISO-8601 (upstream name)' },
          cluster_id: { type: 'string' },
          last_seen: nullableString,
          agents: { type: 'integer', description: 'Agent replicas heard from' },
        },
      },
    },
    count: { type: 'integer', description: 'Number of clusters' },
    agents: { type: 'array', items: agentViewSchema },
  },
} as const;
export type AdminAgents = FromSchema<typeof adminAgentsSchema>;

/** GET /admin/agents/:cluster/status: one cluster, keyed by its id, in upstream's shape and ours. */
export const adminClusterStatusSchema = {
  type: 'object',
  required: [
    'id',
    'connected',
    'status',
    'lastSeen',
    'version',
    'kubernetesVersion',
    'capabilities',
    'mode',
    'cluster_id',
    'last_seen',
    'agents',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    connected: { type: 'boolean' },
    status: { type: 'string', enum: ['connected', 'disconnected'] },
    lastSeen: nullableString,
    version: { ...nullableString, description: "The newest agent's version" },
    kubernetesVersion: { ...nullableString, description: 'Not reported by agents: always null' },
    capabilities: nullableCapabilities,
    mode: { ...nullableString, description: 'The policy preset the newest agent runs' },
    cluster_id: { type: 'string' },
    last_seen: nullableString,
    agents: { type: 'array', items: agentViewSchema },
  },
} as const;
export type AdminClusterStatus = FromSchema<typeof adminClusterStatusSchema>;

/** GET /debug/clusters: the ids of the clusters the caller may use (upstream's shape). */
export const debugClustersSchema = {
  type: 'object',
  required: ['clusters', 'count'],
  additionalProperties: false,
  properties: { clusters: strings, count: { type: 'integer' } },
} as const;
export type DebugClusters = FromSchema<typeof debugClustersSchema>;

/** GET /debug/clusters/:id: upstream's cluster detail, plus `connected` and `last_seen`. */
export const clusterDetailSchema = {
  type: 'object',
  required: ['clusterId', 'status', 'capabilities', 'ttlRemaining', 'cluster_id', 'connected', 'last_seen'],
  additionalProperties: false,
  properties: {
    clusterId: { type: 'string' },
    status: {
      type: 'object',
      required: ['hasToken', 'hasActiveSession', 'executorReporting'],
      additionalProperties: false,
      properties: {
        hasToken: { type: 'boolean', description: 'The cluster is provisioned (its agent can connect)' },
        hasActiveSession: { type: 'boolean', description: 'The caller has a live session on it' },
        executorReporting: { type: 'boolean', description: 'An agent of the cluster is connected' },
      },
    },
    capabilities: nullableCapabilities,
    ttlRemaining: { type: 'null', description: 'Capabilities are derived live, they do not expire: null' },
    cluster_id: { type: 'string' },
    connected: { type: 'boolean' },
    last_seen: nullableString,
  },
} as const;
export type ClusterDetail = FromSchema<typeof clusterDetailSchema>;

/** GET /api/v1/clusters/:id/capabilities. */
export const capabilitiesAnswerSchema = {
  type: 'object',
  required: ['clusterId', 'capabilities', 'available'],
  additionalProperties: false,
  properties: {
    clusterId: { type: 'string' },
    capabilities: nullableCapabilities,
    available: {
      type: 'boolean',
      description: 'Whether capabilities are known (an agent has been heard from)',
    },
  },
} as const;
export type CapabilitiesAnswer = FromSchema<typeof capabilitiesAnswerSchema>;
