// GET /clusters, /clusters/:id/status (the caller's clusters only) and the admin views of every agent.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KubentlyError } from '../../common/errors.js';
import type { AgentStatus } from '../agent-tracker.js';
import { callerOf, isAdmin } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import { clusterId, errorRef } from '../schemas.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function agentView(a: AgentStatus) {
  return {
    agent_id: a.agentId,
    cluster_id: a.clusterId,
    connected: a.connected,
    last_seen: iso(a.lastSeen),
    version: a.version,
    policy_preset: a.policyPreset,
    in_flight: a.inFlight,
    started_at: a.startedAt,
  };
}

const nullableString = { anyOf: [{ type: 'string' }, { type: 'null' }] };
const agentSchema = {
  type: 'object',
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
};
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
        params: { type: 'object', required: ['id'], properties: { id: clusterId } },
        response: {
          200: {
            type: 'object',
            properties: {
              cluster_id: { type: 'string' },
              connected: { type: 'boolean' },
              last_seen: nullableString,
              agents: { type: 'array', items: agentSchema },
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
        response: {
          200: { type: 'object', properties: { agents: { type: 'array', items: agentSchema } } },
          ...errors,
        },
      },
    },
    async (request) => {
      requireAdmin(request);
      return { agents: agents.clusters().flatMap((c) => c.agents.map(agentView)) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/admin/agents/:id/status',
    {
      schema: {
        tags: ['admin'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 253 } } },
        response: { 200: agentSchema, ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      const agent = agents
        .clusters()
        .flatMap((c) => c.agents)
        .find((a) => a.agentId === request.params.id);
      if (!agent) throw new KubentlyError('not_found', 'agent not found');
      return agentView(agent);
    },
  );
}
