// RFC 9728 (OAuth 2.0 Protected Resource Metadata): how an MCP host or another OAuth client learns, from
// the gateway itself, which authorization server issues the tokens it accepts. A 401 names the metadata
// document in its WWW-Authenticate challenge (`resource_metadata`), as the MCP authorization spec asks.

import type { FastifyRequest } from 'fastify';
import { WWW_AUTHENTICATE } from './authenticate.js';
import type { OidcConfig } from './oidc-config.js';

export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** The metadata document (RFC 9728 section 2); `kubently_cli_client_id` is ours, for `kubently login`. */
export interface ResourceMetadata {
  resource: string;
  authorization_servers: string[];
  bearer_methods_supported: ['header'];
  resource_name: string;
  kubently_cli_client_id?: string;
}

/**
 * The gateway's public origin: OIDC_RESOURCE, or else the scheme and host the request arrived with (behind
 * a proxy only when TRUST_PROXY lets Fastify read X-Forwarded-*). Undefined when the Host header does not
 * make a plain origin, so nothing a client sent is ever echoed into a header unchecked.
 */
export function resourceOf(request: FastifyRequest, oidc: OidcConfig): string | undefined {
  if (oidc.resource) return oidc.resource;
  if (!HOST.test(request.host)) return undefined;
  return new URL(`${request.protocol}://${request.host}`).origin;
}

/** A host name or IP literal with an optional port: nothing that could break out of a quoted header value. */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The URL of the metadata document for this gateway, for the `resource_metadata` challenge parameter. */
export function resourceMetadataUrl(request: FastifyRequest, oidc: OidcConfig): string | undefined {
  const resource = resourceOf(request, oidc);
  return resource === undefined ? undefined : `${new URL(resource).origin}${RESOURCE_METADATA_PATH}`;
}

export function resourceMetadata(request: FastifyRequest, oidc: OidcConfig): ResourceMetadata | undefined {
  const resource = resourceOf(request, oidc);
  if (resource === undefined) return undefined;
  return {
    resource,
    authorization_servers: [oidc.issuer],
    bearer_methods_supported: ['header'],
    resource_name: 'Kubently',
    ...(oidc.cliClientId ? { kubently_cli_client_id: oidc.cliClientId } : {}),
  };
}

/**
 * The WWW-Authenticate value of a 401 when OIDC is on: a refused token gets RFC 6750's
 * `Bearer error="invalid_token"`; a missing or wrong API key gets both challenges. Each names the metadata.
 */
export function bearerChallenge(oidc: OidcConfig) {
  return (request: FastifyRequest, tokenError?: string): string => {
    const url = resourceMetadataUrl(request, oidc);
    const metadata = url === undefined ? '' : `, resource_metadata="${url}"`;
    return tokenError
      ? `Bearer realm="kubently", error="${tokenError}"${metadata}`
      : `${WWW_AUTHENTICATE}${metadata}`;
  };
}
