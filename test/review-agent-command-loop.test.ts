// The command loop's ack decisions against a real nats-server: a command runs once, is answered once,
// and is never acked without an answer the gateway can read.

import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import test, { type ExecutionContext } from 'ava';
import { type CommandLoop, startCommandLoop } from '../agent/command-loop.js';
import type { CommandExecutor, ExecutionOutcome } from '../agent/executor-types.js';
import { createRevalidator } from '../agent/revalidate.js';
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
import { connectAs, provision, randomToken, startNats } from './helpers/nats-server.js';

const log = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Rig {
  gateway: NatsConnection;
  gatewayJs: JetStreamClient;
  results: ResultMessage[];
  executions: string[];
  startLoop(executor: CommandExecutor, maxInFlight?: number): Promise<CommandLoop>;
  /** `msgID` defaults to the command id (what the gateway uses); another one simulates a redelivery. */
  send(id: string, timeoutMs: number, msgID?: string): Promise<void>;
}

async function rig(t: ExecutionContext, clusterId: string, ackWaitMs?: number): Promise<Rig> {
  const nats = await startNats(t, { agentTokens: { [clusterId]: randomToken() } });
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
  return {
    gateway,
    gatewayJs,
    results,
    executions,
    async startLoop(executor, maxInFlight = 4) {
      const nc = await connectAs(t, nats, { agent: clusterId });
      const loop = await startCommandLoop({
        nc,
        js: jetstream(nc),
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
  };
}

const ok = (output = 'ok'): ExecutionOutcome => ({
  status: 'success',
  output,
  error: null,
  truncated: false,
});

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(20);
}

test('command loop - a command running longer than the ack wait is not redelivered and run again', async (t) => {
  const r = await rig(t, 'slow', 600);
  await r.startLoop({
    async execute(command) {
      r.executions.push(command.id);
      await sleep(2_000);
      return ok();
    },
  });
  await r.send('long-1', 5_000);
  await until(() => r.results.length > 0, 4_000);
  await sleep(800);
  t.deepEqual(r.executions, ['long-1'], 'ran once');
  t.is(r.results.length, 1, 'answered once');
});

test('command loop - an output larger than the server max payload is answered truncated, once', async (t) => {
  const r = await rig(t, 'big', 1_500);
  const line = `${'x'.repeat(60)} "quoted" \\ tab\t\n`;
  const huge = line.repeat(Math.ceil((3 * 1024 * 1024) / line.length));
  await r.startLoop({
    async execute(command) {
      r.executions.push(command.id);
      return ok(huge);
    },
  });
  await r.send('big-1', 5_000);
  await until(() => r.results.length > 0, 3_000);
  const [result] = r.results;
  t.truthy(result, 'the gateway got an answer');
  t.is(result?.status, 'success');
  t.true(result?.truncated);
  t.true(huge.startsWith(result?.output.split('\n[kubently: output truncated')[0] ?? '\u0000'));
  t.regex(result?.output ?? '', /\[kubently: output truncated at \d+ bytes; narrow it with [^\]]+\]\n$/);
  await sleep(2_000);
  t.deepEqual(r.executions, ['big-1'], 'not redelivered after the ack wait');
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
  await until(() => r.executions.length > 0, 3_000);
  t.deepEqual(r.executions, ['q-1']);
  const stopped = loop.stop(2_000);
  await sleep(100);
  release();
  await stopped;
  // q-1 finished within the grace period: its answer is on its way to the gateway.
  await until(() => r.results.length > 0, 3_000);
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
  await until(() => second.length >= 2, 3_000);
  t.deepEqual(second.sort(), ['q-2', 'q-3']);
});

test('command loop - commands waiting for a busy slot longer than the ack wait still run exactly once', async (t) => {
  const r = await rig(t, 'queued', 600);
  await r.startLoop(
    {
      async execute(command) {
        r.executions.push(command.id);
        await sleep(1_500);
        return ok();
      },
    },
    1,
  );
  for (const id of ['w-1', 'w-2', 'w-3']) await r.send(id, 20_000);
  await until(() => r.results.length >= 3, 12_000);
  await sleep(1_500);
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
  await r.send('twice-1', 5_000);
  await until(() => r.results.length > 0, 3_000);
  // The same command reaching the agent a second time, as after an ack lost with a JetStream leader.
  await r.send('twice-1', 5_000, 'twice-1-redelivered');
  await r.send('other-1', 5_000);
  await until(() => r.results.length >= 2, 3_000);
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
  await until(() => r.results.length > 0, 5_000);
  t.deepEqual(r.executions, ['good-1']);
  t.deepEqual(
    r.results.map((x) => x.command_id),
    ['good-1'],
  );
  // Terminated, not left pending for redelivery: the consumer has delivered everything and awaits no ack.
  const admin = await jetstreamManager(r.gateway);
  const info = await admin.consumers.info(CMD_STREAM, agentConsumerName('malformed'));
  t.is(info.num_pending, 0);
  t.is(info.num_ack_pending, 0, `${info.num_ack_pending} awaiting an ack`);
  t.is(info.num_redelivered, 0);
});
