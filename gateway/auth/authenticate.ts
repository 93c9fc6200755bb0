// The onRequest hook that turns an API key or an OpenID Connect token into the caller's identity. Routes
// marked `config.public` (health, readiness, metrics, docs) skip it; everything else answers 401 without a
// valid credential. A bearer value that is a known API key is one; a JWT-shaped one goes to the verifier.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEmitter } from '../../common/audit/emitter-types.js';
import { apiKeyPrefix } from '../../common/audit/events.js';
import { KubentlyError } from '../../common/errors.js';
import type { ApiKeyStore } from './api-keys.js';
import type { FailureLimiter } from './failure-limiter.js';
import { looksLikeJwt, type OidcVerifier, type TokenFailureReason } from './oidc.js';

export interface Caller {
  /** The API key's service name, or the person named by the token's identity claim. */
  identity: string;
  /** `group:<name>` identities from the token's groups claim; empty for API keys. */
  groups: string[];
  /** What logs and audit records may show of the key; null for tokens (the identity names the person). */
  keyPrefix: string | null;
  method: 'api_key' | 'oidc';
  /** The token's expiry (seconds since the epoch); null for API keys. */
  expiresAt: number | null;
}

/** The caller's identity followed by its group identities: what ADMIN_IDENTITIES and policies match. */
export function callerIdentities(caller: Pick<Caller, 'identity' | 'groups'>): string[] {
  return [caller.identity, ...caller.groups];
}

/** Whether the caller, or one of its groups, is listed in ADMIN_IDENTITIES. */
export function isAdmin(
  caller: Pick<Caller, 'identity' | 'groups'>,
  adminIdentities: ReadonlySet<string>,
): boolean {
  return callerIdentities(caller).some((id) => adminIdentities.has(id));
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
  interface FastifyContextConfig {
    /** No API key required. */
    public?: boolean;
  }
}

export const WWW_AUTHENTICATE = 'ApiKey realm="kubently", Bearer realm="kubently"';

export type KeyFailureReason = 'missing_api_key' | 'invalid_api_key' | 'conflicting_api_keys';
export type AuthFailureReason = KeyFailureReason | TokenFailureReason;

/**
 * The key from X-API-Key or Authorization: Bearer; two different keys are refused rather than guessed
 * between. `bearer` says the Authorization header carried it (only there may it be a token, RFC 6750).
 */
export function extractKey(
  request: FastifyRequest,
): { key: string; bearer: boolean } | { reason: KeyFailureReason } {
  const header = request.headers['x-api-key'];
  const fromHeader = Array.isArray(header) ? undefined : header?.trim() || undefined;
  if (Array.isArray(header)) return { reason: 'conflicting_api_keys' };
  const auth = request.headers.authorization;
  let fromBearer: string | undefined;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match) return { reason: 'invalid_api_key' };
    fromBearer = match[1];
  }
  if (fromHeader !== undefined && fromBearer !== undefined && fromHeader !== fromBearer) {
    return { reason: 'conflicting_api_keys' };
  }
  const key = fromHeader ?? fromBearer;
  return key === undefined ? { reason: 'missing_api_key' } : { key, bearer: fromBearer !== undefined };
}

const MESSAGES: Record<KeyFailureReason, string> = {
  missing_api_key: 'an API key is required (X-API-Key or Authorization: Bearer)',
  invalid_api_key: 'invalid API key',
  conflicting_api_keys: 'two different API keys were sent; send one',
};

/** Unauthenticated callers choose the user agent: the audit record keeps a bounded prefix of it. */
export const MAX_AUDITED_USER_AGENT = 256;

export interface AuthHookDeps {
  apiKeys: ApiKeyStore;
  audit: AuditEmitter;
  failures: FailureLimiter;
  /** Verifies bearer JWTs; undefined: API keys only. */
  oidc?: OidcVerifier | undefined;
  /** The WWW-Authenticate challenge of a 401 (with the token error, if any); see resource-metadata.ts. */
  challenge?: (request: FastifyRequest, tokenError?: string) => string;
  onFailure?: (reason: AuthFailureReason) => void;
}

type Attempt =
  | { caller: Caller }
  | { reason: AuthFailureReason; message: string; keyPrefix: string | null; retryAfter?: number };

async function identify(
  request: FastifyRequest,
  apiKeys: ApiKeyStore,
  oidc: OidcVerifier | undefined,
): Promise<Attempt> {
  const found = extractKey(request);
  if ('reason' in found) return { reason: found.reason, message: MESSAGES[found.reason], keyPrefix: null };
  const identity = apiKeys.authenticate(found.key);
  if (identity !== null) {
    return {
      caller: {
        identity,
        groups: [],
        keyPrefix: apiKeyPrefix(found.key),
        method: 'api_key',
        expiresAt: null,
      },
    };
  }
  if (!(oidc && found.bearer && looksLikeJwt(found.key))) {
    return {
      reason: 'invalid_api_key',
      message: MESSAGES.invalid_api_key,
      keyPrefix: apiKeyPrefix(found.key),
    };
  }
  const outcome = await oidc.verify(found.key);
  if (outcome.ok) return { caller: { ...outcome.caller, keyPrefix: null, method: 'oidc' } };
  // A token's prefix is its header, which names nothing secret but nothing useful either.
  return {
    reason: outcome.reason,
    message: outcome.message,
    keyPrefix: null,
    retryAfter: outcome.retryAfterSeconds,
  };
}

export function createAuthHook({ apiKeys, audit, failures, oidc, challenge, onFailure }: AuthHookDeps) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config.public || request.is404) return;
    const attempt = await identify(request, apiKeys, oidc);
    if ('caller' in attempt) {
      request.caller = attempt.caller;
      return;
    }
    const { reason } = attempt;
    onFailure?.(reason);
    const blockedFor = failures.blockedFor(request.ip);
    if (blockedFor > 0) {
      failures.recordSuppressed(request.ip);
      reply.header('retry-after', String(blockedFor));
      throw new KubentlyError('rate_limited', 'too many failed authentications from this address', {
        details: { retry_after_seconds: blockedFor },
      });
    }
    if (failures.recordFailure(request.ip)) {
      void audit.emit({
        event_type: 'rate_limit_exceeded',
        source_ip: request.ip,
        details: { limit: 'authentication_failures', reason },
      });
    }
    void audit.emit({
      event_type: 'authentication_failure',
      source_ip: request.ip,
      api_key_prefix: attempt.keyPrefix,
      details: {
        reason,
        user_agent: request.headers['user-agent']?.slice(0, MAX_AUDITED_USER_AGENT) ?? null,
        method: request.method,
        route: request.routeOptions.url ?? null,
      },
    });
    if (attempt.retryAfter !== undefined) {
      // The token may be fine: the gateway cannot check it now. 503, so clients retry instead of re-login.
      reply.header('retry-after', String(attempt.retryAfter));
      throw new KubentlyError(
        'service_unavailable',
        'the identity provider cannot be reached to check the token',
        {
          details: { retry_after_seconds: attempt.retryAfter },
        },
      );
    }
    const tokenError = reason.startsWith('token_') ? 'invalid_token' : undefined;
    reply.header('www-authenticate', challenge ? challenge(request, tokenError) : WWW_AUTHENTICATE);
    throw new KubentlyError('unauthorized', attempt.message, tokenError ? { details: { reason } } : {});
  };
}

/** The authenticated caller; routes that are not public always have one. */
export function callerOf(request: Pick<FastifyRequest, 'caller'>): Caller {
  if (!request.caller) throw new KubentlyError('unauthorized', MESSAGES.missing_api_key);
  return request.caller;
}
