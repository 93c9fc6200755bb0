// Test helpers for the audit pipeline: a provisioned server, a gateway-identity emitter, a consumer
// writing to a temp file. Each registers its own teardown.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import type { ExecutionContext } from 'ava';
import { type AuditConsumer, createAuditConsumer } from '../audit/consumer.js';
import type { AuditLine } from '../audit/hash-chain.js';
import type { AuditMetrics } from '../audit/metrics.js';
import { type FileSinkOptions, openFileSink } from '../audit/sinks/file-sink.js';
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
  agentTokens: Record<string, string> = {},
): Promise<AuditBus> {
  const server = await startNats(t, { agentTokens });
  await provision(t, server, ['c1']);
  const gateway = await connectAs(t, server, 'gateway', reconnect ? { maxReconnectAttempts: -1 } : {});
  return { server, gateway, js: jetstream(gateway, TEST_JS_OPTIONS) };
}

/** A consumer as the audit identity writing to `path`, stopped at teardown. */
export async function startConsumer(
  t: ExecutionContext,
  server: SpawnedNats,
  file: Omit<FileSinkOptions, 'fsync'>,
  metrics?: AuditMetrics,
): Promise<{ consumer: AuditConsumer; stop(): Promise<void> }> {
  const nc = await connectAs(t, server, 'audit');
  const sink = await openFileSink({ ...file, fsync: false });
  const consumer = createAuditConsumer({
    nc,
    js: jetstream(nc, TEST_JS_OPTIONS),
    sinks: [sink],
    chain: sink.recovered,
    log: quietLog(),
    metrics,
  });
  await consumer.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await consumer.stop();
    await sink.close();
    await nc.close();
  };
  t.teardown(stop);
  return { consumer, stop };
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
