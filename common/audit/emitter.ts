// The one AuditEmitter every component uses. Records go to kubently.audit.<event_type> with a JetStream
// publish and a message id (a retry after a lost ack is deduplicated by the stream). While the bus is
// unreachable, events wait in a bounded FIFO buffer, flushed in order with backoff; what does not fit is
// counted and logged (type and cluster only — never details, never keys).

import { randomUUID } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import { KubentlyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { StreamPublisher } from '../stream-publisher.js';
import { subjects } from '../subjects.js';
import { encodeJson } from '../wire.js';
import type { AuditEmitter } from './emitter-types.js';
import { type AuditEventInput, toAuditRecord } from './events.js';

export const DEFAULT_MAX_BUFFERED = 10_000;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 2_000;
export const RETRY_MIN_MS = 100;
export const RETRY_MAX_MS = 5_000;

export interface AuditEmitterOptions {
  /** Publishes to the audit stream: `jetstream(nc)`, or a connection's one ack subscription (createStreamPublisher). */
  js: StreamPublisher;
  log: Logger;
  maxBuffered?: number;
  /** How long record() waits for the stream's ack before refusing (fail-closed). */
  publishTimeoutMs?: number;
  /** Where kubently_audit_events_dropped_total and kubently_audit_buffered_events go; unregistered if absent. */
  registry?: Registry;
  retryMinMs?: number;
  retryMaxMs?: number;
  now?: () => Date;
}

interface Pending {
  subject: string;
  data: Uint8Array;
  msgId: string;
  eventType: string;
  clusterId: string | null;
}

export function createAuditEmitter(
  options: AuditEmitterOptions,
): AuditEmitter & { readonly buffered: number } {
  const { js, now } = options;
  const log = options.log.child({ component: 'audit-emitter' });
  const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  const timeout = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  const retryMin = options.retryMinMs ?? RETRY_MIN_MS;
  const retryMax = options.retryMaxMs ?? RETRY_MAX_MS;
  const registers = options.registry ? [options.registry] : [];
  const dropped = new Counter({
    name: 'kubently_audit_events_dropped_total',
    help: 'Audit events lost because the audit stream was unreachable and the buffer was full (or closed).',
    labelNames: ['event_type'],
    registers,
  });
  const bufferedGauge = new Gauge({
    name: 'kubently_audit_buffered_events',
    help: 'Audit events waiting in memory for the audit stream to come back.',
    registers,
  });

  const queue: Pending[] = [];
  let flushing: Promise<void> | undefined;
  let closed = false;
  let wakeRetry: (() => void) | undefined;

  function prepare(event: AuditEventInput): Pending {
    const record = toAuditRecord(event, now);
    return {
      subject: subjects.audit(record.event_type),
      data: encodeJson(record),
      msgId: randomUUID(),
      eventType: record.event_type,
      clusterId: record.cluster_id,
    };
  }

  async function publish(p: Pending): Promise<void> {
    await js.publish(p.subject, p.data, { msgID: p.msgId, timeout });
  }

  function drop(p: Pending, reason: string): void {
    dropped.inc({ event_type: p.eventType });
    log.error(
      { event_type: p.eventType, cluster_id: p.clusterId, msg_id: p.msgId, reason },
      'audit event dropped',
    );
  }

  function enqueue(p: Pending): void {
    if (closed || queue.length >= maxBuffered) {
      drop(p, closed ? 'emitter closed' : 'buffer full');
      return;
    }
    if (queue.length === 0)
      log.warn({ event_type: p.eventType }, 'audit stream unreachable; buffering events');
    queue.push(p);
    bufferedGauge.set(queue.length);
    flushing ??= flush().finally(() => {
      flushing = undefined;
    });
  }

  /** A backoff pause that close() can cut short. */
  function sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeRetry = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeRetry = done;
    });
  }

  /** Publishes the buffer head first, one at a time, so the stream keeps the order events happened in. */
  async function flush(): Promise<void> {
    let delay = retryMin;
    while (queue.length > 0 && !closed) {
      const head = queue[0]!;
      try {
        await publish(head);
        queue.shift();
        bufferedGauge.set(queue.length);
        delay = retryMin;
        if (queue.length === 0) log.info('audit buffer flushed');
      } catch (err) {
        log.debug({ err, buffered: queue.length }, 'audit flush attempt failed');
        await sleep(delay);
        delay = Math.min(delay * 2, retryMax);
      }
    }
  }

  return {
    get buffered() {
      return queue.length;
    },
    async emit(event) {
      const p = prepare(event);
      // While older events wait, a new one queues behind them instead of overtaking them.
      if (queue.length > 0) {
        enqueue(p);
        return;
      }
      try {
        await publish(p);
      } catch (err) {
        log.warn({ err, event_type: p.eventType }, 'audit publish failed');
        enqueue(p);
      }
    },
    async record(event) {
      const p = prepare(event);
      try {
        await publish(p);
      } catch (err) {
        // The event did happen (e.g. an attempt that is now refused): keep it for the flush. If the publish
        // did reach the stream and only the ack was lost, the message id makes the retry a no-op.
        enqueue(p);
        throw new KubentlyError('audit_unavailable', 'the audit log cannot record this request now', {
          cause: err,
        });
      }
    },
    async close() {
      closed = true;
      wakeRetry?.();
      await flushing;
      // One last attempt in order; the first failure means the bus is gone and the rest is lost.
      while (queue.length > 0) {
        const head = queue[0]!;
        try {
          await publish(head);
          queue.shift();
        } catch {
          for (const p of queue.splice(0)) drop(p, 'emitter closed while the audit stream was unreachable');
        }
      }
      bufferedGauge.set(0);
    },
  };
}
