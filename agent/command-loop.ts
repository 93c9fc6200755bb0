// Takes this cluster's commands from its durable JetStream pull consumer, re-validates each one,
// runs it with at most `maxInFlight` at a time and replies on core NATS. The ack follows the reply,
// so a command whose agent dies mid-way is redelivered to another replica.

import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { millis, type NatsConnection, nanos } from '@nats-io/nats-core';
import { LRUCache } from 'lru-cache';
import { isFollowCommand } from '../common/command/follow.js';
import type { Command } from '../common/command/types.js';
import type { Logger } from '../common/logger.js';
import { DEFAULT_STREAM_MAX_BYTES, DEFAULT_STREAM_MAX_MS } from '../common/policy/compile.js';
import { AGENT_ACK_WAIT_MS, AGENT_MAX_DELIVER } from '../common/provision.js';
import type { SelfCheckReport } from '../common/self-check.js';
import { agentConsumerName, CMD_STREAM, subjects } from '../common/subjects.js';
import { createTurnBatch } from '../common/turn-batch.js';
import {
  decodeJson,
  encodeJson,
  isCommandMessage,
  NATS_MAX_PAYLOAD_BYTES,
  type ResultMessage,
  WIRE_VERSION,
} from '../common/wire.js';
import type { StreamEndReason, StreamStopReason } from '../common/wire-stream.js';
import type { CommandExecutor, ExecutionOutcome } from './executor-types.js';
import { limitOutput } from './output-limit.js';
import type { Revalidate } from './revalidate.js';
import { createStreamSender } from './stream-sender.js';

export const PULL_EXPIRES_MS = 5_000;
/** Command ids remembered as answered, so a redelivery after a lost ack is not run twice. */
export const ANSWERED_MEMORY = 10_000;
/** Pause before pulling again after a pull failed (consumer missing, server restarting). */
export const PULL_RETRY_MS = 1_000;
/**
 * Deliveries of one command the agent runs. A command delivered more often than this was handed out before
 * and never answered (an agent died running it, perhaps because of it): it is answered as a failure instead
 * of being run again. One below the consumer's max_deliver, so the last delivery JetStream makes is answered.
 */
export const MAX_RUNS = AGENT_MAX_DELIVER - 1;
/** Follow commands one agent streams at once; they do not take command slots. */
export const DEFAULT_MAX_STREAMS = 16;

export interface CommandLoopDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  log: Logger;
  clusterId: string;
  agentId: string;
  executor: CommandExecutor;
  revalidate: Revalidate;
  maxInFlight: number;
  /** Deliveries of one command that are run (default MAX_RUNS); later ones are answered as failures. */
  maxRuns?: number;
  /** Answers a `self_check` message (agent/self-check.ts); without it such a message is a failure. */
  selfCheck?: (signal: AbortSignal) => Promise<SelfCheckReport>;
  /** The agent policy's caps of one follow command (limits.stream), read per command. */
  streamLimits?: () => { maxMs: number; maxBytes: number };
  /** Follow commands streamed at once (default DEFAULT_MAX_STREAMS); more are answered as failures. */
  maxStreams?: number;
  now?: () => number;
}

export interface CommandLoop {
  readonly inFlight: number;
  /** Stops taking commands, lets running ones finish for `graceMs`, then aborts and naks the rest. */
  stop(graceMs?: number): Promise<void>;
  /** Settles when the loop ends (after stop, or when the connection closes). */
  readonly done: Promise<void>;
  /**
   * False while the server says the cluster's consumer or stream is missing (deleted, not provisioned):
   * the loop keeps trying and recovers when it is back, but meanwhile this agent cannot take commands.
   */
  readonly canTakeCommands: boolean;
}

export async function startCommandLoop(deps: CommandLoopDeps): Promise<CommandLoop> {
  const { nc, js, log, clusterId, agentId, executor, revalidate, maxInFlight, now = Date.now } = deps;
  const maxRuns = deps.maxRuns ?? MAX_RUNS;
  // The agent only looks up and pulls from its own consumer; it never creates one (nats.conf forbids it).
  const consumer = await js.consumers.get(CMD_STREAM, agentConsumerName(clusterId));
  let canTakeCommands = true;
  const setCanTakeCommands = (value: boolean, why: string) => {
    if (value === canTakeCommands) return;
    canTakeCommands = value;
    if (value) log.info('consumer is back: taking commands');
    else log.error({ why }, 'cannot take commands: consumer or stream missing');
  };
  // A command may run longer than the consumer's ack wait (policy timeouts go up to minutes): telling the
  // server it is still in progress keeps it from handing the command to another replica mid-run.
  const ackWaitMs = millis((await consumer.info(true)).config.ack_wait ?? nanos(AGENT_ACK_WAIT_MS));
  const running = new Map<JsMsg, AbortController>();
  const streaming = new Set<AbortController>();
  const following = new Set<Promise<void>>();
  const streamLimits =
    deps.streamLimits ?? (() => ({ maxMs: DEFAULT_STREAM_MAX_MS, maxBytes: DEFAULT_STREAM_MAX_BYTES }));
  const maxStreams = deps.maxStreams ?? DEFAULT_MAX_STREAMS;
  // Long enough to cover the redeliveries JetStream can still make of an answered command.
  const answered = createRecentIds(ANSWERED_MEMORY, 2 * ackWaitMs, now);
  let slotFreed: (() => void) | undefined;
  let batch: ConsumerMessages | undefined;
  let stopping = false;
  const nextTurn = createTurnBatch();

  function reply(result: Omit<ResultMessage, 'v' | 'cluster_id' | 'agent_id'>): void {
    const message: ResultMessage = { v: WIRE_VERSION, cluster_id: clusterId, agent_id: agentId, ...result };
    nc.publish(subjects.result(clusterId, result.command_id), encodeResult(message, maxPayload()));
  }

  function maxPayload(): number {
    // The server's own figure; nats-server's default when it did not say.
    return nc.info?.max_payload || NATS_MAX_PAYLOAD_BYTES;
  }

  async function handle(msg: JsMsg, controller: AbortController): Promise<void> {
    let message: unknown;
    try {
      message = decodeJson<unknown>(msg.data);
    } catch {
      log.error({ seq: msg.seq }, 'undecodable command terminated');
      // No reason with the term: nats-server 2.9 does not understand `+TERM <reason>` and would keep the
      // message pending for redelivery. The reason is in the log.
      msg.term();
      return;
    }
    if (!isCommandMessage(message)) {
      log.error(
        { seq: msg.seq, errors: isCommandMessage.errors?.slice(0, 3) },
        'malformed command terminated',
      );
      msg.term();
      return;
    }
    if (message.cluster_id !== clusterId) {
      log.error({ seq: msg.seq }, 'command for another cluster terminated');
      msg.term();
      return;
    }
    const { id, deadline } = message;
    if (answered.has(id)) {
      // A redelivery of a command this agent already answered (its ack was lost, e.g. with a JetStream
      // leader that died): the gateway has the result; running it again would only repeat the work.
      log.debug({ commandId: id }, 'already answered; acknowledged again');
      msg.ack();
      return;
    }
    const started = now();
    const base = {
      command_id: id,
      session_id: message.session_id,
      executed_at: new Date(started).toISOString(),
    };
    if (started >= deadline) {
      // The gateway has already answered 504: running it now would act on a request nobody awaits.
      log.warn({ commandId: id, lateMs: started - deadline }, 'expired command skipped');
      msg.term();
      return;
    }
    if (message.kind === 'self_check') {
      const outcome = await answerSelfCheck(id, deadline - started, controller);
      reply({ ...base, ...outcome, execution_time_ms: now() - started });
      answered.remember(id);
      msg.ack();
      return;
    }
    const checked = revalidate(message, started);
    const deliveries = msg.info.deliveryCount;
    let outcome: ExecutionOutcome;
    if (checked.allowed && deliveries > maxRuns) {
      // Earlier deliveries were neither answered nor handed back in time: the agent that took them
      // stopped mid-way. Running it blindly again could stop this agent the same way.
      log.warn({ commandId: id, deliveries }, 'command delivered too often; not run again');
      outcome = {
        status: 'failure',
        output: '',
        error: `error: the command was delivered ${deliveries} times and no earlier delivery finished (an agent may have stopped while running it); it is not run again. Narrow it with -l, --field-selector or --limit and send it again.`,
        truncated: false,
      };
    } else if (!checked.allowed) {
      const reason = `${checked.reason} (agent policy rule ${checked.rule})`;
      log.warn({ commandId: id, identity: message.identity, reason }, 'command denied by agent policy');
      outcome = { status: 'denied', output: '', error: reason, truncated: false };
    } else if (isFollowCommand(checked.command)) {
      // A stream is never handed to another replica: its gateway listens to this one. Acknowledged now, it
      // leaves the consumer's pending list and its ack wait at once.
      answered.remember(id);
      msg.ack();
      // It runs beside the command slots, so streams never hold up commands.
      const streamed: Promise<void> = follow(checked.command, started)
        .catch((err) => log.error({ err, commandId: id }, 'stream failed'))
        .finally(() => following.delete(streamed));
      following.add(streamed);
      return;
    } else {
      // The agent's policy caps what is left of the gateway's deadline.
      const runForMs = checked.command.timeoutMs;
      const timer = setTimeout(() => controller.abort(new Error('deadline')), runForMs);
      const keepAlive =
        runForMs > ackWaitMs / 2 ? setInterval(() => msg.working(), ackWaitMs / 2) : undefined;
      try {
        outcome = await executor.execute(checked.command, controller.signal);
      } catch (err) {
        log.error({ err, commandId: id }, 'executor failed');
        outcome = { status: 'failure', output: '', error: 'internal error in the agent', truncated: false };
      } finally {
        clearTimeout(timer);
        clearInterval(keepAlive);
      }
      if (controller.signal.aborted && stopping && outcome.status !== 'success') {
        // Aborted by shutdown, not by the deadline: let another replica run it.
        msg.nak();
        return;
      }
    }
    const result = { ...base, ...outcome, execution_time_ms: now() - started };
    // Written with the answers of the other commands that finish in this turn (common/turn-batch.ts).
    await nextTurn(() => {
      reply(result);
      msg.ack();
    });
    answered.remember(id);
    log.debug({ commandId: id, status: outcome.status, ms: now() - started }, 'command answered');
  }

  /** The self-check report as the output, within what is left of the deadline; a failure names why not. */
  async function answerSelfCheck(
    id: string,
    runForMs: number,
    controller: AbortController,
  ): Promise<ExecutionOutcome> {
    const failure = (error: string): ExecutionOutcome => ({
      status: 'failure',
      output: '',
      error,
      truncated: false,
    });
    if (!deps.selfCheck)
      return failure('this agent cannot run a self-check (no Kubernetes access of its own)');
    const timer = setTimeout(() => controller.abort(new Error('deadline')), runForMs);
    try {
      const report = await deps.selfCheck(controller.signal);
      return { status: 'success', output: JSON.stringify(report), error: null, truncated: false };
    } catch (err) {
      log.error({ err, commandId: id }, 'self-check failed');
      return failure('the self-check failed in the agent');
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Streams a follow command to its gateway until it ends by itself, the gateway says stop, a cap of the agent's
   * policy is reached or the agent shuts down; then sends the end with the reason.
   */
  async function follow(command: Command, started: number): Promise<void> {
    const { maxMs, maxBytes } = streamLimits();
    const sender = createStreamSender({ nc, subject: subjects.stream(clusterId, command.id), maxBytes, log });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort('max_duration'), maxMs);
    const signal = AbortSignal.any([controller.signal, sender.signal]);
    let outcome: { status: ExecutionOutcome['status']; error: string | null };
    if (streaming.size >= maxStreams) {
      outcome = {
        status: 'failure',
        error: `error: this agent is streaming ${maxStreams} follow commands already`,
      };
    } else if (!executor.follow) {
      outcome = { status: 'failure', error: 'error: this agent cannot stream follow commands' };
    } else {
      streaming.add(controller);
      try {
        outcome = await executor.follow(command, sender, signal);
      } catch (err) {
        log.error({ err, commandId: command.id }, 'follow failed');
        outcome = { status: 'failure', error: 'internal error in the agent' };
      } finally {
        streaming.delete(controller);
        clearTimeout(timer);
      }
    }
    clearTimeout(timer);
    const reason: StreamEndReason = signal.aborted ? stopReason(signal.reason) : 'completed';
    await sender.end({ ...outcome, reason });
    log.debug({ commandId: command.id, reason, bytes: sender.bytes, ms: now() - started }, 'stream ended');
  }

  /**
   * Pulls only as many commands as there are free slots, so no command ever waits inside this process
   * (where its ack wait would run out and JetStream would hand it out again). Short pull expiry: after a
   * JetStream leader change a pull parked on the old leader is renewed within seconds.
   */
  async function run(): Promise<void> {
    while (!stopping) {
      while (running.size >= maxInFlight && !stopping) {
        await new Promise<void>((resolve) => {
          slotFreed = resolve;
        });
      }
      if (stopping) break;
      try {
        batch = await consumer.fetch({ max_messages: maxInFlight - running.size, expires: PULL_EXPIRES_MS });
        void watchBatch(batch);
        for await (const msg of batch) {
          setCanTakeCommands(true, 'message');
          if (stopping) {
            // Pulled but not started: hand it back now rather than start it during shutdown.
            msg.nak();
            continue;
          }
          start(msg);
        }
      } catch (err) {
        if (nc.isClosed()) break;
        if (!stopping) {
          log.warn({ err }, 'pull failed; retrying');
          await new Promise((r) => setTimeout(r, PULL_RETRY_MS));
        }
      } finally {
        batch = undefined;
      }
    }
  }

  async function watchBatch(messages: ConsumerMessages): Promise<void> {
    for await (const event of messages.status()) {
      switch (event.type) {
        case 'consumer_deleted':
        case 'consumer_not_found':
        case 'stream_not_found':
        case 'no_responders':
          setCanTakeCommands(false, event.type);
          break;
        case 'heartbeat':
          // The server answers pulls again: the consumer is there.
          setCanTakeCommands(true, event.type);
          break;
        default:
          break;
      }
    }
  }

  function start(msg: JsMsg): void {
    const controller = new AbortController();
    running.set(msg, controller);
    handle(msg, controller)
      .catch((err) => log.error({ err }, 'command handling failed'))
      .finally(() => {
        running.delete(msg);
        slotFreed?.();
        slotFreed = undefined;
      });
  }

  const done = run();

  return {
    get inFlight() {
      return running.size;
    },
    get canTakeCommands() {
      return canTakeCommands;
    },
    done,
    async stop(graceMs = 10_000) {
      stopping = true;
      slotFreed?.();
      await batch?.close();
      // A stream would run until its cap: it ends now, its gateway told why.
      for (const controller of streaming) controller.abort('timeout');
      const deadline = now() + graceMs;
      while (running.size > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const controller of running.values()) controller.abort(new Error('shutdown'));
      for (const controller of streaming) controller.abort('timeout');
      while (running.size > 0) await new Promise((r) => setTimeout(r, 5));
      await Promise.all([...following]);
      await done;
    },
  };
}

const STOP_REASONS: ReadonlySet<string> = new Set<StreamStopReason>([
  'max_duration',
  'max_bytes',
  'client_closed',
  'timeout',
]);

/** The reason a stream's signal was aborted with, as an end reason. */
function stopReason(reason: unknown): StreamEndReason {
  return typeof reason === 'string' && STOP_REASONS.has(reason) ? (reason as StreamStopReason) : 'timeout';
}

/**
 * The result as it goes on the wire, within the server's max_payload: a result the server refuses would
 * leave the command unanswered and unacked, so JetStream would run it again. JSON escaping makes the
 * encoded output longer than the text, so the cut is tightened until the whole message fits.
 */
export function encodeResult(message: ResultMessage, maxPayload: number): Uint8Array {
  let encoded = encodeJson(message);
  let room = Buffer.byteLength(message.output, 'utf8');
  while (encoded.length > maxPayload && room > 0) {
    room = Math.max(0, room - (encoded.length - maxPayload));
    const limited = limitOutput(message.output, room);
    encoded = encodeJson({ ...message, output: limited.text, truncated: true });
  }
  return encoded;
}

/** A bounded set of recently seen ids, each forgotten after `ttlMs` (or when `max` newer ones came). */
export function createRecentIds(max: number, ttlMs: number, now: () => number) {
  const seen = new LRUCache<string, true>({ max, ttl: ttlMs, ttlResolution: 0, perf: { now } });
  return {
    has: (id: string): boolean => seen.has(id),
    remember: (id: string): void => void seen.set(id, true),
  };
}
