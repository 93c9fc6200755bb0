// The gateway's configuration, read once from the environment and validated with every problem listed.

import { DEFAULT_FLEET_MAX_CLUSTERS } from '../common/api-fleet.js';
import { type Env, EnvReader } from '../common/env.js';
import {
  DEFAULT_CREDENTIAL_TTL_SECONDS,
  DEFAULT_ROTATE_OVERLAP_SECONDS,
} from '../common/nats-auth/issuer.js';
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
  /** GET /audit per window and identity: each answer may read up to 5,000 stream messages. */
  audit: number;
  /** Clusters per window and identity that POST /fleet/execute may address: a fan-out to N counts N. */
  fleetClusters: number;
  windowMs: number;
}

export interface FleetConfig {
  /** Clusters one POST /fleet/execute may match; more is a 400 that says how many matched. */
  maxClusters: number;
  /** Total output bytes (UTF-8) one fan-out's answer carries; rows past it are cut and marked `truncated`. */
  outputBudgetBytes: number;
}

export interface GatewayConfig {
  host: string;
  port: number;
  /** Prometheus `/metrics` listens here, never on the API port the Ingress routes. */
  metricsHost: string;
  metricsPort: number;
  /** Raw `API_KEYS` entries (`service:key` or a bare key). */
  apiKeys: string[];
  apiKeysFile: string | undefined;
  /** Fallback stat interval for API_KEYS_FILE when fs.watch misses a change. */
  apiKeysPollMs: number;
  /** OpenID Connect bearer tokens accepted beside API keys; undefined: API keys only. */
  oidc: OidcConfig | undefined;
  redisUrl: string | undefined;
  redisPassword: string | undefined;
  /** Sentinels to ask for the current primary (REDIS_SENTINELS), instead of REDIS_URL; empty: not used. */
  redisSentinels: RedisNode[];
  /** The primary's name in the sentinels' configuration (`sentinel monitor <name> ...`). */
  redisSentinelName: string;
  /** Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES), instead of REDIS_URL; empty: not used. */
  redisClusterNodes: RedisNode[];
  redisKeyPrefix: string;
  nats: NatsClientConfig;
  /** Unset: the readOnly preset built into common/policy. */
  policyFile: string | undefined;
  sessionTtlSeconds: number;
  sessionIdleTtlSeconds: number;
  resultTtlSeconds: number;
  rateLimit: RateLimitConfig;
  fleet: FleetConfig;
  /** Follow commands (logs -f, get -w) one identity may stream at once through this gateway; more get 429. */
  maxStreamsPerIdentity: number;
  clusters: string[];
  adminIdentities: string[];
  /**
   * Browser origins (`https://host[:port]`) allowed to call POST /mcp besides loopback ones; any other
   * `Origin` gets 403 (DNS rebinding). Requests without `Origin` (non-browser MCP hosts) pass.
   */
  mcpAllowedOrigins: string[];
  /** Minting NATS credentials (POST /admin/agents/:id/token): off without an operator signing key. */
  credentials: CredentialConfig;
  auditFailClosed: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  /** Whole request (headers and body) must arrive within this; a slow body gets 408. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (Node's slowloris guard). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /**
   * Which `X-Forwarded-For` hops to believe for the client address (source_ip, the auth-failure limiter):
   * a hop count (`1` = the ingress controller in front) or addresses/CIDRs of the proxies. `true` believes
   * whatever the client writes there — a rotating header then dodges every per-address limit.
   */
  trustProxy: boolean | string | number;
  /** SIGTERM: how long requests in flight may finish before their connections are closed (ms). */
  shutdownGraceMs: number;
}

export interface RedisNode {
  host: string;
  port: number;
}

/** Whether the gateway keeps its sessions, results and rate limits in Redis (one node, Sentinel or Cluster). */
export function usesRedis(config: Pick<GatewayConfig, 'redisUrl' | 'redisSentinels' | 'redisClusterNodes'>) {
  return (
    config.redisUrl !== undefined || config.redisSentinels.length > 0 || config.redisClusterNodes.length > 0
  );
}

/** `host:port` entries (IPv6 in brackets: `[::1]:26379`); each one that is not is a problem of `name`. */
function redisNodes(r: EnvReader, name: string, defaultPort: number): RedisNode[] {
  const nodes: RedisNode[] = [];
  for (const entry of r.list(name)) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
    if (!m || port < 1 || port > 65_535)
      r.problems.push(`${name}: ${JSON.stringify(entry)} is not host:port`);
    else nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return nodes;
}

export interface CredentialConfig {
  /** The operator signing key seed (NATS_OPERATOR_SIGNING_KEY, or the file NATS_OPERATOR_SIGNING_KEY_FILE). */
  signingKey: string | undefined;
  signingKeyFile: string | undefined;
  /** Lifetime of a minted credential; 0 = never expires. */
  ttlSeconds: number;
  /** How long a rotated-out credential keeps working. */
  rotateOverlapSeconds: number;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_MAX_STREAMS_PER_IDENTITY = 4;
export const DEFAULT_SESSION_TTL_SECONDS = 3600;
export const DEFAULT_SESSION_IDLE_TTL_SECONDS = 1800;
export const DEFAULT_RESULT_TTL_SECONDS = 300;
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
export const DEFAULT_METRICS_PORT = 9465;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 72_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export const DEFAULT_RATE_LIMIT: RateLimitConfig = {
  standard: 100,
  execute: 50,
  sessionCreate: 20,
  authFailures: 20,
  audit: 20,
  fleetClusters: 1_000,
  windowMs: 60_000,
};

/** Limits no test or benchmark load reaches: for measuring throughput, never for a deployment. */
export const NO_RATE_LIMIT: RateLimitConfig = {
  standard: 1e9,
  execute: 1e9,
  sessionCreate: 1e9,
  authFailures: 1e9,
  audit: 1e9,
  fleetClusters: 1e9,
  windowMs: 60_000,
};

export const DEFAULT_FLEET_OUTPUT_BUDGET_BYTES = 8 * 1024 * 1024;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A list of origins, each normalized by the URL parser (scheme, host and port only); others are problems. */
function readOrigins(r: EnvReader, name: string): string[] {
  const origins: string[] = [];
  for (const value of r.list(name)) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {}
    // Scheme, host and port only: a path, query, fragment or user part is a mistake, not an origin.
    const bare = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if (url && bare && (url.protocol === 'https:' || url.protocol === 'http:') && !value.endsWith('#'))
      origins.push(url.origin);
    else r.problems.push(`${name}: "${value}" is not an origin such as https://app.example.com`);
  }
  return origins;
}

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
        : /^\d+$/.test(trustProxyRaw)
          ? r.int('TRUST_PROXY', 0, { min: 0, max: 16 })
          : trustProxyRaw;
  const host = r.string('HOST', '127.0.0.1');

  const config: GatewayConfig = {
    // Loopback unless told otherwise: the container image and the manifests set HOST=0.0.0.0 on purpose.
    host,
    port: r.int('PORT', DEFAULT_PORT, { min: 0, max: 65_535 }),
    metricsHost: r.string('METRICS_HOST', host),
    metricsPort: r.int('METRICS_PORT', DEFAULT_METRICS_PORT, { min: 0, max: 65_535 }),
    apiKeys: splitKeyEntries(r.string('API_KEYS') ?? ''),
    apiKeysFile: r.string('API_KEYS_FILE'),
    apiKeysPollMs: r.int('API_KEYS_POLL_MS', 10_000, { min: 100, max: 3_600_000 }),
    oidc: readOidcConfig(r),
    redisUrl: r.string('REDIS_URL'),
    redisPassword: r.secret('REDIS_PASSWORD'),
    redisSentinels: redisNodes(r, 'REDIS_SENTINELS', 26_379),
    redisSentinelName: r.string('REDIS_SENTINEL_NAME', 'mymaster'),
    redisClusterNodes: redisNodes(r, 'REDIS_CLUSTER_NODES', 6_379),
    redisKeyPrefix: r.string('REDIS_KEY_PREFIX', 'kubently:'),
    nats: readNatsClientConfig(r),
    policyFile: r.string('POLICY_FILE'),
    sessionTtlSeconds,
    sessionIdleTtlSeconds,
    resultTtlSeconds: r.int('RESULT_TTL_SECONDS', DEFAULT_RESULT_TTL_SECONDS, { min: 1, max: 86_400 }),
    rateLimit: {
      standard: r.int('RATE_LIMIT_STANDARD', DEFAULT_RATE_LIMIT.standard, { min: 1 }),
      execute: r.int('RATE_LIMIT_EXECUTE', DEFAULT_RATE_LIMIT.execute, { min: 1 }),
      sessionCreate: r.int('RATE_LIMIT_SESSION_CREATE', DEFAULT_RATE_LIMIT.sessionCreate, { min: 1 }),
      authFailures: r.int('RATE_LIMIT_AUTH_FAILURES', DEFAULT_RATE_LIMIT.authFailures, { min: 1 }),
      audit: r.int('RATE_LIMIT_AUDIT', DEFAULT_RATE_LIMIT.audit, { min: 1 }),
      fleetClusters: r.int('RATE_LIMIT_FLEET_CLUSTERS', DEFAULT_RATE_LIMIT.fleetClusters, { min: 1 }),
      windowMs: r.int('RATE_LIMIT_WINDOW_MS', DEFAULT_RATE_LIMIT.windowMs, { min: 1000 }),
    },
    fleet: {
      maxClusters: r.int('FLEET_MAX_CLUSTERS', DEFAULT_FLEET_MAX_CLUSTERS, { min: 1, max: 100_000 }),
      outputBudgetBytes: r.int('FLEET_OUTPUT_BUDGET_BYTES', DEFAULT_FLEET_OUTPUT_BUDGET_BYTES, {
        min: 1024,
        max: 256 * 1024 * 1024,
      }),
    },
    maxStreamsPerIdentity: r.int('MAX_STREAMS_PER_IDENTITY', DEFAULT_MAX_STREAMS_PER_IDENTITY, {
      min: 1,
      max: 1000,
    }),
    clusters,
    adminIdentities: r.list('ADMIN_IDENTITIES'),
    mcpAllowedOrigins: readOrigins(r, 'MCP_ALLOWED_ORIGINS'),
    credentials: {
      signingKey: r.secret('NATS_OPERATOR_SIGNING_KEY'),
      signingKeyFile: r.string('NATS_OPERATOR_SIGNING_KEY_FILE'),
      ttlSeconds: r.int('CREDENTIAL_TTL_SECONDS', DEFAULT_CREDENTIAL_TTL_SECONDS, { min: 0 }),
      rotateOverlapSeconds: r.int('CREDENTIAL_ROTATE_OVERLAP_SECONDS', DEFAULT_ROTATE_OVERLAP_SECONDS, {
        min: 0,
        max: 30 * 86_400,
      }),
    },
    auditFailClosed: r.bool('AUDIT_FAIL_CLOSED', true),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, { min: 1024, max: 16 * 1024 * 1024 }),
    requestTimeoutMs: r.int('REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, { min: 1_000, max: 3_600_000 }),
    headersTimeoutMs: r.int('HEADERS_TIMEOUT_MS', DEFAULT_HEADERS_TIMEOUT_MS, { min: 1_000, max: 600_000 }),
    keepAliveTimeoutMs: r.int('KEEP_ALIVE_TIMEOUT_MS', DEFAULT_KEEP_ALIVE_TIMEOUT_MS, {
      min: 1_000,
      max: 600_000,
    }),
    trustProxy,
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS, { min: 0, max: 300_000 }),
  };

  const redisModes = [
    config.redisUrl && 'REDIS_URL',
    config.redisSentinels.length > 0 && 'REDIS_SENTINELS',
    config.redisClusterNodes.length > 0 && 'REDIS_CLUSTER_NODES',
  ].filter(Boolean);
  if (redisModes.length > 1)
    r.problems.push(`set one of ${redisModes.join(', ')}: they name different Redis setups`);
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
