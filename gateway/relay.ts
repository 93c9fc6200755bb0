// Publishes a validated command to its cluster's JetStream subject and awaits the agent's result
// on core NATS. One wildcard subscription serves every in-flight command: no per-command subscription.

import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { Command } from '../common/command/types.js';
import { KubentlyError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { StreamPublisher } from '../common/stream-publisher.js';
import { CMD_STREAM, subjects } from '../common/subjects.js';
import {
  type CommandKind,
  decodeJson,
  encodeJson,
  type RelayedCommand,
  type ResultMessage,
  toCommandMessage,
} from '../common/wire.js';
import { createStreamRelay, type StreamOutcome, type StreamTarget } from './stream-relay.js';

export interface Relay {
  /**
   * Resolves with the agent's result; rejects with `timeout` when the deadline passes first, and with
   * `service_unavailable` when the stream refuses the command or the relay is closed while it waits.
   * `kind` marks a message that is no kubectl command (`self_check`).
   */
  send(command: RelayedCommand, kind?: CommandKind, options?: SendOptions): Promise<ResultMessage>;
  /**
   * Runs a follow command (logs -f, get -w): its output goes to `target` as it comes, with flow control. Resolves
   * with how the stream ended, or with the agent's result when it answered instead of streaming (a denial).
   */
  stream(command: Command, target: StreamTarget): Promise<StreamOutcome>;
  readonly inFlight: number;
  close(): Promise<void>;
}

export interface SendOptions {
  /** Stops waiting for the result (the promise then rejects with `aborted`); the command stays published. */
  signal?: AbortSignal;
}

interface Pending {
  resolve(result: ResultMessage): void;
  reject(err: KubentlyError): void;
  timer: NodeJS.Timeout;
  clusterId: string;
}

export interface RelayDeps {
  nc: NatsConnection;
  /** Publishes to the command stream: `jetstream(nc)`, or the gateway's one ack subscription (createStreamPublisher). */
  js: StreamPublisher;
  log: Logger;
  /** Time allowed for the stream's publish acknowledgement. */
  publishTimeoutMs?: number;
}

export function createRelay({ nc, js, log, publishTimeoutMs = 5_000 }: RelayDeps): Relay {
  const pending = new Map<string, Pending>();
  const sub: Subscription = nc.subscribe(subjects.allResults, {
    callback: (err, msg) => {
      if (err) {
        log.error({ err }, 'result subscription failed');
        return;
      }
      let result: ResultMessage;
      try {
        result = decodeJson<ResultMessage>(msg.data);
      } catch (err) {
        log.warn({ err, subject: msg.subject }, 'undecodable result dropped');
        return;
      }
      // Anything but an object (null, a number) has no command id to answer: dropped like undecodable text.
      if (typeof result !== 'object' || result === null) return;
      const entry = pending.get(result.command_id);
      // A result for another cluster's command id would be a forgery: the subject names the sender's cluster.
      if (!entry || msg.subject !== subjects.result(entry.clusterId, result.command_id)) return;
      pending.delete(result.command_id);
      clearTimeout(entry.timer);
      entry.resolve(result);
    },
  });

  async function send(
    command: RelayedCommand,
    kind?: CommandKind,
    options: SendOptions = {},
  ): Promise<ResultMessage> {
    const deadline = Date.now() + command.timeoutMs;
    const message = toCommandMessage(command, deadline, kind);
    const result = new Promise<ResultMessage>((resolve, reject) => {
      options.signal?.addEventListener('abort', () => {
        const entry = pending.get(command.id);
        if (!entry) return;
        clearTimeout(entry.timer);
        pending.delete(command.id);
        reject(
          new KubentlyError('service_unavailable', 'no longer waiting for a result', {
            details: { aborted: true },
          }),
        );
      });
      const timer = setTimeout(() => {
        pending.delete(command.id);
        reject(
          new KubentlyError(
            'timeout',
            `no result from cluster "${command.clusterId}" within ${command.timeoutMs} ms`,
            {
              details: { command_id: command.id, timeout_ms: command.timeoutMs },
            },
          ),
        );
      }, command.timeoutMs);
      pending.set(command.id, { resolve, reject, timer, clusterId: command.clusterId });
    });
    try {
      await js.publish(subjects.command(command.clusterId), encodeJson(message), {
        msgID: command.id,
        expect: { streamName: CMD_STREAM },
        timeout: Math.min(publishTimeoutMs, command.timeoutMs),
      });
    } catch (err) {
      const entry = pending.get(command.id);
      if (entry) clearTimeout(entry.timer);
      pending.delete(command.id);
      result.catch(() => {});
      throw new KubentlyError('service_unavailable', 'the command bus did not accept the command', {
        cause: err,
      });
    }
    return result;
  }

  const streams = createStreamRelay({
    nc,
    log,
    send: (command, options) => send(command, undefined, options),
  });

  return {
    send,
    stream: streams.stream,
    get inFlight() {
      return pending.size;
    },
    async close() {
      // A waiting request must end now (503), not hang until a result that can no longer arrive.
      for (const [id, entry] of pending) {
        clearTimeout(entry.timer);
        pending.delete(id);
        entry.reject(new KubentlyError('service_unavailable', 'the gateway is shutting down'));
      }
      streams.close();
      sub.unsubscribe();
    },
  };
}
