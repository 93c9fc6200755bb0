// GET /whoami (the identity and groups the gateway sees for this credential) and, when OIDC is on,
// GET /.well-known/oauth-protected-resource (RFC 9728: which issuer's tokens this gateway accepts).

import type { FastifyInstance } from 'fastify';
import { KubentlyError } from '../../common/errors.js';
import { callerOf, isAdmin } from '../auth/authenticate.js';
import { RESOURCE_METADATA_PATH, resourceMetadata } from '../auth/resource-metadata.js';
import type { GatewayContext } from '../context.js';

const errorRef = { $ref: 'ErrorBody#' };

export async function identityRoutes(app: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const { config } = ctx;
  const admins = new Set(config.adminIdentities);

  app.get(
    '/whoami',
    {
      schema: {
        tags: ['identity'],
        summary: 'The identity, groups and credential kind the gateway sees for this request',
        description:
          "What the policy and the audit trail will call you: the API key's service name (API_KEYS " +
          "`service:key`) or the OIDC token's identity claim, with `group:<name>` identities and admin status.",
        response: {
          200: {
            type: 'object',
            required: ['identity', 'groups', 'auth_method', 'expires_at', 'admin'],
            properties: {
              identity: {
                type: 'string',
                description: "API key's service name or the token's identity claim",
              },
              groups: {
                type: 'array',
                items: { type: 'string' },
                description: '`group:<name>` identities from the token; empty for API keys',
              },
              auth_method: { type: 'string', enum: ['api_key', 'oidc'] },
              expires_at: {
                type: ['string', 'null'],
                format: 'date-time',
                description: 'when the token expires; null for API keys',
              },
              admin: {
                type: 'boolean',
                description: 'whether ADMIN_IDENTITIES names the identity or a group',
              },
            },
          },
          401: errorRef,
          429: errorRef,
          503: errorRef,
        },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return {
        identity: caller.identity,
        groups: caller.groups,
        auth_method: caller.method,
        expires_at: caller.expiresAt === null ? null : new Date(caller.expiresAt * 1000).toISOString(),
        admin: isAdmin(caller, admins),
      };
    },
  );

  const oidc = config.oidc;
  if (!oidc) return;
  app.get(
    RESOURCE_METADATA_PATH,
    {
      config: { public: true },
      schema: {
        tags: ['identity'],
        summary: 'OAuth 2.0 Protected Resource Metadata (RFC 9728): the issuer whose tokens are accepted',
        description:
          'Served only when OIDC is configured; MCP hosts and `kubently login` read it. No key needed.',
        security: [],
        response: {
          200: {
            type: 'object',
            required: ['resource', 'authorization_servers', 'bearer_methods_supported'],
            properties: {
              resource: { type: 'string' },
              authorization_servers: { type: 'array', items: { type: 'string' } },
              bearer_methods_supported: { type: 'array', items: { type: 'string' } },
              resource_name: { type: 'string' },
              kubently_cli_client_id: { type: 'string', description: 'client id for `kubently login`' },
            },
          },
          400: errorRef,
        },
      },
    },
    async (request, reply) => {
      const metadata = resourceMetadata(request, oidc);
      if (!metadata) throw new KubentlyError('bad_request', 'the Host header does not name an origin');
      // Derived from the Host header unless OIDC_RESOURCE is set: never cache one client's answer for another.
      reply.header('cache-control', oidc.resource ? 'public, max-age=300' : 'no-store');
      return metadata;
    },
  );
}
