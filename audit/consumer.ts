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
export const DEFAULT_FETCH_EXPIRES_MS = 30_000;
const RETRY_DELAY_MS = 1_000;
const GAP_RETRY_MS = 500;
/** Used when the consumer's ack_wait is unknown; otherwise twice the ack_wait. */
export const DEFAULT_GAP_WAIT_MS = 65_000;

export interface AuditConsumerDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  sinks: AuditSink[];
  /** Where the chain stands (from the file sink's tail, or the empty chain). */
  chain: ChainState;
  /** HMAC key of the chain (AUDIT_CHAIN_KEY_FILE); plain SHA-256 without one. */
  chainKey?: Buffer | undefined;
  log: Logger;
  metrics?: AuditMetrics;
  stream?: string;
  consumer?: string;
  batchSize?: number;
  fetchExpiresMs?: number;
  gapWaitMs?: number;
}

export interface AuditConsumer {
  /** Resolves once the consumer is bound; the loop then runs until stop(). */
  start(): Promise<void>;
  /** Stops pulling, finishes (writes and acks) the batch in hand. */
  stop(): Promise<void>;
  /** Settles when the loop ends: rejects when a sink failed (the process should exit and restart). */
  closed(): Promise<void>;
  readonly chain: ChainState;
  consumerInfo(): Promise<{ numPending: number; numAckPending: number }>;
}

export function toLine(msg: Pick<JsMsg, 'seq' | 'subject' | 'data'>): Omit<AuditLine, 'hash' | 'prev_hash'> {
  try {
    const record = decodeJson<AuditRecord>(msg.data);
    if (typeof record !== 'object' || record === null || typeof record.event_type !== 'string') {
      throw new Error('not an audit record');
    }
    // The stream sequence and the chain fields are the consumer's own: a publisher's `seq` would move the
    // exactly-once mark (every later record skipped as a redelivery), its `hash` would be written twice.
    const {
      seq: _seq,
      hash: _hash,
      prev_hash: _prev,
      ...fields
    } = record as AuditRecord & Partial<Pick<AuditLine, 'seq' | 'hash' | 'prev_hash'>>;
    return { ...fields, seq: msg.seq };
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
  let gapWaitMs = deps.gapWaitMs ?? DEFAULT_GAP_WAIT_MS;
  let chain = deps.chain;
  let gapSince: number | undefined;
  /** With an empty file: the record after the consumer's ack floor (set by start()). */
  let firstExpected = 1;
  let consumer: Consumer | undefined;
  let stopping = false;
  let current: { stop(): void } | undefined;
  let loop: Promise<void> | undefined;

  /** The first stream sequence still stored: anything below it aged out and will never be delivered. */
  async function streamFirstSeq(): Promise<number> {
    const info = await (await js.streams.get(stream)).info();
    return info.state.first_seq;
  }

  /**
   * Lines must follow stream order, or a late redelivery (a record a stopped instance held unacked) would
   * land below `lastSeq` and be skipped as a duplicate. So a record after a hole waits (nak with delay)
   * until the hole fills — unless the missing records aged out of the stream or the hole outlived gapWaitMs.
   */
  async function acceptsGap(missing: number, seq: number): Promise<boolean> {
    if (missing < (await streamFirstSeq())) {
      log.warn({ missing, seq }, 'audit records aged out of the stream before they were written');
      return true;
    }
    gapSince ??= Date.now();
    if (Date.now() - gapSince < gapWaitMs) return false;
    log.error({ missing, seq }, 'audit records missing from the stream; continuing after the gap');
    return true;
  }

  async function handleBatch(msgs: JsMsg[]): Promise<void> {
    msgs.sort((a, b) => a.seq - b.seq);
    const texts: string[] = [];
    const lines: AuditLine[] = [];
    const ack: JsMsg[] = [];
    const later: JsMsg[] = [];
    let next = chain;
    for (const m of msgs) {
      if (later.length > 0) {
        later.push(m);
        continue;
      }
      if (m.seq <= next.lastSeq) {
        ack.push(m);
        continue;
      }
      const expected = next.lastSeq === 0 ? firstExpected : next.lastSeq + 1;
      if (m.seq !== expected && !(await acceptsGap(expected, m.seq))) {
        later.push(m);
        continue;
      }
      gapSince = undefined;
      if (!m.subject.startsWith(`${AUDIT_SUBJECT_PREFIX}.`))
        log.warn({ subject: m.subject }, 'unexpected subject');
      const linked = chainLine(toLine(m), next, deps.chainKey);
      texts.push(linked.text);
      lines.push(linked.line);
      ack.push(m);
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
    for (const m of ack) m.ack();
    for (const m of later) m.nak(GAP_RETRY_MS);
    // One flush makes the acks of the whole batch reach the server before the next pull.
    await nc.flush();
  }

  /**
   * consume() keeps pull requests open, so a lone record is written at once; under load the messages that
   * queued up while a batch was being written form the next batch (one fsync and one flush each).
   */
  async function run(c: Consumer): Promise<void> {
    while (!stopping) {
      try {
        const iter = await c.consume({ max_messages: batchSize, expires });
        current = iter;
        let batch: JsMsg[] = [];
        for await (const m of iter) {
          batch.push(m);
          if (iter.getPending() > 0 && batch.length < batchSize) continue;
          await handleBatch(batch);
          batch = [];
        }
        // Written even when stopping: these messages are in hand and would otherwise wait for ack_wait.
        if (batch.length > 0) await handleBatch(batch);
        current = undefined;
      } catch (err) {
        current = undefined;
        if (err instanceof SinkWriteError) throw err.cause;
        if (stopping) break;
        // A failed pull leaves the messages unacked: the server redelivers them after ack_wait.
        log.error({ err }, 'audit consumer failed; retrying');
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
      const info = await consumer.info(true);
      firstExpected = info.ack_floor.stream_seq + 1;
      const ackWaitNanos = info.config.ack_wait ?? 0;
      if (deps.gapWaitMs === undefined && ackWaitNanos > 0) {
        // Twice the ack_wait: by then a record a stopped instance held has certainly been redelivered.
        gapWaitMs = (2 * ackWaitNanos) / 1e6 + 5_000;
      }
      log.info({ stream, consumer: name, lastSeq: chain.lastSeq }, 'audit consumer started');
      loop = run(consumer);
    },
    async stop() {
      stopping = true;
      current?.stop();
      await loop?.catch(() => {});
    },
    closed: () => loop ?? Promise.resolve(),
    async consumerInfo() {
      const info = await (consumer ?? (await js.consumers.get(stream, name))).info();
      return { numPending: info.num_pending, numAckPending: info.num_ack_pending };
    },
  };
}
