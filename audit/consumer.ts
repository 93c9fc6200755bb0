// The durable audit consumer: pulls KUBENTLY_AUDIT through `kubently-audit`, chains each record into a
// JSON line, writes the batch to every sink, and acks only after the sinks resolved (the file sink
// fsyncs). A record whose stream sequence is not above the last written one is a redelivery: acked, skipped.

import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { AuditRecord } from '../common/audit/events.js';
import type { Logger } from '../common/logger.js';
import { AUDIT_CONSUMER, AUDIT_STREAM, AUDIT_SUBJECT_PREFIX } from '../common/subjects.js';
import { decodeJson } from '../common/wire.js';
import { type AuditLine, type ChainState, chainLine } from './hash-chain.js';
import type { AuditMetrics } from './metrics.js';
import type { AuditSink } from './sinks/types.js';

export const DEFAULT_BATCH_SIZE = 256;
export const DEFAULT_FETCH_EXPIRES_MS = 1_000;
const RETRY_DELAY_MS = 1_000;

export interface AuditConsumerDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  sinks: AuditSink[];
  /** Where the chain stands (from the file sink's tail, or the empty chain). */
  chain: ChainState;
  log: Logger;
  metrics?: AuditMetrics;
  stream?: string;
  consumer?: string;
  batchSize?: number;
  fetchExpiresMs?: number;
}

export interface AuditConsumer {
  /** Resolves once the consumer is bound; the loop then runs until stop(). */
  start(): Promise<void>;
  /** Stops pulling, finishes (writes and acks) the batch in hand. */
  stop(): Promise<void>;
  /** Settles when the loop ends: rejects when a sink failed (the process should exit and restart). */
  closed(): Promise<void>;
  readonly chain: ChainState;
  /** Resolves when the stream's record `seq` has been written (tests and shutdown). */
  waitFor(seq: number, timeoutMs?: number): Promise<void>;
  consumerInfo(): Promise<{ numPending: number; numAckPending: number }>;
}

export function toLine(msg: Pick<JsMsg, 'seq' | 'subject' | 'data'>): Omit<AuditLine, 'hash' | 'prev_hash'> {
  try {
    const record = decodeJson<AuditRecord>(msg.data);
    if (typeof record !== 'object' || record === null || typeof record.event_type !== 'string') {
      throw new Error('not an audit record');
    }
    return { seq: msg.seq, ...record };
  } catch (err) {
    // Kept as a line so that every stream sequence is accounted for; the payload itself is not copied.
    return {
      seq: msg.seq,
      timestamp: new Date().toISOString(),
      event_type: 'invalid_record',
      source_ip: null,
      api_key_prefix: null,
      identity: null,
      cluster_id: null,
      session_id: null,
      command_id: null,
      details: { subject: msg.subject, error: (err as Error).message, bytes: msg.data.length },
    };
  }
}

class SinkWriteError extends Error {
  constructor(cause: unknown) {
    super('audit sink write failed', { cause });
  }
}

export function createAuditConsumer(deps: AuditConsumerDeps): AuditConsumer {
  const { nc, js, sinks, log, metrics } = deps;
  const stream = deps.stream ?? AUDIT_STREAM;
  const name = deps.consumer ?? AUDIT_CONSUMER;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const expires = deps.fetchExpiresMs ?? DEFAULT_FETCH_EXPIRES_MS;
  let chain = deps.chain;
  let consumer: Consumer | undefined;
  let stopping = false;
  let current: { close(): Promise<void | Error> } | undefined;
  let loop: Promise<void> | undefined;
  const waiters = new Set<{ seq: number; resolve(): void }>();

  async function handleBatch(msgs: JsMsg[]): Promise<void> {
    const texts: string[] = [];
    const lines: AuditLine[] = [];
    let next = chain;
    for (const m of msgs) {
      if (m.seq <= next.lastSeq) continue;
      if (!m.subject.startsWith(`${AUDIT_SUBJECT_PREFIX}.`)) log.warn({ subject: m.subject }, 'unexpected subject');
      const linked = chainLine(toLine(m), next);
      texts.push(linked.text);
      lines.push(linked.line);
      next = linked.state;
    }
    if (texts.length > 0) {
      try {
        await Promise.all(sinks.map((s) => s.write(texts)));
      } catch (err) {
        // A sink may hold part of the batch now; only a restart re-reads where the file stands.
        throw new SinkWriteError(err);
      }
      chain = next;
      for (const line of lines) metrics?.observe(line);
    }
    for (const m of msgs) m.ack();
    // One flush makes the acks of the whole batch reach the server before the next pull.
    await nc.flush();
    for (const w of waiters) {
      if (w.seq <= chain.lastSeq) {
        waiters.delete(w);
        w.resolve();
      }
    }
  }

  async function run(c: Consumer): Promise<void> {
    while (!stopping) {
      try {
        const iter = await c.fetch({ max_messages: batchSize, expires });
        current = iter;
        const batch: JsMsg[] = [];
        for await (const m of iter) batch.push(m);
        current = undefined;
        // Written even when stopping: these messages are in hand and would otherwise wait for ack_wait.
        if (batch.length > 0) await handleBatch(batch);
      } catch (err) {
        current = undefined;
        if (err instanceof SinkWriteError) throw err.cause;
        if (stopping) break;
        // A failed write or pull leaves the batch unacked: the server redelivers it after ack_wait.
        log.error({ err }, 'audit batch failed; retrying');
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      }
    }
  }

  return {
    get chain() {
      return chain;
    },
    async start() {
      consumer = await js.consumers.get(stream, name);
      log.info({ stream, consumer: name, lastSeq: chain.lastSeq }, 'audit consumer started');
      loop = run(consumer);
    },
    async stop() {
      stopping = true;
      await current?.close();
      await loop?.catch(() => {});
    },
    closed: () => loop ?? Promise.resolve(),
    waitFor(seq, timeoutMs = 10_000) {
      if (seq <= chain.lastSeq) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const w = {
          seq,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`audit seq ${seq} not written within ${timeoutMs} ms (at ${chain.lastSeq})`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    async consumerInfo() {
      const info = await (consumer ?? (await js.consumers.get(stream, name))).info();
      return { numPending: info.num_pending, numAckPending: info.num_ack_pending };
    },
  };
}
