// GET /clusters, /clusters/:id/status (the caller's clusters only) and the admin views of every agent.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type AdminAgents,
  type AdminClusterStatus,
  adminAgentsSchema,
  adminClusterStatusSchema,
  agentViewSchema,
} from '../../common/api-clusters.js';
import { KubentlyError } from '../../common/errors.js';
import { callerOf, isAdmin } from '../auth/authenticate.js';
import { agentView, capabilitiesOf, iso, newestAgent } from '../cluster-views.js';
import type { GatewayContext } from '../context.js';
import { clusterIdParam, errorRef } from '../schemas.js';

const nullableString = { anyOf: [{ type: 'string' }, { type: 'null' }] };
const clusterSummary = {
  type: 'object',
  properties: {
    cluster_id: { type: 'string' },
    connected: { type: 'boolean' },
    last_seen: nullableString,
    agents: { type: 'integer' },
  },
};
const errors = { 401: errorRef, 403: errorRef, 404: errorRef, 429: errorRef };

export async function clusterRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { agents, clusters, config } = ctx;
  const admins = new Set(config.adminIdentities);

  function requireAdmin(request: FastifyRequest): void {
    if (!isAdmin(callerOf(request), admins))
      throw new KubentlyError('forbidden', 'an admin identity is required');
  }

  app.get(
    '/clusters',
    {
      schema: {
        tags: ['clusters'],
        summary: 'The clusters you may use, and whether an agent of each is connected',
        description:
          'Clusters that are configured (CLUSTERS) or whose agents have sent heartbeats, limited to those your ' +
          'identity may use. `last_seen` is the newest heartbeat; `agents` counts replicas heard from.',
        response: {
          200: { type: 'object', properties: { clusters: { type: 'array', items: clusterSummary } } },
          ...errors,
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return {
        clusters: clusters.visible(caller).map((id) => {
          const c = agents.cluster(id);
          return {
            cluster_id: id,
            connected: c.connected,
            last_seen: iso(c.lastSeen),
            agents: c.agents.length,
          };
        }),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/clusters/:id/status',
    {
      schema: {
        tags: ['clusters'],
        summary: 'One of your clusters: connected, last seen, and its agent replicas',
        description:
          'Each agent replica with its version, policy preset and commands in flight. A cluster you may not ' +
          'use answers 404 exactly like one that does not exist.',
        params: { type: 'object', required: ['id'], properties: { id: clusterIdParam } },
        response: {
          200: {
            type: 'object',
            properties: {
              cluster_id: { type: 'string' },
              connected: { type: 'boolean' },
              last_seen: nullableString,
              agents: { type: 'array', items: agentViewSchema },
            },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      ctx.refusals.requireCluster(request, request.params.id);
      const c = agents.cluster(request.params.id);
      return {
        cluster_id: c.clusterId,
        connected: c.connected,
        last_seen: iso(c.lastSeen),
        agents: c.agents.map(agentView),
      };
    },
  );

  app.get(
    '/admin/agents',
    {
      schema: {
        tags: ['admin'],
        summary: 'Every known cluster and agent replica (admins)',
        description:
          'Clusters that are configured (CLUSTERS) or whose agents have sent heartbeats, in the shape upstream ' +
          "Kubently's `kubently cluster list` reads (`clusters[].id`, `connected`, `lastSeen`, `count`) and with " +
          "Kubently's own fields (`cluster_id`, `last_seen`, `agents`), plus every agent replica.",
        response: { 200: adminAgentsSchema, ...errors },
      },
    },
    async (request): Promise<AdminAgents> => {
      requireAdmin(request);
      const known = new Set([...config.clusters, ...agents.clusters().map((c) => c.clusterId)]);
      const all = [...known].sort().map((id) => agents.cluster(id));
      return {
        clusters: all.map((c) => ({
          id: c.clusterId,
          connected: c.connected,
          lastSeen: iso(c.lastSeen),
          cluster_id: c.clusterId,
          last_seen: iso(c.lastSeen),
          agents: c.agents.length,
        })),
        count: all.length,
        agents: all.flatMap((c) => c.agents.map(agentView)),
      };
    },
  );

  app.get<{ Params: { cluster: string } }>(
    '/admin/agents/:cluster/status',
    {
      schema: {
        tags: ['admin'],
        summary: "One cluster's agents and capabilities (admins)",
        description:
          'Keyed by cluster id, as `kubently cluster status <cluster>` of upstream Kubently asks. 404 for a cluster ' +
          'that is neither configured nor heard from.',
        params: { type: 'object', required: ['cluster'], properties: { cluster: clusterIdParam } },
        response: { 200: adminClusterStatusSchema, ...errors },
      },
    },
    async (request): Promise<AdminClusterStatus> => {
      requireAdmin(request);
      const id = request.params.cluster;
      const c = agents.cluster(id);
      if (!config.clusters.includes(id) && c.agents.length === 0)
        throw new KubentlyError('not_found', 'cluster not found');
      const capabilities = capabilitiesOf(ctx.policy(), c);
      return {
        id,
        connected: c.connected,
        status: c.connected ? 'connected' : 'disconnected',
        lastSeen: iso(c.lastSeen),
        version: newestAgent(c)?.version ?? null,
        kubernetesVersion: null,
        capabilities,
        mode: capabilities?.mode ?? null,
        cluster_id: id,
        last_seen: iso(c.lastSeen),
        agents: c.agents.map(agentView),
      };
    },
  );
}
