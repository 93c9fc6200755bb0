// The command loop's ack decisions against a real nats-server: a command runs once, is answered once,
// and is never acked without an answer the gateway can read.

import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import test, { type ExecutionContext } from 'ava';
import { type CommandLoop, startCommandLoop } from '../agent/command-loop.js';
import type { CommandExecutor, ExecutionOutcome } from '../agent/executor-types.js';
import { createRevalidator } from '../agent/revalidate.js';
import { importedJetStream } from '../common/imported-jetstream.js';
import { createLogger } from '../common/logger.js';
import { PRESETS } from '../common/policy/index.js';
import { agentConsumerName, CMD_STREAM, subjects } from '../common/subjects.js';
import {
  type CommandMessage,
  decodeJson,
  encodeJson,
  type ResultMessage,
  WIRE_VERSION,
} from '../common/wire.js';
import { eventually, scaled } from '../harness/eventually.js';
import { connectAs, provision, startNats } from '../harness/nats-server.js';

const log = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * The ack wait the tests shorten the consumer's to (production: 30 s). A command outlives it only thanks to
 * the loop's in-progress acks, sent every half ack wait: long enough that a starved event loop still sends
 * them in time.
 */
const SHORT_ACK_WAIT_MS = scaled(5_000);

interface Rig {
  gateway: NatsConnection;
  gatewayJs: JetStreamClient;
  results: ResultMessage[];
  executions: string[];
  startLoop(executor: CommandExecutor, maxInFlight?: number): Promise<CommandLoop>;
  /** `msgID` defaults to the command id (what the gateway uses); another one simulates a redelivery. */
  send(id: string, timeoutMs: number, msgID?: string): Promise<void>;
  /** Waits until every command sent is delivered and acked, then says how often the server delivered. */
  settled(): Promise<{ deliveries: number; redelivered: number }>;
}

async function rig(t: ExecutionContext, clusterId: string, ackWaitMs?: number): Promise<Rig> {
  const nats = await startNats(t, { clusters: [clusterId] });
  await provision(t, nats, [clusterId]);
  if (ackWaitMs !== undefined) {
    const admin = await connectAs(t, nats, 'admin');
    await (await jetstreamManager(admin)).consumers.update(CMD_STREAM, agentConsumerName(clusterId), {
      ack_wait: nanos(ackWaitMs),
    });
  }
  const gateway = await connectAs(t, nats, 'gateway');
  const results: ResultMessage[] = [];
  const sub = gateway.subscribe(subjects.resultsOf(clusterId), {
    callback: (_err, msg) => {
      results.push(decodeJson<ResultMessage>(msg.data));
    },
  });
  t.teardown(() => sub.unsubscribe());
  const executions: string[] = [];
  const gatewayJs = jetstream(gateway);
  const jsm = await jetstreamManager(gateway);
  return {
    gateway,
    gatewayJs,
    results,
    executions,
    async startLoop(executor, maxInFlight = 4) {
      const nc = await connectAs(t, nats, { agent: clusterId });
      const loop = await startCommandLoop({
        nc,
        js: importedJetStream(nc),
        log,
        clusterId,
        agentId: 'a',
        executor,
        revalidate: createRevalidator(() => PRESETS.readOnly),
        maxInFlight,
      });
      t.teardown(() => loop.stop(100));
      return loop;
    },
    async send(id, timeoutMs, msgID = id) {
      const message: CommandMessage = {
        v: WIRE_VERSION,
        id,
        cluster_id: clusterId,
        argv: ['get', 'pods'],
        identity: 'test',
        session_id: null,
        deadline: Date.now() + timeoutMs,
      };
      await gatewayJs.publish(subjects.command(clusterId), encodeJson(message), { msgID });
    },
    async settled() {
      // Nothing pending or unacked: the server will deliver nothing more, so the counts are final.
      const info = await eventually(
        t,
        async () => {
          const i = await jsm.consumers.info(CMD_STREAM, agentConsumerName(clusterId));
          return i.num_pending === 0 && i.num_ack_pending === 0 ? i : undefined;
        },
        { message: `every command of ${clusterId} was acked` },
      );
      return { deliveries: info.delivered.consumer_seq, redelivered: info.num_redelivered };
    },
  };
}

const ok = (output = 'ok'): ExecutionOutcome => ({
  status: 'success',
  output,
  error: null,
  truncated: false,
});

test('command loop - a command running longer than the ack wait is not redelivered and run again', async (t) => {
  const r = await rig(t, 'slow', SHORT_ACK_WAIT_MS);
  await r.startLoop({
    async execute(command) {
      r.executions.push(command.id);
      // Runs well past the ack wait: without the in-progress acks the server would deliver it again.
      await sleep(1.5 * SHORT_ACK_WAIT_MS);
      return ok();
    },
  });
  await r.send('long-1', 4 * SHORT_ACK_WAIT_MS);
  await eventually(t, () => r.results.length > 0, { message: 'long-1 answered' });
  t.deepEqual(await r.settled(), { deliveries: 1, redelivered: 0 }, 'delivered once');
  t.deepEqual(r.executions, ['long-1'], 'ran once');
  t.is(r.results.length, 1, 'answered once');
});

test('command loop - an output larger than the server max payload is answered truncated, once', async (t) => {
  const r = await rig(t, 'big', SHORT_ACK_WAIT_MS);
  const line = `${'x'.repeat(60)} "quoted" \\ tab\t\n`;
  const huge = line.repeat(Math.ceil((3 * 1024 * 1024) / line.length));
  await r.startLoop({
    async execute(command) {
      r.executions.push(command.id);
      return ok(huge);
    },
  });
  await r.send('big-1', scaled(5_000));
  await eventually(t, () => r.results.length > 0, { message: 'big-1 answered' });
  const [result] = r.results;
  t.truthy(result, 'the gateway got an answer');
  t.is(result?.status, 'success');
  t.true(result?.truncated);
  t.true(huge.startsWith(result?.output.split('\n[kubently: output truncated')[0] ?? '\u0000'));
  t.regex(result?.output ?? '', /\[kubently: output truncated at \d+ bytes; narrow it with [^\]]+\]\n$/);
  t.deepEqual(await r.settled(), { deliveries: 1, redelivered: 0 }, 'acked, not redelivered');
  t.deepEqual(r.executions, ['big-1']);
});

test('command loop - stop hands queued commands back instead of starting them', async (t) => {
  const r = await rig(t, 'stopq');
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const loop = await r.startLoop(
    {
      async execute(command) {
        r.executions.push(command.id);
        await released;
        return ok();
      },
    },
    1,
  );
  for (const id of ['q-1', 'q-2', 'q-3']) await r.send(id, 10_000);
  await eventually(t, () => r.executions.length > 0, { message: 'q-1 started' });
  t.deepEqual(r.executions, ['q-1']);
  const stopped = loop.stop(scaled(10_000));
  release();
  await stopped;
  // q-1 finished within the grace period: its answer is on its way to the gateway.
  await eventually(t, () => r.results.length > 0, { message: 'q-1 answered' });
  t.deepEqual(r.executions, ['q-1'], 'nothing new starts once stop() was called');
  t.deepEqual(
    r.results.map((x) => x.command_id),
    ['q-1'],
  );

  // Handed back at once (nak), not after the 30 s ack wait: a second replica runs them now.
  const second: string[] = [];
  await r.startLoop({
    async execute(command) {
      second.push(command.id);
      return ok();
    },
  });
  // A nak hands them back at once; the 30 s ack wait would outlast this deadline.
  await eventually(t, () => second.length >= 2, {
    timeoutMs: 10_000,
    message: 'the second loop ran q-2 and q-3',
  });
  t.deepEqual(second.sort(), ['q-2', 'q-3']);
});

test('command loop - commands waiting for a busy slot longer than the ack wait still run exactly once', async (t) => {
  const r = await rig(t, 'queued', SHORT_ACK_WAIT_MS);
  await r.startLoop(
    {
      async execute(command) {
        r.executions.push(command.id);
        // w-3 waits for two of these: longer than the ack wait in all.
        await sleep(0.6 * SHORT_ACK_WAIT_MS);
        return ok();
      },
    },
    1,
  );
  for (const id of ['w-1', 'w-2', 'w-3']) await r.send(id, 6 * SHORT_ACK_WAIT_MS);
  await eventually(t, () => r.results.length >= 3, { timeoutMs: 30_000, message: 'all three answered' });
  t.deepEqual(await r.settled(), { deliveries: 3, redelivered: 0 }, 'each delivered once');
  t.deepEqual([...r.executions].sort(), ['w-1', 'w-2', 'w-3'], 'each ran once');
  t.deepEqual(r.results.map((x) => x.command_id).sort(), ['w-1', 'w-2', 'w-3'], 'each answered once');
});

test('command loop - a command delivered again after it was answered is acknowledged, not run again', async (t) => {
  const r = await rig(t, 'again');
  await r.startLoop({
    async execute(command) {
      r.executions.push(command.id);
      return ok();
    },
  });
  await r.send('twice-1', scaled(5_000));
  await eventually(t, () => r.results.length > 0, { message: 'twice-1 answered' });
  // The same command reaching the agent a second time, as after an ack lost with a JetStream leader.
  await r.send('twice-1', scaled(5_000), 'twice-1-redelivered');
  await r.send('other-1', scaled(5_000));
  await eventually(t, () => r.results.length >= 2, { message: 'other-1 answered' });
  t.deepEqual(await r.settled(), { deliveries: 3, redelivered: 0 }, 'the second twice-1 was acked');
  t.deepEqual(r.executions, ['twice-1', 'other-1']);
  t.deepEqual(
    r.results.map((x) => x.command_id),
    ['twice-1', 'other-1'],
  );
});

test('command loop - a malformed or foreign command message is terminated: never run, never answered', async (t) => {
  const r = await rig(t, 'malformed');
  await r.startLoop({
    async execute(command) {
      r.executions.push(command.id);
      return ok();
    },
  });
  const good: CommandMessage = {
    v: WIRE_VERSION,
    id: 'good-1',
    cluster_id: 'malformed',
    argv: ['get', 'pods'],
    identity: 'test',
    session_id: null,
    deadline: Date.now() + 10_000,
  };
  const { deadline: _, ...noDeadline } = good;
  const attempts: Array<[name: string, payload: unknown]> = [
    ['not JSON', '{"v":1,'],
    ['an older gateway with the whole command', { ...good, id: 'old-1', command: { argv: ['get', 'pods'] } }],
    ['argv not strings', { ...good, id: 'bad-argv', argv: ['get', 7] }],
    ['argv not a list', { ...good, id: 'bad-argv-2', argv: 'get pods' }],
    ['no deadline', { ...noDeadline, id: 'no-deadline' }],
    ['a string deadline', { ...good, id: 'str-deadline', deadline: String(good.deadline) }],
    ['another wire version', { ...good, id: 'v2', v: 2 }],
    ['no identity', { ...good, id: 'no-identity', identity: '' }],
    ['another cluster in the payload', { ...good, id: 'foreign', cluster_id: 'other' }],
    ['a JSON array', [good]],
    ['null', null],
  ];
  for (const [name, payload] of attempts) {
    const data = typeof payload === 'string' ? new TextEncoder().encode(payload) : encodeJson(payload);
    await r.gatewayJs.publish(subjects.command('malformed'), data, { msgID: `attempt-${name}` });
  }
  await r.gatewayJs.publish(subjects.command('malformed'), encodeJson(good), { msgID: good.id });
  await eventually(t, () => r.results.length > 0, { message: 'good-1 answered' });
  // Terminated, not left pending for redelivery: the consumer has delivered everything and awaits no ack.
  t.deepEqual(await r.settled(), { deliveries: attempts.length + 1, redelivered: 0 });
  t.deepEqual(r.executions, ['good-1']);
  t.deepEqual(
    r.results.map((x) => x.command_id),
    ['good-1'],
  );
});
