// The onRequest hook that turns an API key into the caller's identity. Routes marked `config.public`
// (health, readiness, metrics, docs) skip it; everything else answers 401 without a valid key.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEmitter } from '../../common/audit/emitter-types.js';
import { apiKeyPrefix } from '../../common/audit/events.js';
import { KubentlyError } from '../../common/errors.js';
import type { ApiKeyStore } from './api-keys.js';
import type { FailureLimiter } from './failure-limiter.js';

export interface Caller {
  identity: string;
  /** What logs and audit records may show of the key. */
  keyPrefix: string;
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

export type AuthFailureReason = 'missing_api_key' | 'invalid_api_key' | 'conflicting_api_keys';

/** The key from X-API-Key or Authorization: Bearer; two different keys are refused rather than guessed between. */
export function extractKey(request: FastifyRequest): { key: string } | { reason: AuthFailureReason } {
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
  return key === undefined ? { reason: 'missing_api_key' } : { key };
}

const MESSAGES: Record<AuthFailureReason, string> = {
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
  onFailure?: (reason: AuthFailureReason) => void;
}

export function createAuthHook({ apiKeys, audit, failures, onFailure }: AuthHookDeps) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.routeOptions.config.public || request.is404) return;
    const found = extractKey(request);
    const identity = 'key' in found ? apiKeys.authenticate(found.key) : null;
    if (identity !== null && 'key' in found) {
      request.caller = { identity, keyPrefix: apiKeyPrefix(found.key) };
      return;
    }
    const reason: AuthFailureReason = 'reason' in found ? found.reason : 'invalid_api_key';
    onFailure?.(reason);
    const blockedFor = failures.blockedFor(request.ip);
    if (blockedFor > 0) {
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
      api_key_prefix: 'key' in found ? apiKeyPrefix(found.key) : null,
      details: {
        reason,
        user_agent: request.headers['user-agent']?.slice(0, MAX_AUDITED_USER_AGENT) ?? null,
        method: request.method,
        route: request.routeOptions.url ?? null,
      },
    });
    reply.header('www-authenticate', WWW_AUTHENTICATE);
    throw new KubentlyError('unauthorized', MESSAGES[reason]);
  };
}

/** The authenticated caller; routes that are not public always have one. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new KubentlyError('unauthorized', MESSAGES.missing_api_key);
  return request.caller;
}
