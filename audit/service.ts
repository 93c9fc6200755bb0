// The audit service's composition: sinks, metrics, the durable consumer and the agent watch on an open
// NATS connection. main.ts and the test harness both start the service through here.

import type { Writable } from 'node:stream';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Registry } from 'prom-client';
import { createAuditEmitter } from '../common/audit/emitter.js';
import { importedJetStream } from '../common/imported-jetstream.js';
import type { Logger } from '../common/logger.js';
import { AUDIT_STREAM } from '../common/subjects.js';
import { type AgentWatch, watchAgents } from './agent-watch.js';
import type { AuditConfig } from './config.js';
import { type AuditConsumer, createAuditConsumer } from './consumer.js';
import { EMPTY_CHAIN, readChainKey } from './hash-chain.js';
import { type AuditMetrics, createAuditMetrics } from './metrics.js';
import { openFileSink } from './sinks/file-sink.js';
import { createStreamSink } from './sinks/stream-sink.js';
import type { AuditSink } from './sinks/types.js';

export interface AuditServiceOptions {
  config: AuditConfig;
  log: Logger;
  /** Connected as the audit identity; owned (drained) by the caller. */
  nc: NatsConnection;
  /** Where the service's metrics are registered. */
  registry: Registry;
  /** JetStream client (default: the imported API, `importedJetStream(nc)`; tests lengthen its timeout). */
  js?: JetStreamClient;
  /** Where AUDIT_STDOUT writes the lines; default process.stdout. */
  stdout?: Writable;
}

export interface AuditService {
  consumer: AuditConsumer;
  metrics: AuditMetrics;
  /** Present when AUDIT_WATCH_AGENTS is on. */
  watch: AgentWatch | undefined;
  /** Stops the watch and the consumer (finishing the batch in hand), flushes and closes the sinks. */
  stop(): Promise<void>;
}

/** Opens the sinks, then starts the consumer and the agent watch; resolves once both are running. */
export async function startAuditService(options: AuditServiceOptions): Promise<AuditService> {
  const { config, log, nc, registry } = options;
  const js = options.js ?? importedJetStream(nc);
  const fileSink = config.logFile
    ? await openFileSink({
        path: config.logFile,
        maxFileBytes: config.maxFileBytes,
        keepFiles: config.keepFiles,
        fsync: config.fsync,
      })
    : undefined;
  const sinks: AuditSink[] = [
    ...(fileSink ? [fileSink] : []),
    ...(config.stdout ? [createStreamSink(options.stdout ?? process.stdout)] : []),
  ];

  let consumerRef: AuditConsumer | undefined;
  const metrics = createAuditMetrics({
    registry,
    consumerLag: async () => (await consumerRef!.consumerInfo()).numPending,
    streamUsage: async () => {
      const stream = await js.streams.get(AUDIT_STREAM);
      const info = await stream.info(true);
      return { bytes: info.state.bytes, maxBytes: info.config.max_bytes };
    },
  });
  const consumer = createAuditConsumer({
    nc,
    js,
    sinks,
    chain: fileSink?.recovered ?? EMPTY_CHAIN,
    chainKey: config.chainKeyFile ? await readChainKey(config.chainKeyFile) : undefined,
    log: log.child({ component: 'consumer' }),
    metrics,
    batchSize: config.batchSize,
  });
  consumerRef = consumer;
  // agent_connection_failure records are published by this service itself, from the server's events.
  const emitter = createAuditEmitter({ js, log, registry });
  const watch = config.watchAgents
    ? watchAgents({
        nc,
        emitter,
        metrics,
        log: log.child({ component: 'agent-watch' }),
      })
    : undefined;

  await consumer.start();
  await watch?.ready;

  let stopping: Promise<void> | undefined;
  return {
    consumer,
    metrics,
    watch,
    stop() {
      stopping ??= (async () => {
        watch?.stop();
        await consumer.stop();
        await emitter.close();
        for (const sink of sinks) await sink.close();
      })();
      return stopping;
    },
  };
}
