// Sends a follow command's output to the gateway that asked for it, with the flow control of
// common/wire-stream.ts: each chunk is a request on the stream's subject, at most STREAM_WINDOW unanswered.
// `write` resolves only when the window has room, so the verb reading the apiserver waits (and TCP slows the
// apiserver) while the HTTP client is slow. Answers that say stop, answers that never come and the byte cap
// abort `signal`, which closes the verb's apiserver requests.

import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '../common/logger.js';
import { decodeJson, encodeJson, type ResultStatus, WIRE_VERSION } from '../common/wire.js';
import {
  isStreamAnswer,
  STREAM_ANSWER_TIMEOUT_MS,
  STREAM_CHUNK_BYTES,
  STREAM_PING_MS,
  STREAM_WINDOW,
  type StreamEndReason,
  type StreamMessage,
  type StreamStopReason,
} from '../common/wire-stream.js';
import type { StreamSink } from './executor-types.js';
import { utf8Prefix } from './output-limit.js';

export interface StreamSenderOptions {
  nc: NatsConnection;
  /** kubently.stream.<cluster>.<command id> */
  subject: string;
  /** The agent policy's limits.stream.maxBytes: output beyond it is cut and the stream stops (`max_bytes`). */
  maxBytes: number;
  log: Logger;
  answerTimeoutMs?: number;
  pingMs?: number;
}

export interface StreamEnd {
  status: ResultStatus;
  error: string | null;
  reason: StreamEndReason;
}

export interface StreamSender extends StreamSink {
  /** Aborted with a StreamStopReason: the gateway said stop, an answer did not come, or the byte cap was reached. */
  readonly signal: AbortSignal;
  /** Output bytes sent so far. */
  readonly bytes: number;
  /** True once output was cut at the byte cap. */
  readonly truncated: boolean;
  /** Waits for the unanswered chunks, then sends the end message (best effort: the gateway may be gone). */
  end(outcome: StreamEnd): Promise<void>;
}

export function createStreamSender(options: StreamSenderOptions): StreamSender {
  const { nc, subject, maxBytes, log } = options;
  const answerTimeoutMs = options.answerTimeoutMs ?? STREAM_ANSWER_TIMEOUT_MS;
  const stopped = new AbortController();
  const unanswered: Promise<void>[] = [];
  let seq = 0;
  let bytes = 0;
  let truncated = false;
  let ended = false;

  const stop = (reason: StreamStopReason) => {
    if (!stopped.signal.aborted) stopped.abort(reason);
  };

  /** One request; its promise settles when the answer came (or never will) and never rejects. */
  function send(message: Omit<StreamMessage, 'v' | 'seq'>): void {
    const sent = seq++;
    const answered = nc
      .request(subject, encodeJson({ v: WIRE_VERSION, seq: sent, ...message }), { timeout: answerTimeoutMs })
      .then((reply) => {
        const answer = decodeJson<unknown>(reply.data);
        if (!isStreamAnswer(answer) || answer.seq !== sent) {
          log.warn({ subject, seq: sent }, 'malformed stream answer; stopping');
          return stop('timeout');
        }
        if (answer.stop) stop(answer.stop);
      })
      .catch((err: unknown) => {
        if (!stopped.signal.aborted)
          log.warn({ err, subject, seq: sent }, 'stream chunk not answered; stopping');
        stop('timeout');
      })
      .finally(() => {
        const i = unanswered.indexOf(answered);
        if (i >= 0) unanswered.splice(i, 1);
      });
    unanswered.push(answered);
  }

  async function room(): Promise<void> {
    while (unanswered.length >= STREAM_WINDOW && !stopped.signal.aborted) await unanswered[0];
  }

  // While nothing is unanswered the gateway could not say stop: a ping gives it the chance.
  const pinger = setInterval(() => {
    if (unanswered.length === 0 && !stopped.signal.aborted && !ended) send({ kind: 'ping' });
  }, options.pingMs ?? STREAM_PING_MS);

  return {
    signal: stopped.signal,
    get bytes() {
      return bytes;
    },
    get truncated() {
      return truncated;
    },
    async write(text) {
      let rest = text;
      while (rest !== '' && !stopped.signal.aborted) {
        const left = maxBytes - bytes;
        const piece = utf8Prefix(rest, Math.min(STREAM_CHUNK_BYTES, left));
        if (piece === '') {
          // Not one more character fits under the cap.
          truncated = true;
          stop('max_bytes');
          break;
        }
        await room();
        if (stopped.signal.aborted) break;
        send({ kind: 'output', data: piece });
        bytes += Buffer.byteLength(piece, 'utf8');
        rest = rest.slice(piece.length);
        if (bytes >= maxBytes && rest !== '') {
          truncated = true;
          stop('max_bytes');
        }
      }
    },
    async end(outcome) {
      ended = true;
      clearInterval(pinger);
      await Promise.all([...unanswered]);
      const { status, error, reason } = outcome;
      const message = { v: WIRE_VERSION, seq: seq++, kind: 'end', status, error, truncated, reason };
      // The gateway may be gone (client_closed, timeout): nobody needs to answer the end.
      nc.publish(subject, encodeJson(message));
      await nc.flush().catch(() => {});
    },
  };
}
