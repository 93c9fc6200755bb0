// The OIDC_* settings: which issuer's tokens the gateway accepts beside API keys, and how it reads them.

import type { EnvReader } from '../../common/env.js';

export interface OidcConfig {
  /** The issuer exactly as its tokens' `iss` and its discovery document's `issuer` spell it. */
  issuer: string;
  /** Accepted `aud` values; a token must name at least one of them. */
  audience: string[];
  /** The claim whose (string) value is the caller's identity, e.g. `email`. */
  identityClaim: string;
  /** The claim holding the caller's groups (a list of strings); each becomes the identity `group:<name>`. */
  groupsClaim: string;
  /** Tolerated clock difference for `exp` and `nbf`, in seconds (0–60). */
  clockSkewSeconds: number;
  /** How long fetched keys are used before they are fetched again, in ms. */
  jwksMaxAgeMs: number;
  /** Least time between two fetches of the key set caused by tokens with an unknown `kid`, in ms. */
  jwksCooldownMs: number;
  /** The gateway's public URL for RFC 9728 metadata; unset: the origin the request arrived at. */
  resource: string | undefined;
  /** A public client id the CLI may use for `kubently login`, advertised in the resource metadata. */
  cliClientId: string | undefined;
}

export const DEFAULT_IDENTITY_CLAIM = 'email';
export const DEFAULT_GROUPS_CLAIM = 'groups';
export const MAX_CLOCK_SKEW_SECONDS = 60;
export const DEFAULT_JWKS_MAX_AGE_MS = 10 * 60_000;
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether `url` may be used to fetch keys: https, or plain http to this machine (tests and local
 * issuers). Anything else would let a network attacker hand the gateway its own signing keys.
 */
export function isTrustedTransport(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/** Reads OIDC_*; undefined when OIDC_ISSUER is unset (API keys only). Problems go to the reader's list. */
export function readOidcConfig(r: EnvReader): OidcConfig | undefined {
  const issuer = r.string('OIDC_ISSUER');
  if (issuer === undefined) return undefined;
  try {
    const url = new URL(issuer);
    if (!isTrustedTransport(url)) r.problems.push('OIDC_ISSUER must be an https URL (http only on loopback)');
  } catch {
    r.problems.push(`OIDC_ISSUER=${JSON.stringify(issuer)} is not a URL`);
  }
  const audience = r.list('OIDC_AUDIENCE');
  if (audience.length === 0) {
    r.problems.push('OIDC_AUDIENCE is required with OIDC_ISSUER: the audience (client id) tokens must name');
  }
  const resource = r.string('OIDC_RESOURCE');
  if (resource !== undefined && !URL.canParse(resource)) {
    r.problems.push(`OIDC_RESOURCE=${JSON.stringify(resource)} is not a URL`);
  }
  return {
    issuer,
    audience,
    identityClaim: r.string('OIDC_IDENTITY_CLAIM', DEFAULT_IDENTITY_CLAIM),
    groupsClaim: r.string('OIDC_GROUPS_CLAIM', DEFAULT_GROUPS_CLAIM),
    clockSkewSeconds: r.int('OIDC_CLOCK_SKEW_SECONDS', MAX_CLOCK_SKEW_SECONDS, {
      min: 0,
      max: MAX_CLOCK_SKEW_SECONDS,
    }),
    jwksMaxAgeMs: r.int('OIDC_JWKS_MAX_AGE_MS', DEFAULT_JWKS_MAX_AGE_MS, { min: 1000, max: 86_400_000 }),
    jwksCooldownMs: r.int('OIDC_JWKS_COOLDOWN_MS', DEFAULT_JWKS_COOLDOWN_MS, { min: 0, max: 3_600_000 }),
    resource: resource?.replace(/\/+$/, ''),
    cliClientId: r.string('OIDC_CLI_CLIENT_ID'),
  };
}
