// JetStream publishes that wait for the stream's acknowledgement on one long-lived reply subscription
// (`<inbox>.<n>`), as nats.js's own request mux does, without its per-request costs: nats-core 3.4 builds a
// RequestError (a stack capture) in the cancel() that follows every answered request, which took ~4 % of the
// gateway's CPU under load. The wire exchange is jetstream 3.4's `js.publish`: the message with `Nats-Msg-Id`
// (and `Nats-Expected-Stream`) headers and a reply subject, answered by the stream's PubAck JSON.

import type { PubAck } from '@nats-io/jetstream';
import { createInbox, headers, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { createTurnBatch } from './turn-batch.js';

/** What relay and audit need of a JetStream client; `jetstream(nc)` fits, and so does createStreamPublisher. */
export interface StreamPublisher {
  /**
   * Publishes `data` on `subject` and resolves with the stream's ack. `msgID` makes a retry a duplicate the
   * stream drops; `expect.streamName` makes a stream other than that one refuse it; `timeout` (ms) bounds
   * the wait for the ack. Rejects when no stream answers, a stream refuses it, or the time is up.
   */
  publish(
    subject: string,
    data: Uint8Array,
    options: { msgID: string; expect?: { streamName: string }; timeout?: number },
  ): Promise<PubAck>;
}

/** How long a publish waits for its ack when the caller gives no timeout: jetstream 3.4's default. */
export const DEFAULT_ACK_TIMEOUT_MS = 5_000;

interface Waiting {
  subject: string;
  resolve(ack: PubAck): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Why a publish got no ack; `code` as nats.js names the same cases. */
export class StreamPublishError extends Error {
  constructor(
    message: string,
    readonly code: 'timeout' | 'no_responders' | 'refused' | 'closed' | 'permission',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StreamPublishError';
  }
}

/**
 * A publisher on `nc` whose acks come back under `inboxPrefix` (the connection's own, which its permissions
 * allow it to subscribe to). One subscription for every publish; `close()` rejects what still waits.
 */
export function createStreamPublisher(
  nc: NatsConnection,
  { inboxPrefix }: { inboxPrefix?: string } = {},
): StreamPublisher & { close(): void; readonly waiting: number } {
  const base = `${createInbox(inboxPrefix)}.`;
  const waiting = new Map<string, Waiting>();
  let next = 0;
  let closed = false;
  const nextTurn = createTurnBatch();

  const settle = (token: string): Waiting | undefined => {
    const w = waiting.get(token);
    if (!w) return undefined;
    waiting.delete(token);
    clearTimeout(w.timer);
    return w;
  };
  const rejectAll = (err: StreamPublishError) => {
    for (const token of [...waiting.keys()]) settle(token)?.reject(err);
  };

  const sub = nc.subscribe(`${base}*`, {
    callback: (err, msg: Msg) => {
      if (err) {
        // The subscription itself failed (e.g. its permission): nothing will be acknowledged.
        rejectAll(new StreamPublishError('the ack subscription failed', 'permission', { cause: err }));
        return;
      }
      const w = settle(msg.subject.slice(base.length));
      if (!w) return;
      if (msg.data.length === 0 && msg.headers?.code === 503) {
        w.reject(new StreamPublishError(`no stream listens on ${w.subject}`, 'no_responders'));
        return;
      }
      let ack: PubAck & { error?: { code?: number; err_code?: number; description?: string } };
      try {
        ack = JSON.parse(new TextDecoder().decode(msg.data));
      } catch (cause) {
        w.reject(new StreamPublishError('invalid ack response', 'refused', { cause }));
        return;
      }
      if (ack.error) {
        w.reject(
          new StreamPublishError(ack.error.description ?? 'the stream refused the message', 'refused'),
        );
        return;
      }
      if (typeof ack.stream !== 'string' || ack.stream === '') {
        w.reject(new StreamPublishError('invalid ack response', 'refused'));
        return;
      }
      ack.duplicate = ack.duplicate === true;
      w.resolve(ack);
    },
  });
  // A publish the server refuses (a permission violation) has no ack coming: fail it now, not at its timeout,
  // as nats.js's mux does for the request whose subject the error names.
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type !== 'error') continue;
      const err = s.error as Error & { operation?: string; subject?: string };
      if (err.operation !== 'publish') continue;
      for (const [token, w] of waiting)
        if (w.subject === err.subject) {
          settle(token);
          w.reject(new StreamPublishError(err.message, 'permission', { cause: err }));
        }
    }
  })().catch(() => {});
  void nc.closed().then(() => {
    closed = true;
    rejectAll(new StreamPublishError('the connection is closed', 'closed'));
  });

  return {
    get waiting() {
      return waiting.size;
    },
    publish(subject, data, options) {
      if (closed) return Promise.reject(new StreamPublishError('the publisher is closed', 'closed'));
      const token = (next++).toString(36);
      const h = headers();
      h.set('Nats-Msg-Id', options.msgID);
      if (options.expect?.streamName) h.set('Nats-Expected-Stream', options.expect.streamName);
      const timeoutMs = options.timeout ?? DEFAULT_ACK_TIMEOUT_MS;
      return new Promise<PubAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          if (settle(token))
            reject(new StreamPublishError(`no ack from the stream within ${timeoutMs} ms`, 'timeout'));
        }, timeoutMs);
        waiting.set(token, { subject, resolve, reject, timer });
        // With the other publishes of this turn: one socket write (common/turn-batch.ts).
        nextTurn(() => {
          if (waiting.has(token)) nc.publish(subject, data, { reply: `${base}${token}`, headers: h });
        }).catch((err) => settle(token)?.reject(err as Error));
      });
    },
    close() {
      closed = true;
      rejectAll(new StreamPublishError('the publisher is closed', 'closed'));
      sub.unsubscribe();
    },
  };
}
