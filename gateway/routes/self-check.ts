// GET /clusters/:id/self-check (admins): asks one agent of the cluster for its self-check report — what its
// own ServiceAccount may do (SelfSubjectAccessReview / SelfSubjectRulesReview, which change nothing) and how
// it reaches NATS. The message is a command of kind `self_check` with an empty argv, published like any
// command and only from here. The agent's answer is not trusted: a report outside its schema is passed on
// as an error, never as a report.

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { outputDigest } from '../../common/audit/output-digest.js';
import { KubentlyError } from '../../common/errors.js';
import {
  isSelfCheckReport,
  type SelfCheckAnswer,
  type SelfCheckReport,
  selfCheckAnswerSchema,
} from '../../common/self-check.js';
import { malformedResultFields } from '../../common/wire.js';
import { callerOf, isAdmin } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import { clusterIdParam, errorRef } from '../schemas.js';

/** How long the agent gets: dozens of small reviews against its apiserver. */
export const SELF_CHECK_TIMEOUT_MS = 20_000;

function parseReport(output: string): SelfCheckReport | null {
  try {
    const value: unknown = JSON.parse(output);
    return isSelfCheckReport(value) ? value : null;
  } catch {
    return null;
  }
}

export async function selfCheckRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const admins = new Set(ctx.config.adminIdentities);

  app.get<{ Params: { id: string } }>(
    '/clusters/:id/self-check',
    {
      schema: {
        tags: ['admin'],
        summary: "An agent's self-check: its RBAC and its NATS transport (admins)",
        description:
          'One agent of the cluster asks its apiserver, with SelfSubjectAccessReview and SelfSubjectRulesReview (which store and change nothing), whether its ServiceAccount can read Secrets or write, and whether it can read what its policy preset needs; it also reports whether its NATS connection is TLS and when its credential expires. `kubently doctor` judges the report. 503 when no agent is connected, 504 when none answers in time.',
        params: { type: 'object', required: ['id'], properties: { id: clusterIdParam } },
        response: {
          200: selfCheckAnswerSchema,
          401: errorRef,
          403: errorRef,
          404: errorRef,
          429: errorRef,
          503: errorRef,
          504: errorRef,
        },
      },
    },
    async (request): Promise<SelfCheckAnswer> => {
      const caller = callerOf(request);
      if (!isAdmin(caller, admins)) throw new KubentlyError('forbidden', 'an admin identity is required');
      const clusterId = request.params.id;
      if (!ctx.config.clusters.includes(clusterId) && ctx.agents.cluster(clusterId).agents.length === 0)
        throw new KubentlyError('not_found', 'cluster not found');
      if (!ctx.agents.isConnected(clusterId))
        throw new KubentlyError('agent_unavailable', 'no agent of this cluster is connected', {
          details: { cluster_id: clusterId },
        });
      const id = randomUUID();
      const reply = await ctx.relay.send(
        {
          id,
          clusterId,
          argv: [],
          identity: caller.identity,
          sessionId: null,
          timeoutMs: SELF_CHECK_TIMEOUT_MS,
        },
        'self_check',
      );
      const wellFormed = malformedResultFields(reply).length === 0;
      const report = wellFormed && reply.status === 'success' ? parseReport(reply.output) : null;
      const error =
        report !== null
          ? null
          : wellFormed && reply.status !== 'success'
            ? `the agent could not run its self-check: ${String(reply.error ?? reply.status).slice(0, 500)}`
            : 'the agent answered with a malformed self-check report';
      const output = wellFormed ? reply.output : '';
      void ctx.audit.emit({
        source_ip: request.ip,
        api_key_prefix: caller.keyPrefix,
        identity: caller.identity,
        cluster_id: clusterId,
        command_id: id,
        event_type: 'command_executed',
        details: {
          verb: 'self-check',
          kind: 'self_check',
          argv: [],
          status: report ? 'success' : 'failure',
          error,
          ...outputDigest(output),
        },
      });
      return {
        cluster_id: clusterId,
        command_id: id,
        status: report ? 'success' : 'failure',
        agent_id: wellFormed && typeof reply.agent_id === 'string' ? reply.agent_id.slice(0, 253) : null,
        report,
        error,
      };
    },
  );
}
