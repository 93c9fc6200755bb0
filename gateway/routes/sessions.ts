// POST/GET/DELETE /debug/session and GET /debug/sessions: only ever the caller's own sessions.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type SessionBody, type SessionRequestBody, sessionRequestSchema } from '../../common/api.js';
import { KubentlyError } from '../../common/errors.js';
import { callerOf } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import { errorRef, idParam, SESSION_DESCRIPTION, sessionRef } from '../schemas.js';
import type { Session } from '../sessions/types.js';
import { foldUpstreamHeaders, upstreamHeadersSchema } from '../upstream-headers.js';

export function sessionView(s: Session): SessionBody {
  return {
    session_id: s.id,
    cluster_id: s.clusterId,
    status: 'active',
    created_at: new Date(s.createdAt).toISOString(),
    expires_at: new Date(s.expiresAt).toISOString(),
    ttl_seconds: s.ttlSeconds,
    user_id: s.userId,
    correlation_id: s.correlationId,
    commands_executed: s.commandsExecuted,
    last_activity: new Date(s.lastActivity).toISOString(),
  };
}

const sessionNotFound = () => new KubentlyError('not_found', 'session not found');

/** An id that is not one of the caller's sessions (unknown, ended or someone else's): recorded, then 404. */
function refuseSession(ctx: GatewayContext, request: FastifyRequest, sessionId: string): KubentlyError {
  ctx.refusals.record(request, { reason: 'session_not_found', session_id: sessionId });
  return sessionNotFound();
}
const errors = { 400: errorRef, 401: errorRef, 404: errorRef, 429: errorRef, 503: errorRef };
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { ...idParam, description: 'session_id from POST /debug/session' } },
} as const;

export async function sessionRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { config, sessions, audit } = ctx;
  const auditBase = (request: FastifyRequest) => ({
    source_ip: request.ip,
    api_key_prefix: callerOf(request).keyPrefix,
    identity: callerOf(request).identity,
  });

  app.post<{ Body: SessionRequestBody; Reply: SessionBody }>(
    '/debug/session',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Open a session on a cluster',
        description: SESSION_DESCRIPTION,
        headers: upstreamHeadersSchema({ timeout: false }),
        body: { ...sessionRequestSchema(config.sessionTtlSeconds), examples: [{ cluster_id: 'local' }] },
        response: { 201: sessionRef, ...errors },
      },
      config: { rateLimit: { max: config.rateLimit.sessionCreate, timeWindow: config.rateLimit.windowMs } },
      preHandler: foldUpstreamHeaders,
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { identity } = caller;
      const body = request.body;
      ctx.refusals.requireCluster(request, body.cluster_id);
      const session = await sessions.create({
        clusterId: body.cluster_id,
        owner: identity,
        userId: body.user_id ?? null,
        correlationId: body.correlation_id ?? null,
        ttlSeconds: body.ttl_seconds ?? config.sessionTtlSeconds,
      });
      void audit.emit({
        ...auditBase(request),
        event_type: 'session_creation',
        cluster_id: session.clusterId,
        session_id: session.id,
        details: {
          ttl_seconds: session.ttlSeconds,
          user_id: session.userId,
          correlation_id: session.correlationId,
        },
      });
      return reply.code(201).send(sessionView(session));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/debug/session/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'One of your sessions',
        description:
          "The `session_id` from POST /debug/session. Someone else's session, or one that ended, answers 404.",
        params: idParams,
        response: { 200: sessionRef, ...errors },
      },
    },
    async (request) => {
      const session = await sessions.get(request.params.id, callerOf(request).identity);
      if (!session) throw refuseSession(ctx, request, request.params.id);
      return sessionView(session);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/debug/session/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'End one of your sessions',
        description:
          'Answers 204 with no body; the session_termination audit record says so. 404 if not yours.',
        params: idParams,
        response: { 204: { type: 'null' }, ...errors },
      },
    },
    async (request, reply) => {
      const session = await sessions.delete(request.params.id, callerOf(request).identity);
      if (!session) throw refuseSession(ctx, request, request.params.id);
      void audit.emit({
        ...auditBase(request),
        event_type: 'session_termination',
        cluster_id: session.clusterId,
        session_id: session.id,
        details: { reason: 'deleted', commands_executed: session.commandsExecuted },
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/debug/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Your live sessions',
        description: 'Only the sessions your identity created that have not ended, newest expiry last.',
        response: {
          200: {
            type: 'object',
            properties: { sessions: { type: 'array', items: sessionRef } },
          },
          ...errors,
        },
      },
    },
    async (request) => ({ sessions: (await sessions.list(callerOf(request).identity)).map(sessionView) }),
  );
}
