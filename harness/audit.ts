// Test helpers for the audit pipeline: a provisioned server, a gateway-identity emitter, a consumer
// writing to a temp file. Each registers its own teardown.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import type { ExecutionContext } from 'ava';
import { Registry } from 'prom-client';
import { type AuditConfig, readAuditConfig } from '../audit/config.js';
import type { AuditConsumer } from '../audit/consumer.js';
import type { AuditLine } from '../audit/hash-chain.js';
import { type AuditService, startAuditService } from '../audit/service.js';
import type { FileSinkOptions } from '../audit/sinks/file-sink.js';
import { importedJetStream } from '../common/imported-jetstream.js';
import { AUDIT_CONSUMER, AUDIT_STREAM } from '../common/subjects.js';
import type { SpawnedNats } from '../scripts/lib/nats-server.js';
import { eventually, type WaitContext } from './eventually.js';
import { quietLog } from './log.js';
import { connectAs, provision, startNats, TEST_JS_OPTIONS } from './nats-server.js';

export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-audit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface AuditBus {
  server: SpawnedNats;
  gateway: NatsConnection;
  js: JetStreamClient;
}

/** A nats-server from nats.conf with the streams and the `kubently-audit` consumer provisioned. */
export async function startAuditBus(
  t: ExecutionContext,
  reconnect = false,
  clusters: string[] = [],
): Promise<AuditBus> {
  const server = await startNats(t, { clusters });
  await provision(t, server, ['c1']);
  const gateway = await connectAs(t, server, 'gateway', reconnect ? { maxReconnectAttempts: -1 } : {});
  return { server, gateway, js: jetstream(gateway, TEST_JS_OPTIONS) };
}

/**
 * The audit service (audit/service.ts, as main.ts starts it) as the audit identity, writing to `file.path`
 * only, stopped at teardown. The agent watch is off unless `watchAgents`; its metrics go to `registry`.
 */
export async function startConsumer(
  t: ExecutionContext,
  server: SpawnedNats,
  file: Omit<FileSinkOptions, 'fsync'>,
  options: { watchAgents?: boolean } = {},
): Promise<{ consumer: AuditConsumer; service: AuditService; registry: Registry; stop(): Promise<void> }> {
  const nc = await connectAs(t, server, 'audit');
  const config: AuditConfig = {
    ...readAuditConfig({ AUDIT_LOG_FILE: file.path, AUDIT_FSYNC: 'false' }),
    ...(file.maxFileBytes === undefined ? {} : { maxFileBytes: file.maxFileBytes }),
    ...(file.keepFiles === undefined ? {} : { keepFiles: file.keepFiles }),
    watchAgents: options.watchAgents ?? false,
  };
  const registry = new Registry();
  const service = await startAuditService({
    config,
    log: quietLog(),
    nc,
    registry,
    js: importedJetStream(nc, TEST_JS_OPTIONS),
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await service.stop();
    await nc.close();
  };
  t.teardown(stop);
  return { consumer: service.consumer, service, registry, stop };
}

export async function readLines(path: string): Promise<AuditLine[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditLine);
}

/** Redelivery tests cannot wait the production ack_wait: the admin identity shortens it on this server. */
export async function shortenAckWait(t: ExecutionContext, server: SpawnedNats, ms: number): Promise<void> {
  const nc = await connectAs(t, server, 'admin');
  const jsm = await jetstreamManager(nc, TEST_JS_OPTIONS);
  await jsm.consumers.update(AUDIT_STREAM, AUDIT_CONSUMER, { ack_wait: nanos(ms) });
  await nc.close();
}

/** Waits until `consumer` has written (and acked) the stream's record `seq` to its sinks. */
export async function written(
  t: WaitContext,
  consumer: Pick<AuditConsumer, 'chain'>,
  seq: number,
  timeoutMs = 10_000,
): Promise<void> {
  await eventually(t, () => consumer.chain.lastSeq >= seq, {
    timeoutMs,
    message: `the audit consumer wrote record ${seq} (it is at ${consumer.chain.lastSeq})`,
  });
}
