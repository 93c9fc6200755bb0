// The gateway's side of a follow command (common/wire-stream.ts): it listens on the command's own stream
// subject before publishing it, hands each chunk to the HTTP client and answers the chunk only once the client
// has taken it, so the agent never has more than its window in flight. Stops (client gone, a cap of the
// gateway's policy) ride on the next answer; an agent that then does not end within STOP_GRACE_MS, or falls
// silent for STREAM_SILENCE_MS, is given up on here.

import type { Msg, NatsConnection } from '@nats-io/nats-core';
import type { Command } from '../common/command/types.js';
import { isKubentlyError, KubentlyError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { subjects } from '../common/subjects.js';
import { utf8Prefix } from '../common/utf8.js';
import {
  decodeJson,
  encodeJson,
  type ResultMessage,
  type ResultStatus,
  WIRE_VERSION,
} from '../common/wire.js';
import {
  isStreamMessage,
  STREAM_CHUNK_BYTES,
  STREAM_SILENCE_MS,
  STREAM_WINDOW,
  type StreamEndReason,
  type StreamStopReason,
} from '../common/wire-stream.js';

/** After telling the agent to stop, how long the gateway waits for its end before ending the stream itself. */
export const STOP_GRACE_MS = 5_000;

/** Where a stream's output goes: the HTTP response, with the client's departure as `signal`. */
export interface StreamTarget {
  /** Called once, at the agent's first stream message: the stream has begun (send the SSE headers now). */
  started(): void;
  /** Hands output to the client; resolves once it is taken (the socket drained) or the client is gone. */
  write(text: string): Promise<void>;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** The gateway policy's limits.stream, in ms and output bytes. */
  maxMs: number;
  maxBytes: number;
}

/** How a stream ended; `bytes` is the output the client was handed. */
export interface StreamEnded {
  kind: 'ended';
  status: ResultStatus;
  error: string | null;
  truncated: boolean;
  reason: StreamEndReason;
  bytes: number;
  /** False when no stream message ever came (the command timed out before the agent started it). */
  started: boolean;
}

/** The agent answered with a result instead of streaming (its policy denied the command, it was delivered too often). */
export type StreamOutcome = StreamEnded | { kind: 'result'; result: ResultMessage };

export interface StreamRelayDeps {
  nc: NatsConnection;
  log: Logger;
  /** The relay's send: publishes the command and resolves with a result the agent sends instead of a stream. */
  send(command: Command, options: { signal: AbortSignal }): Promise<ResultMessage>;
  silenceMs?: number;
  stopGraceMs?: number;
}

export function createStreamRelay(deps: StreamRelayDeps) {
  const { nc, log } = deps;
  const silenceMs = deps.silenceMs ?? STREAM_SILENCE_MS;
  const stopGraceMs = deps.stopGraceMs ?? STOP_GRACE_MS;
  const open = new Set<() => void>();

  function stream(command: Command, target: StreamTarget): Promise<StreamOutcome> {
    const subject = subjects.stream(command.clusterId, command.id);
    return new Promise<StreamOutcome>((resolve, reject) => {
      let finished = false;
      let started = false;
      let expected = 0;
      let queued = 0;
      let bytes = 0;
      let truncated = false;
      let stopReason: StreamStopReason | undefined;
      let chain = Promise.resolve();
      let silence: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      const waiting = new AbortController();
      const duration = setTimeout(() => requestStop('max_duration'), target.maxMs);

      const cleanup = () => {
        clearTimeout(duration);
        clearTimeout(silence);
        clearTimeout(grace);
        target.signal.removeEventListener('abort', onClientGone);
        waiting.abort();
        sub.unsubscribe();
        open.delete(abandon);
      };
      const finish = (outcome: StreamOutcome) => {
        if (finished) return;
        finished = true;
        cleanup();
        resolve(outcome);
      };
      const ended = (status: ResultStatus, error: string | null, reason: StreamEndReason) =>
        finish({ kind: 'ended', status, error, truncated, reason, bytes, started });
      function requestStop(reason: StreamStopReason): void {
        stopReason ??= reason;
        grace ??= setTimeout(() => ended('success', null, stopReason ?? reason), stopGraceMs);
      }
      const onClientGone = () => requestStop('client_closed');
      const abandon = () => ended('failure', 'the gateway is shutting down', 'timeout');
      open.add(abandon);

      const answer = (msg: Msg, seq: number) => {
        if (!msg.reply) return;
        msg.respond(encodeJson({ v: WIRE_VERSION, seq, ...(stopReason ? { stop: stopReason } : {}) }));
      };

      async function handle(msg: Msg): Promise<void> {
        let m: unknown;
        try {
          m = decodeJson<unknown>(msg.data);
        } catch {
          m = undefined;
        }
        // Only this cluster's account can publish here; still, nothing malformed or out of order is passed on.
        // The schema counts characters: a chunk of 4-byte characters would be 4 × STREAM_CHUNK_BYTES.
        if (
          !isStreamMessage(m) ||
          m.seq !== expected ||
          Buffer.byteLength(m.data ?? '') > STREAM_CHUNK_BYTES
        ) {
          log.warn({ subject, commandId: command.id }, 'malformed or out-of-order stream message dropped');
          return;
        }
        expected++;
        if (!started) {
          started = true;
          waiting.abort();
          target.started();
        }
        // While the client takes a chunk the agent waits for its answer: that silence is the client's, not the agent's.
        clearTimeout(silence);
        if (m.kind === 'end') {
          truncated ||= m.truncated === true;
          // Only the gateway sees its client leave: an agent's client_closed the gateway never said is not one.
          const claimed = m.reason === 'client_closed' ? 'completed' : m.reason;
          ended(m.status ?? 'failure', m.error ?? null, stopReason ?? claimed ?? 'completed');
          return;
        }
        if (m.kind === 'output' && stopReason === undefined) {
          let data = m.data ?? '';
          const left = target.maxBytes - bytes;
          if (Buffer.byteLength(data, 'utf8') > left) {
            data = utf8Prefix(data, left);
            truncated = true;
            requestStop('max_bytes');
          }
          if (data !== '') {
            bytes += Buffer.byteLength(data, 'utf8');
            await target.write(data);
          }
        }
        answer(msg, m.seq);
        if (!finished)
          silence = setTimeout(
            () => ended('timeout', `no word from the agent for ${silenceMs / 1000} s`, 'timeout'),
            silenceMs,
          );
      }

      const sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err || finished) return;
          // The agent waits for answers after STREAM_WINDOW chunks: more waiting here is not a well-behaved agent.
          if (++queued > STREAM_WINDOW + 2) {
            ended('failure', 'the agent sent more than its window of unanswered chunks', 'completed');
            return;
          }
          chain = chain
            .then(() => (finished ? undefined : handle(msg)))
            .catch((e: unknown) => log.warn({ err: e, commandId: command.id }, 'stream message not handled'))
            .finally(() => {
              queued--;
            });
        },
      });
      target.signal.addEventListener('abort', onClientGone);
      if (target.signal.aborted) onClientGone();

      deps.send(command, { signal: waiting.signal }).then(
        (result) => finish({ kind: 'result', result }),
        (err: unknown) => {
          if (started || finished) return;
          if (isKubentlyError(err) && err.code === 'timeout') return ended('timeout', err.message, 'timeout');
          finished = true;
          cleanup();
          reject(err instanceof KubentlyError ? err : new KubentlyError('service_unavailable', String(err)));
        },
      );
    });
  }

  return {
    stream,
    /** Ends every open stream at once (the gateway is shutting down). */
    close(): void {
      for (const abandon of [...open]) abandon();
    },
  };
}
