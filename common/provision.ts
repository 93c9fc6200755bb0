// Creates or updates Kubently's streams and consumers. Idempotent: run it on every deploy and whenever a
// cluster is added. It updates in place and never deletes a stream, a consumer or a message.

import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import {
  AUDIT_CONSUMER,
  AUDIT_STREAM,
  agentConsumerName,
  assertClusterId,
  CMD_STREAM,
  subjects,
  subscriberConsumerName,
} from './subjects.js';

export const DEFAULT_CMD_MAX_AGE_MS = 60_000;
/** Defaults to the command max age: a retry of a command older than that could not be executed anyway. */
export const DEFAULT_DUPLICATE_WINDOW_MS = DEFAULT_CMD_MAX_AGE_MS;
export const DEFAULT_AUDIT_MAX_AGE_MS = 30 * 24 * 3_600_000;
/**
 * Bytes the audit stream may hold (1 GiB). Past it JetStream discards the oldest records (DiscardPolicy.Old):
 * new security events are never refused, and the oldest have long been written to the audit log by the
 * consumer. The alert KubentlyAuditStreamNearlyFull fires at 80 %, before anything unread can be lost.
 */
export const DEFAULT_AUDIT_MAX_BYTES = 1024 ** 3;
export const AGENT_ACK_WAIT_MS = 30_000;
export const AGENT_MAX_DELIVER = 3;
/** Commands one cluster may have in flight; a stuck agent stops receiving instead of hoarding. */
export const AGENT_MAX_ACK_PENDING = 256;
export const AUDIT_ACK_WAIT_MS = 30_000;
export const AUDIT_MAX_ACK_PENDING = 1_000;
export const SUBSCRIBER_MAX_ACK_PENDING = 1_000;

export interface ProvisionOptions {
  clusters: string[];
  /** Event subscribers provisioned up front (GitOps): one audit-stream consumer each. */
  subscribers?: string[];
  cmdMaxAgeMs?: number;
  duplicateWindowMs?: number;
  auditMaxAgeMs?: number;
  /** Byte cap of the audit stream; DEFAULT_AUDIT_MAX_BYTES when absent. */
  auditMaxBytes?: number;
  replicas?: number;
  /** How long each JetStream API request may take (nats.js default 5 s); tests on a busy machine raise it. */
  apiTimeoutMs?: number;
}

type DurableConfig = Partial<ConsumerConfig> & { durable_name: string };

export type ProvisionAction = 'created' | 'updated' | 'unchanged';

export interface ProvisionReport {
  streams: { name: string; action: ProvisionAction }[];
  consumers: { stream: string; name: string; action: ProvisionAction }[];
}

export function commandStreamConfig(o: ProvisionOptions): Partial<StreamConfig> & { name: string } {
  const maxAgeMs = o.cmdMaxAgeMs ?? DEFAULT_CMD_MAX_AGE_MS;
  const duplicateWindowMs = o.duplicateWindowMs ?? Math.min(DEFAULT_DUPLICATE_WINDOW_MS, maxAgeMs);
  if (duplicateWindowMs > maxAgeMs) {
    // nats-server refuses this too, with a less helpful message.
    throw new RangeError(
      `duplicate window (${duplicateWindowMs} ms) must not exceed the command max age (${maxAgeMs} ms)`,
    );
  }
  return {
    name: CMD_STREAM,
    subjects: [subjects.allCommands],
    // A command is taken by exactly one agent replica and removed when acked.
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    // A command that waited past this is dropped, never executed late.
    max_age: nanos(maxAgeMs),
    duplicate_window: nanos(duplicateWindowMs),
    num_replicas: o.replicas ?? 1,
  };
}

export function auditStreamConfig(o: ProvisionOptions): Partial<StreamConfig> & { name: string } {
  return {
    name: AUDIT_STREAM,
    subjects: [subjects.allAudit],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(o.auditMaxAgeMs ?? DEFAULT_AUDIT_MAX_AGE_MS),
    // Without a byte cap, a flood of records could fill JetStream's storage for every stream.
    max_bytes: o.auditMaxBytes ?? DEFAULT_AUDIT_MAX_BYTES,
    num_replicas: o.replicas ?? 1,
    // GET /audit reads records with direct get, which needs no consumer (see nats-auth/permissions.ts).
    allow_direct: true,
  };
}

export function agentConsumerConfig(clusterId: string): DurableConfig {
  return {
    durable_name: agentConsumerName(clusterId),
    filter_subject: subjects.command(clusterId),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(AGENT_ACK_WAIT_MS),
    max_deliver: AGENT_MAX_DELIVER,
    max_ack_pending: AGENT_MAX_ACK_PENDING,
  };
}

export function auditConsumerConfig(): DurableConfig {
  return {
    durable_name: AUDIT_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(AUDIT_ACK_WAIT_MS),
    max_ack_pending: AUDIT_MAX_ACK_PENDING,
  };
}

/**
 * An event subscriber's durable pull consumer of the audit stream: from the records written after it was
 * created, each acknowledged explicitly, at most SUBSCRIBER_MAX_ACK_PENDING unacknowledged.
 */
export function subscriberConsumerConfig(name: string): DurableConfig {
  return {
    durable_name: subscriberConsumerName(name),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
    ack_wait: nanos(AUDIT_ACK_WAIT_MS),
    max_ack_pending: SUBSCRIBER_MAX_ACK_PENDING,
  };
}

export async function provisionJetStream(
  nc: NatsConnection,
  options: ProvisionOptions,
): Promise<ProvisionReport> {
  options.clusters.forEach(assertClusterId);
  const jsm = await jetstreamManager(nc, options.apiTimeoutMs ? { timeout: options.apiTimeoutMs } : {});
  const report: ProvisionReport = { streams: [], consumers: [] };
  for (const cfg of [commandStreamConfig(options), auditStreamConfig(options)]) {
    report.streams.push({ name: cfg.name, action: await ensureStream(jsm, cfg) });
  }
  const consumers: [string, DurableConfig][] = [
    ...[...new Set(options.clusters)].map((c): [string, DurableConfig] => [
      CMD_STREAM,
      agentConsumerConfig(c),
    ]),
    [AUDIT_STREAM, auditConsumerConfig()],
    ...(options.subscribers ?? []).map((s): [string, DurableConfig] => [
      AUDIT_STREAM,
      subscriberConsumerConfig(s),
    ]),
  ];
  for (const [stream, consumer] of consumers) {
    report.consumers.push({
      stream,
      name: consumer.durable_name,
      action: await ensureConsumer(jsm, stream, consumer),
    });
  }
  return report;
}

async function ensureStream(
  jsm: JetStreamManager,
  cfg: Partial<StreamConfig> & { name: string },
): Promise<ProvisionAction> {
  const info = await getOrNull<StreamInfo>(
    () => jsm.streams.info(cfg.name),
    JetStreamApiCodes.StreamNotFound,
  );
  if (!info) {
    await jsm.streams.add(cfg);
    return 'created';
  }
  if (differs(cfg, info.config)) {
    // Retention and storage cannot change in place; the server refuses and we surface its message.
    await jsm.streams.update(cfg.name, { ...info.config, ...cfg });
    return 'updated';
  }
  return 'unchanged';
}

/** Creates the durable consumer, or updates the settings that can change in place; says which it did. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  cfg: DurableConfig,
): Promise<ProvisionAction> {
  const info = await getOrNull<ConsumerInfo>(
    () => jsm.consumers.info(stream, cfg.durable_name),
    JetStreamApiCodes.ConsumerNotFound,
  );
  if (!info) {
    await jsm.consumers.add(stream, cfg);
    return 'created';
  }
  if (differs(cfg, info.config)) {
    const { ack_wait, max_deliver, max_ack_pending } = cfg;
    await jsm.consumers.update(stream, cfg.durable_name, { ack_wait, max_deliver, max_ack_pending });
    return 'updated';
  }
  return 'unchanged';
}

function differs(wanted: object, actual: object): boolean {
  const have = actual as Record<string, unknown>;
  return Object.entries(wanted).some(([k, v]) => JSON.stringify(have[k]) !== JSON.stringify(v));
}

async function getOrNull<T>(get: () => Promise<T>, notFoundCode: number): Promise<T | null> {
  try {
    return await get();
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === notFoundCode) return null;
    throw err;
  }
}
