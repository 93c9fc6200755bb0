// Verifies OpenID Connect bearer tokens (JWTs) with jose and turns them into a caller: the identity from
// one claim, groups from another as `group:<name>`. Only asymmetric signatures by the issuer's published
// keys are accepted; a token that cannot be checked (issuer unreachable) is refused, never trusted unread.

import { errors, jwtVerify } from 'jose';
import { createJwksCache, IssuerUnavailableError, type JwksCache } from './jwks-cache.js';
import type { OidcConfig } from './oidc-config.js';

/** RS*, PS*, ES* and EdDSA: never `none`, never HS* (a public key used as an HMAC secret). */
export const ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** Why a token was refused: the check that failed. Audit records and metrics carry these. */
export const TOKEN_FAILURE_REASONS = [
  'token_malformed',
  'token_algorithm_not_allowed',
  'token_unknown_key',
  'token_bad_signature',
  'token_expired',
  'token_not_yet_valid',
  'token_wrong_issuer',
  'token_wrong_audience',
  'token_invalid_claims',
  'token_missing_identity',
  'token_email_unverified',
  'issuer_unreachable',
] as const;
export type TokenFailureReason = (typeof TOKEN_FAILURE_REASONS)[number];

export const GROUP_PREFIX = 'group:';
/** Longest identity or group name taken from a token, in characters. */
export const MAX_CLAIM_LENGTH = 256;
// Printable, no whitespace: identities end up in Redis keys, logs and audit records.
const IDENTITY_VALUE = new RegExp(`^[^\\s\\p{Cc}]{1,${MAX_CLAIM_LENGTH}}$`, 'u');
// Group names from some providers contain spaces ("Platform Team"); control characters never.
const GROUP_VALUE = new RegExp(`^[^\\p{Cc}]{1,${MAX_CLAIM_LENGTH}}$`, 'u');

export interface OidcCaller {
  identity: string;
  /** `group:<name>` for each group in the token. */
  groups: string[];
  /** The token's `exp`, seconds since the epoch. */
  expiresAt: number;
}

export type OidcOutcome =
  | { ok: true; caller: OidcCaller }
  | { ok: false; reason: TokenFailureReason; message: string; retryAfterSeconds?: number };

export interface OidcVerifier {
  readonly issuer: string;
  verify(token: string): Promise<OidcOutcome>;
  /** Fetches discovery and keys ahead of the first token; failures are reported, not thrown. */
  warm(): Promise<Error | undefined>;
}

export interface OidcVerifierOptions {
  config: OidcConfig;
  /** Injected for tests; defaults to a cache built from the config. */
  keys?: JwksCache;
  /** Seconds since the epoch, for `exp`/`nbf`; defaults to the wall clock. */
  nowSeconds?: () => number;
}

/**
 * Whether a bearer value has the shape of a compact JWS (three base64url parts, a JSON header). API keys
 * never do, so such a value is checked as a token and everything else as an API key.
 */
export function looksLikeJwt(value: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(value);
}

function fail(reason: TokenFailureReason, message: string): OidcOutcome {
  return { ok: false, reason, message };
}

/** Maps jose's error classes to the check that failed. */
function failureOf(err: unknown): OidcOutcome {
  if (err instanceof IssuerUnavailableError) {
    return {
      ok: false,
      reason: 'issuer_unreachable',
      message: err.message,
      retryAfterSeconds: err.retryAfterSeconds,
    };
  }
  if (err instanceof errors.JWTExpired) return fail('token_expired', 'token expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return fail('token_wrong_issuer', 'token issued by another issuer');
      case 'aud':
        return fail('token_wrong_audience', 'token meant for another audience');
      case 'nbf':
        return fail('token_not_yet_valid', 'token not valid yet');
      default:
        return fail('token_invalid_claims', `token claim ${err.claim} is missing or invalid`);
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return fail('token_algorithm_not_allowed', 'token algorithm not allowed');
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return fail('token_unknown_key', 'token signed by an unknown key');
  }
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return fail('token_bad_signature', 'token signature invalid');
  return fail('token_malformed', 'token malformed');
}

function groupsOf(value: unknown): string[] | null {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((g) => typeof g === 'string' && GROUP_VALUE.test(g))) return null;
  return [...new Set(list as string[])].map((g) => `${GROUP_PREFIX}${g}`);
}

export function createOidcVerifier({ config, keys, nowSeconds }: OidcVerifierOptions): OidcVerifier {
  const cache =
    keys ??
    createJwksCache({
      issuer: config.issuer,
      maxAgeMs: config.jwksMaxAgeMs,
      cooldownMs: config.jwksCooldownMs,
    });
  const verifyOptions = {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: [...ALLOWED_ALGORITHMS],
    clockTolerance: config.clockSkewSeconds,
    // A token without an expiry would be valid forever.
    requiredClaims: ['exp'],
  };
  return {
    issuer: config.issuer,
    async verify(token) {
      let payload: Record<string, unknown>;
      try {
        const currentDate = nowSeconds ? new Date(nowSeconds() * 1000) : undefined;
        ({ payload } = await jwtVerify(token, cache.getKey, { ...verifyOptions, currentDate }));
      } catch (err) {
        return failureOf(err);
      }
      const identity = payload[config.identityClaim];
      if (
        typeof identity !== 'string' ||
        !IDENTITY_VALUE.test(identity) ||
        identity.startsWith(GROUP_PREFIX)
      ) {
        return fail('token_missing_identity', `token has no usable ${config.identityClaim} claim`);
      }
      // An unverified address could belong to someone else (OpenID Connect Core 5.1, email_verified).
      if (config.identityClaim === 'email' && payload.email_verified === false) {
        return fail('token_email_unverified', 'token email is not verified');
      }
      const groups = groupsOf(payload[config.groupsClaim]);
      if (groups === null)
        return fail('token_invalid_claims', `token claim ${config.groupsClaim} is not a list of names`);
      return { ok: true, caller: { identity, groups, expiresAt: payload.exp as number } };
    },
    async warm() {
      try {
        await cache.refresh();
        return undefined;
      } catch (err) {
        return err as Error;
      }
    },
  };
}
