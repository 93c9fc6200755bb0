// The gateway's configuration, read once from the environment and validated with every problem listed.

import { type Env, EnvReader } from '../common/env.js';
import { type NatsClientConfig, readNatsClientConfig } from '../common/nats-options.js';
import { isValidClusterId } from '../common/subjects.js';
import { type OidcConfig, readOidcConfig } from './auth/oidc-config.js';

export interface RateLimitConfig {
  /** Requests per window and identity on every authenticated route without its own limit. */
  standard: number;
  execute: number;
  sessionCreate: number;
  /** Failed authentications per window and client address before 401 turns into 429 (not audited each). */
  authFailures: number;
  windowMs: number;
}

export interface GatewayConfig {
  host: string;
  port: number;
  /** Raw `API_KEYS` entries (`service:key` or a bare key). */
  apiKeys: string[];
  apiKeysFile: string | undefined;
  /** Fallback stat interval for API_KEYS_FILE when fs.watch misses a change. */
  apiKeysPollMs: number;
  /** OpenID Connect bearer tokens accepted beside API keys; undefined: API keys only. */
  oidc: OidcConfig | undefined;
  redisUrl: string | undefined;
  redisPassword: string | undefined;
  redisKeyPrefix: string;
  nats: NatsClientConfig;
  /** Unset: the readOnly preset built into common/policy. */
  policyFile: string | undefined;
  sessionTtlSeconds: number;
  sessionIdleTtlSeconds: number;
  resultTtlSeconds: number;
  rateLimit: RateLimitConfig;
  clusters: string[];
  adminIdentities: string[];
  auditFailClosed: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  trustProxy: boolean | string;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_SESSION_TTL_SECONDS = 3600;
export const DEFAULT_SESSION_IDLE_TTL_SECONDS = 1800;
export const DEFAULT_RESULT_TTL_SECONDS = 300;
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

export const DEFAULT_RATE_LIMIT: RateLimitConfig = {
  standard: 100,
  execute: 50,
  sessionCreate: 20,
  authFailures: 20,
  windowMs: 60_000,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadGatewayConfig(env: Env): GatewayConfig {
  const r = new EnvReader(env);
  const clusters = r.list('CLUSTERS');
  for (const id of clusters) {
    if (!isValidClusterId(id)) r.problems.push(`CLUSTERS: "${id}" is not a valid cluster id`);
  }
  const sessionTtlSeconds = r.int('SESSION_TTL_SECONDS', DEFAULT_SESSION_TTL_SECONDS, {
    min: 1,
    max: 7 * 86_400,
  });
  const sessionIdleTtlSeconds = r.int('SESSION_IDLE_TTL_SECONDS', DEFAULT_SESSION_IDLE_TTL_SECONDS, {
    min: 1,
    max: 7 * 86_400,
  });
  const trustProxyRaw = r.string('TRUST_PROXY');
  const trustProxy =
    trustProxyRaw === undefined
      ? false
      : /^(true|false)$/i.test(trustProxyRaw)
        ? r.bool('TRUST_PROXY', false)
        : trustProxyRaw;

  const config: GatewayConfig = {
    // Loopback unless told otherwise: the container image and the manifests set HOST=0.0.0.0 on purpose.
    host: r.string('HOST', '127.0.0.1'),
    port: r.int('PORT', DEFAULT_PORT, { min: 0, max: 65_535 }),
    apiKeys: splitKeyEntries(r.string('API_KEYS') ?? ''),
    apiKeysFile: r.string('API_KEYS_FILE'),
    apiKeysPollMs: r.int('API_KEYS_POLL_MS', 10_000, { min: 100, max: 3_600_000 }),
    oidc: readOidcConfig(r),
    redisUrl: r.string('REDIS_URL'),
    redisPassword: r.secret('REDIS_PASSWORD'),
    redisKeyPrefix: r.string('REDIS_KEY_PREFIX', 'kubently:'),
    nats: readNatsClientConfig(r, 'gateway'),
    policyFile: r.string('POLICY_FILE'),
    sessionTtlSeconds,
    sessionIdleTtlSeconds,
    resultTtlSeconds: r.int('RESULT_TTL_SECONDS', DEFAULT_RESULT_TTL_SECONDS, { min: 1, max: 86_400 }),
    rateLimit: {
      standard: r.int('RATE_LIMIT_STANDARD', DEFAULT_RATE_LIMIT.standard, { min: 1 }),
      execute: r.int('RATE_LIMIT_EXECUTE', DEFAULT_RATE_LIMIT.execute, { min: 1 }),
      sessionCreate: r.int('RATE_LIMIT_SESSION_CREATE', DEFAULT_RATE_LIMIT.sessionCreate, { min: 1 }),
      authFailures: r.int('RATE_LIMIT_AUTH_FAILURES', DEFAULT_RATE_LIMIT.authFailures, { min: 1 }),
      windowMs: r.int('RATE_LIMIT_WINDOW_MS', DEFAULT_RATE_LIMIT.windowMs, { min: 1000 }),
    },
    clusters,
    adminIdentities: r.list('ADMIN_IDENTITIES'),
    auditFailClosed: r.bool('AUDIT_FAIL_CLOSED', true),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, { min: 1024, max: 16 * 1024 * 1024 }),
    trustProxy,
  };
  r.done('gateway');
  return config;
}

/** One entry per line or comma separated; `#` starts a comment line. */
export function splitKeyEntries(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

/** Defaults for tests and embedders: a config that needs no environment. */
export function gatewayConfigDefaults(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return { ...loadGatewayConfig({}), ...overrides };
}
