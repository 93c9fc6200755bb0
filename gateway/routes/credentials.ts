// POST/DELETE /admin/agents/:id/token and /admin/subscribers/:name/token (upstream Kubently's routes, admin
// identities only): mint, rotate and revoke NATS credentials at run time. The token is shown once.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KubentlyError } from '../../common/errors.js';
import type { CredentialKind } from '../../common/nats-auth/issuer.js';
import { callerOf } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import type { CredentialAdmin } from '../credentials.js';
import { clusterId, errorRef } from '../schemas.js';

const nullableString = { anyOf: [{ type: 'string' }, { type: 'null' }] };
const rotateQuery = {
  type: 'object',
  additionalProperties: false,
  // Query strings are not coerced by this app's validator: the literal words.
  properties: { rotate: { type: 'string', enum: ['true', 'false'], default: 'false' } },
} as const;
const errors = { 400: errorRef, 401: errorRef, 403: errorRef, 409: errorRef, 429: errorRef, 503: errorRef };
const issuedCommon = {
  token: { type: 'string', description: 'NATS credentials file text (user JWT and seed); shown once' },
  createdAt: { type: 'string' },
  expiresAt: nullableString,
  previousValidUntil: { type: 'string', description: 'on a rotation: until when the replaced token works' },
};

/** The routes as a buildGateway plugin; `admin` undefined (no operator signing key) makes them answer 503. */
export function credentialRoutesPlugin(admin: CredentialAdmin | undefined) {
  return async (app: FastifyInstance, ctx: GatewayContext): Promise<void> => {
    const admins = new Set(ctx.config.adminIdentities);

    function authorize(request: FastifyRequest): CredentialAdmin {
      if (!admins.has(callerOf(request).identity))
        throw new KubentlyError('forbidden', 'an admin identity is required');
      if (!admin) {
        throw new KubentlyError(
          'service_unavailable',
          'credential issuing is not configured on this gateway (NATS_OPERATOR_SIGNING_KEY_FILE)',
        );
      }
      return admin;
    }

    function routes(kind: CredentialKind, prefix: string, param: 'id' | 'name') {
      const whose = kind === 'cluster' ? "a cluster's agent" : 'an event subscriber';
      const mint = {
        summary: `Mint or rotate ${whose} NATS credential`,
        description:
          `Admins only. Creates ${whose} NATS account user and answers its credentials file text once (201). ` +
          'A second mint answers 409 unless `?rotate=true`, which issues a new one and keeps the old valid for ' +
          'the rotation overlap. Takes no body (an empty `application/json` body is accepted). 503 when the ' +
          'gateway holds no operator signing key.',
      };
      const revoke = {
        summary: `Revoke ${whose} NATS credential`,
        description:
          `Admins only. Revokes every credential of ${whose}: connected clients are cut off within seconds and ` +
          'cannot reconnect (204). Takes no body. 503 when the gateway holds no operator signing key.',
      };
      const params = {
        type: 'object',
        required: [param],
        properties: { [param]: { ...clusterId, examples: [kind === 'cluster' ? 'local' : 'siem'] } },
      } as const;
      app.post<{ Params: Record<string, string>; Querystring: { rotate: 'true' | 'false' } }>(
        `${prefix}/:${param}/token`,
        {
          schema: {
            tags: ['admin'],
            ...mint,
            params,
            querystring: rotateQuery,
            response: {
              201:
                kind === 'cluster'
                  ? { type: 'object', properties: { ...issuedCommon, clusterId: { type: 'string' } } }
                  : {
                      type: 'object',
                      properties: {
                        ...issuedCommon,
                        name: { type: 'string' },
                        stream: { type: 'string' },
                        consumer: { type: 'string' },
                        api_prefix: { type: 'string' },
                      },
                    },
              ...errors,
            },
          },
        },
        async (request, reply) => {
          const name = request.params[param] as string;
          const issued = await authorize(request).mint(kind, name, request.query.rotate === 'true');
          const { token, createdAt, expiresAt, previousValidUntil } = issued;
          reply.code(201).header('Cache-Control', 'no-store');
          return kind === 'cluster'
            ? { token, clusterId: name, createdAt, expiresAt, previousValidUntil }
            : {
                token,
                name,
                stream: issued.stream,
                consumer: issued.consumer,
                api_prefix: issued.apiPrefix,
                createdAt,
                expiresAt,
                previousValidUntil,
              };
        },
      );
      app.delete<{ Params: Record<string, string> }>(
        `${prefix}/:${param}/token`,
        {
          schema: {
            tags: ['admin'],
            ...revoke,
            params,
            response: { 204: { type: 'null' }, 404: errorRef, ...errors },
          },
        },
        async (request, reply) => {
          const name = request.params[param] as string;
          if (!(await authorize(request).revoke(kind, name)))
            throw new KubentlyError('not_found', `"${name}" has no credential`);
          reply.code(204);
        },
      );
    }

    routes('cluster', '/admin/agents', 'id');
    routes('subscriber', '/admin/subscribers', 'name');
  };
}
