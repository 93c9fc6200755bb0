// Upstream Kubently's cluster read routes, as its executor, agent and Python clients call them:
// GET /debug/clusters, GET /debug/clusters/:id and GET /api/v1/clusters/:id/capabilities. Each answers only
// about the clusters the caller may use; any other id is a 404 like an unknown one (upstream answers every
// caller about every cluster).

import type { FastifyInstance } from 'fastify';
import {
  type CapabilitiesAnswer,
  type ClusterDetail,
  capabilitiesAnswerSchema,
  clusterDetailSchema,
  type DebugClusters,
  debugClustersSchema,
} from '../../common/api-clusters.js';
import { callerOf } from '../auth/authenticate.js';
import { capabilitiesOf, iso } from '../cluster-views.js';
import type { GatewayContext } from '../context.js';
import { clusterIdParam, errorRef } from '../schemas.js';

const errors = { 401: errorRef, 404: errorRef, 429: errorRef, 503: errorRef };
const params = { type: 'object', required: ['id'], properties: { id: clusterIdParam } } as const;

export async function debugClusterRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { agents, clusters, sessions } = ctx;

  app.get(
    '/debug/clusters',
    {
      schema: {
        tags: ['clusters'],
        summary: 'The ids of the clusters you may use (upstream shape)',
        description:
          'The same clusters as GET /clusters, as the plain id list upstream Kubently clients read: ' +
          '`{"clusters": ["local"], "count": 1}`.',
        response: { 200: debugClustersSchema, ...errors },
      },
    },
    async (request): Promise<DebugClusters> => {
      const ids = clusters.visible(callerOf(request));
      return { clusters: ids, count: ids.length };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/debug/clusters/:id',
    {
      schema: {
        tags: ['clusters'],
        summary: 'One cluster in detail: agent reporting, your sessions on it, capabilities (upstream shape)',
        description:
          '`status.hasToken`: the cluster is provisioned; `status.hasActiveSession`: you have a live session ' +
          'on it; `status.executorReporting`: an agent is connected. `capabilities` is null until an agent has ' +
          'been heard from.',
        params,
        response: { 200: clusterDetailSchema, ...errors },
      },
    },
    async (request): Promise<ClusterDetail> => {
      const caller = callerOf(request);
      const id = request.params.id;
      clusters.require(caller, id);
      const c = agents.cluster(id);
      const mine = await sessions.list(caller.identity);
      return {
        clusterId: id,
        status: {
          hasToken: true,
          hasActiveSession: mine.some((s) => s.clusterId === id),
          executorReporting: c.connected,
        },
        capabilities: capabilitiesOf(ctx.policy(), c),
        ttlRemaining: null,
        cluster_id: id,
        connected: c.connected,
        last_seen: iso(c.lastSeen),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/clusters/:id/capabilities',
    {
      schema: {
        tags: ['clusters'],
        summary: 'What commands a cluster accepts (upstream shape)',
        description:
          "The verbs and flags the gateway's policy allows on the cluster, the agent's policy preset (`mode`) " +
          'and version. `available` is false, and `capabilities` null, until an agent has been heard from.',
        params,
        response: { 200: capabilitiesAnswerSchema, ...errors },
      },
    },
    async (request): Promise<CapabilitiesAnswer> => {
      const id = request.params.id;
      clusters.require(callerOf(request), id);
      const capabilities = capabilitiesOf(ctx.policy(), agents.cluster(id));
      return { clusterId: id, capabilities, available: capabilities !== null };
    },
  );
}
