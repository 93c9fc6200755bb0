// A gateway on real servers for tests and benchmarks: a spawned nats-server (provisioned), the shared
// Redis under a unique key prefix (or the in-memory stores), and optional test agents that take commands
// from their cluster's real consumer. Everything registers its own teardown.

import { randomBytes } from 'node:crypto';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ExecutionContext } from 'ava';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { AuditEmitter } from '../common/audit/emitter-types.js';
import type { AuditEventInput } from '../common/audit/events.js';
import { KubentlyError } from '../common/errors.js';
import { type Policy, parsePolicy } from '../common/policy/index.js';
import type { AgentTracker } from '../gateway/agent-tracker.js';
import type { GatewayDeps } from '../gateway/app.js';
import { type ApiKeyStore, createApiKeyStore } from '../gateway/auth/api-keys.js';
import type { OidcVerifier } from '../gateway/auth/oidc.js';
import { type GatewayConfig, gatewayConfigDefaults } from '../gateway/config.js';
import { redisOptions } from '../gateway/redis-options.js';
import type { Relay } from '../gateway/relay.js';
import { createGatewayServices } from '../gateway/services.js';
import type { SessionStore } from '../gateway/sessions/types.js';
import type { SpawnedNats } from '../scripts/lib/nats-server.js';
import { eventually, scaled, type WaitContext } from './eventually.js';
import { quietLog } from './log.js';
import { connectAs, provision, startNats, TEST_JS_OPTIONS } from './nats-server.js';
import { type AgentBehaviour, runStandInAgent, type TestAgent } from './stand-in-agent.js';

export type { AgentBehaviour, TestAgent } from './stand-in-agent.js';

export const KEYS = {
  alice: 'alice-key-0123456789abcdef0123456789',
  bob: 'bob-key-0123456789abcdef0123456789ab',
  admin: 'admin-key-0123456789abcdef0123456789',
} as const;

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(): string {
  return `kubently-test:${randomBytes(6).toString('hex')}:`;
}

/** An ioredis client on the shared Redis whose keys under `prefix` are deleted at teardown. */
export async function testRedis(t: ExecutionContext, prefix: string, url = REDIS_URL): Promise<Redis> {
  const redis = new Redis(url, { ...redisOptions({ redisPassword: undefined }), lazyConnect: true });
  redis.on('error', () => {});
  await redis.connect();
  t.teardown(async () => {
    if (redis.status === 'ready') {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
    redis.disconnect();
  });
  return redis;
}

/** An AuditEmitter that keeps events in memory; `failRecord` makes record() refuse like an unreachable bus. */
export interface CapturingAudit extends AuditEmitter {
  events: AuditEventInput[];
  failRecord: boolean;
  of(type: AuditEventInput['event_type']): AuditEventInput[];
}

export function capturingAudit(): CapturingAudit {
  const audit: CapturingAudit = {
    events: [],
    failRecord: false,
    async emit(event) {
      audit.events.push(event);
    },
    async record(event) {
      if (audit.failRecord) throw new KubentlyError('audit_unavailable', 'the audit stream is unavailable');
      audit.events.push(event);
    },
    async close() {},
    of: (type) => audit.events.filter((e) => e.event_type === type),
  };
  return audit;
}

/** The heartbeat interval a test agent announces (3 missed ones mark it gone). */
const TEST_AGENT_PROMISED_BEAT_MS = scaled(10_000);

/**
 * A stand-in agent: heartbeats, pulls from the cluster's durable consumer, acks, and answers on the
 * command's reply subject ('answer': success with output `ok <argv>`; 'silent': never answers).
 */
export async function startTestAgent(
  t: ExecutionContext,
  server: SpawnedNats,
  clusterId: string,
  behaviour: AgentBehaviour = 'answer',
  agentId = `agent-${clusterId}-0`,
  /** Credentials other than those provisioned at start (a minted token). */
  creds?: string,
): Promise<TestAgent> {
  const nc = await connectAs(t, server, { agent: clusterId }, { creds });
  const agent = await runStandInAgent(nc, clusterId, {
    behaviour,
    agentId,
    jsOptions: TEST_JS_OPTIONS,
    // Beats every second but promises only every TEST_AGENT_PROMISED_BEAT_MS: the gateway then keeps it
    // connected through a test process starved of CPU for many seconds (no test lets it go silent).
    beatEveryMs: 1_000,
    promisedBeatMs: TEST_AGENT_PROMISED_BEAT_MS,
  });
  t.teardown(agent.stop);
  return agent;
}

/** alice may use c1 and c2, bob only c2; admin everything. Commands follow the readOnly preset. */
export const TEST_POLICY_YAML = `
name: test
extends: readOnly
identities:
  alice: { clusters: [c1, c2], namespaces: ['*'] }
  bob: { clusters: [c2], namespaces: ['*'] }
  admin: { clusters: ['*'], namespaces: ['*'] }
`;

export interface GatewayStackOptions {
  /** Clusters provisioned on NATS and listed in CLUSTERS. Default ['c1', 'c2']. */
  clusters?: string[];
  /** Clusters that get a test agent, with its behaviour. Default { c1: 'answer' }. */
  agents?: Record<string, AgentBehaviour>;
  /**
   * false: in-memory sessions, results and rate limits. Default: the shared Redis with a unique prefix.
   * `{client}`: that connected client (a Sentinel or Cluster one), left to its creator to close.
   */
  redis?: boolean | { url: string } | { client: Redis };
  config?: Partial<GatewayConfig>;
  policy?: Policy;
  /** 'jetstream': the real emitter publishing to KUBENTLY_AUDIT (GET /audit then reads it back). */
  audit?: AuditEmitter | 'jetstream';
  apiKeys?: ApiKeyStore;
  /** Verifies OIDC tokens; give config.oidc with it. */
  oidc?: OidcVerifier;
  sessions?: SessionStore;
  health?: GatewayDeps['health'];
  /** An already running server (benchmarks share one); otherwise one is started for the test. */
  nats?: SpawnedNats;
  /** Mount POST/DELETE /admin/agents/:id/token with the server's operator signing key. */
  credentials?: boolean;
  /** The agent tracker's clock (heartbeat tests move it). */
  trackerNow?: () => number;
}

export interface GatewayStack {
  app: FastifyInstance;
  server: SpawnedNats;
  nc: NatsConnection;
  js: JetStreamClient;
  relay: Relay;
  tracker: AgentTracker;
  audit: CapturingAudit | AuditEmitter;
  captured: CapturingAudit;
  redis: Redis | undefined;
  prefix: string;
  agents: Record<string, TestAgent>;
  registry: Registry;
  config: GatewayConfig;
  /** Headers carrying one of KEYS. */
  as(who: keyof typeof KEYS): Record<string, string>;
}

export async function startGatewayStack(
  t: ExecutionContext,
  options: GatewayStackOptions = {},
): Promise<GatewayStack> {
  const clusters = options.clusters ?? ['c1', 'c2'];
  const agentSpecs = options.agents ?? { c1: 'answer' };
  const server = options.nats ?? (await startNats(t, { clusters }));
  if (!options.nats) await provision(t, server, clusters);
  const nc = await connectAs(t, server, 'gateway');
  const js = jetstream(nc, TEST_JS_OPTIONS);
  const log = quietLog();
  const prefix = uniquePrefix();
  const given =
    typeof options.redis === 'object' && 'client' in options.redis ? options.redis.client : undefined;
  const redisUrl =
    options.redis === false || given
      ? undefined
      : typeof options.redis === 'object' && 'url' in options.redis
        ? options.redis.url
        : REDIS_URL;
  const redis = given ?? (redisUrl ? await testRedis(t, prefix, redisUrl) : undefined);
  const config = gatewayConfigDefaults({
    clusters,
    adminIdentities: ['admin'],
    redisKeyPrefix: prefix,
    redisUrl,
    ...options.config,
  });
  if (options.credentials)
    config.credentials = { ...config.credentials, signingKey: server.setup.signingSeed };
  const captured = capturingAudit();
  const policy = options.policy ?? parsePolicy(TEST_POLICY_YAML, 'test-policy');
  const registry = new Registry();
  const services = await createGatewayServices({
    config,
    log,
    nc,
    js,
    redis,
    registry,
    policy: () => policy,
    // 'jetstream': the real emitter, built by the services.
    audit: options.audit === 'jetstream' ? undefined : (options.audit ?? captured),
    apiKeys:
      options.apiKeys ??
      createApiKeyStore({ inline: Object.entries(KEYS).map(([who, key]) => `${who}:${key}`), log }),
    oidc: options.oidc,
    sessions: options.sessions,
    health: options.health,
    // A crowded machine can take longer than Fastify's 10 s to load swagger-ui; ava's timeout still applies.
    pluginTimeoutMs: 0,
    natsServers: [server.url],
    trackerNow: options.trackerNow,
  });
  t.teardown(() => services.close());
  const { app, relay, agents: tracker, audit } = services;
  await app.ready();

  const agents: Record<string, TestAgent> = {};
  for (const [clusterId, behaviour] of Object.entries(agentSpecs)) {
    agents[clusterId] = await startTestAgent(t, server, clusterId, behaviour);
  }
  await eventually(t, () => Object.keys(agentSpecs).every((c) => tracker.isConnected(c)), {
    message: `the gateway saw the heartbeats of ${Object.keys(agentSpecs).join(', ')}`,
  });
  return {
    app,
    server,
    nc,
    js,
    relay,
    tracker,
    audit,
    captured,
    redis,
    prefix,
    agents,
    registry,
    config,
    as: (who) => ({ 'x-api-key': KEYS[who] }),
  };
}

/** Waits until a listening gateway reports one of `clusterId`'s agents connected (its heartbeats arrive). */
export async function waitForConnectedAgent(
  t: WaitContext,
  baseUrl: string,
  clusterId: string,
  apiKey: string,
  timeoutMs = 15_000,
): Promise<void> {
  await eventually(
    t,
    async () => {
      const res = await fetch(`${baseUrl}/clusters/${clusterId}/status`, {
        headers: { 'x-api-key': apiKey },
      });
      return res.ok && ((await res.json()) as { connected?: boolean }).connected === true;
    },
    {
      timeoutMs,
      message: `an agent of ${clusterId} connected to the gateway at ${baseUrl}`,
      intervalMs: 100,
    },
  );
}
