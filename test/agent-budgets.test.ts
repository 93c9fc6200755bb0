// The budgets one command draws on (response size, apiserver requests, bytes held, the agent-wide pool),
// the streaming List printers they rely on, and the bound on deliveries of a command that never finished.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import test from 'ava';
import { BudgetExceededError, MemoryPool } from '../agent/budget.js';
import { startCommandLoop } from '../agent/command-loop.js';
import { createExecutor, type ExecutorDeps } from '../agent/executor.js';
import { createKubeClient, type KubeClient } from '../agent/kube-client.js';
import { jsonListPrinter, printJson } from '../agent/printers/json.js';
import { printYaml, YamlReaderError, yamlListPrinter } from '../agent/printers/yaml.js';
import { createRevalidator } from '../agent/revalidate.js';
import { parseCommandRequest } from '../common/command/parse.js';
import type { Command } from '../common/command/types.js';
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
import { eventually } from '../harness/eventually.js';
import { connectAs, provision, startNats } from '../harness/nats-server.js';
import { startSim } from '../harness/sim.js';
import { fixtureClock } from '../sim/fixture-builders.js';
import { defaultFixtures } from '../sim/fixtures.js';
import { addGeneratedNamespace } from '../sim/fixtures-generated.js';

const log = createLogger({ level: 'silent' });
const NARROW = /narrow it with -l, --field-selector or --limit/;

function command(line: string, id = 'c-1'): Command {
  return parseCommandRequest(
    { command: line },
    { id, clusterId: 'c', identity: 'i', sessionId: null, timeoutMs: 60_000 },
  );
}

async function bigSim(t: Parameters<typeof startSim>[0], pods = 2_000) {
  const now = Date.now();
  const fixtures = defaultFixtures(now);
  addGeneratedNamespace(fixtures, fixtureClock(now), 'big', pods);
  const sim = await startSim(t, { fixtures, clock: () => now });
  const kube = await createKubeClient({
    server: sim.url,
    tls: {},
    authHeaders: async () => ({}),
    describe: () => 'sim',
  } as unknown as Parameters<typeof createKubeClient>[0]);
  t.teardown(() => kube.close());
  return { sim, kube };
}

function executor(kube: KubeClient, deps: Partial<ExecutorDeps> = {}) {
  return createExecutor({ kube, log, limits: { maxOutputBytes: 1 << 20 }, ...deps });
}

/** The printed text, or the error a printer refuses with (a Service whose annotations go-yaml's reader refuses). */
function printed(print: () => string): string {
  try {
    return print();
  } catch (err) {
    if (err instanceof YamlReaderError) return err.message;
    throw err;
  }
}

test('budgets - the streamed List printers give exactly what printing the whole List gives', (t) => {
  const fixtures = defaultFixtures(Date.now());
  for (const [resource, objects] of Object.entries(fixtures.objects)) {
    for (const items of [objects, objects.slice(0, 1), []]) {
      const list = { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
      for (const [whole, printer] of [
        [printed(() => printYaml(list)), yamlListPrinter()],
        [printed(() => printJson(list)), jsonListPrinter()],
      ] as const) {
        const pieces = printed(() => items.map((item) => printer.item(item)).join('') + printer.end());
        t.is(pieces, whole, `${resource} (${items.length} items)`);
      }
    }
  }
});

test('budgets - the sim pages a generated namespace like the apiserver and serves its pods by name', async (t) => {
  const { sim } = await bigSim(t, 1_203);
  let names: string[] = [];
  let cont = '';
  do {
    const page = JSON.parse(
      sim.handler.handle('GET', `/api/v1/namespaces/big/pods?limit=500${cont ? `&continue=${cont}` : ''}`)
        .body,
    );
    names = names.concat(page.items.map((p: { metadata: { name: string } }) => p.metadata.name));
    cont = page.metadata.continue ?? '';
  } while (cont);
  t.is(names.length, 1_203);
  t.is(new Set(names).size, 1_203);
  t.deepEqual([...names].sort(), names, 'in name order');
  t.is(sim.handler.handle('GET', '/api/v1/namespaces/big/pods/load-1202').status, 200);
  t.is(sim.handler.handle('GET', '/api/v1/namespaces/big/pods/load-1203').status, 404);
  const selected = JSON.parse(
    sim.handler.handle('GET', '/api/v1/namespaces/big/pods?labelSelector=shard%3Dshard-3').body,
  );
  t.true(
    selected.items.length > 0 &&
      selected.items.every(
        (p: { metadata: { labels: Record<string, string> } }) => p.metadata.labels.shard === 'shard-3',
      ),
  );
});

test('budgets - a response over the per-response cap fails with a hint and is not read whole', async (t) => {
  const { kube } = await bigSim(t);
  const result = await executor(kube, {
    budget: { maxResponseBytes: 64 * 1024, maxRequests: 1_000, maxHeldBytes: 1 << 30 },
  }).execute(command('get pods -n big -o json'), AbortSignal.timeout(30_000));
  t.is(result.status, 'failure');
  t.regex(result.error ?? '', /larger than the 64 KiB the agent reads per response/);
  t.regex(result.error ?? '', NARROW);
});

test('budgets - describe stops at the request budget and answers what it described, marked truncated', async (t) => {
  const { sim, kube } = await bigSim(t);
  const before = sim.requests;
  const result = await executor(kube, {
    budget: { maxResponseBytes: 16 << 20, maxRequests: 60, maxHeldBytes: 1 << 30 },
  }).execute(command('describe pods -n big'), AbortSignal.timeout(30_000));
  t.is(result.status, 'success', result.error ?? '');
  t.true(result.truncated);
  t.true(sim.requests - before <= 60, `${sim.requests - before} requests`);
  t.regex(result.output, /^Name:\s+load-0000\n/);
  t.regex(
    result.output,
    /\[kubently: output truncated: the command needs more than 60 apiserver requests[^\]]*narrow it/,
  );
});

test('budgets - listing stops at the output limit instead of reading every page', async (t) => {
  const { sim, kube } = await bigSim(t);
  const before = sim.requests;
  const result = await executor(kube, { limits: { maxOutputBytes: 200_000 } }).execute(
    command('get pods -n big -o yaml'),
    AbortSignal.timeout(30_000),
  );
  t.is(result.status, 'success');
  t.true(result.truncated);
  t.true(Buffer.byteLength(result.output) <= 200_000);
  t.is(sim.requests - before, 1, 'one page of 500 pods is more than the limit');
  t.regex(result.output, NARROW);
});

test('budgets - --limit pages in chunks and returns that many objects', async (t) => {
  const { sim, kube } = await bigSim(t);
  const before = sim.requests;
  const result = await executor(kube).execute(
    command('get pods -n big -o name --limit 1200'),
    AbortSignal.timeout(30_000),
  );
  t.is(result.status, 'success');
  t.is(result.output.trimEnd().split('\n').length, 1_200);
  t.is(sim.requests - before, 3, 'pages of at most 500');
  t.true(
    sim.log.slice(-3).every((r) => /limit=(500|200)\b/.test(r.path)),
    sim.log
      .slice(-3)
      .map((r) => r.path)
      .join(' '),
  );
});

test('budgets - commands in flight share one memory budget; a command over it fails clearly and gives it back', async (t) => {
  const { kube } = await bigSim(t);
  const pool = new MemoryPool(3 << 20);
  const ex = executor(kube, { pool });
  const sorted = await ex.execute(
    command('get pods -n big -o name --sort-by=.metadata.name'),
    AbortSignal.timeout(30_000),
  );
  t.is(sorted.status, 'failure');
  t.regex(sorted.error ?? '', /the agent is holding its limit of 3 MiB of apiserver data/);
  t.is(pool.used, 0, 'everything given back when the command ended');
  const small = await ex.execute(command('get pods -n default'), AbortSignal.timeout(30_000));
  t.is(small.status, 'success');
  t.is(pool.used, 0);
});

test('budgets - a lease refuses what would pass its own cap or the pool', (t) => {
  const pool = new MemoryPool(100);
  const a = pool.lease(80);
  const b = pool.lease(80);
  a.take(60);
  t.throws(() => a.take(30), { instanceOf: BudgetExceededError, message: /one command may hold/ });
  t.throws(() => b.take(50), { instanceOf: BudgetExceededError, message: /commands in flight/ });
  b.take(40);
  a.close();
  b.take(40);
  t.is(pool.used, 80);
  b.close();
  t.is(pool.used, 0);
});

test('command loop - a command delivered again after earlier deliveries never finished is answered as a failure, not run', async (t) => {
  const clusterId = 'crashy';
  const nats = await startNats(t, { clusters: [clusterId] });
  await provision(t, nats, [clusterId]);
  const gateway = await connectAs(t, nats, 'gateway');
  const results: ResultMessage[] = [];
  const sub = gateway.subscribe(subjects.resultsOf(clusterId), {
    callback: (_err, msg) => {
      results.push(decodeJson<ResultMessage>(msg.data));
    },
  });
  t.teardown(() => sub.unsubscribe());
  const id = 'crashed-twice';
  const message: CommandMessage = {
    v: WIRE_VERSION,
    id,
    cluster_id: clusterId,
    argv: ['get', 'pods', '-n', 'big', '-o', 'yaml'],
    identity: 'test',
    session_id: null,
    deadline: Date.now() + 30_000,
  };
  await jetstream(gateway).publish(subjects.command(clusterId), encodeJson(message), { msgID: id });

  // Two agents took it and died without answering: JetStream hands it out again after each ack wait.
  const admin = await connectAs(t, nats, 'admin');
  const jsm = await jetstreamManager(admin);
  await jsm.consumers.update(CMD_STREAM, agentConsumerName(clusterId), { ack_wait: nanos(1_000) });
  const consumer = await jetstream(admin).consumers.get(CMD_STREAM, agentConsumerName(clusterId));
  for (let delivery = 1; delivery <= 2; delivery++) {
    const msg = await consumer.next({ expires: 10_000 });
    t.is(msg?.info.deliveryCount, delivery);
  }

  const executions: string[] = [];
  const nc = await connectAs(t, nats, { agent: clusterId });
  const loop = await startCommandLoop({
    nc,
    // The agent's account reaches its consumer only through the imported API prefix.
    js: importedJetStream(nc),
    log,
    clusterId,
    agentId: 'a',
    executor: {
      async execute(cmd) {
        executions.push(cmd.id);
        return { status: 'success', output: 'ok', error: null, truncated: false };
      },
    },
    revalidate: createRevalidator(() => PRESETS.readOnly),
    maxInFlight: 2,
  });
  t.teardown(() => loop.stop(100));
  // Answered and acknowledged: nothing is left for the consumer to deliver.
  await eventually(
    t,
    async () =>
      results.length > 0 &&
      (await jsm.consumers.info(CMD_STREAM, agentConsumerName(clusterId))).num_ack_pending === 0,
    { message: 'the command was answered and acknowledged' },
  );
  t.deepEqual(executions, [], 'not run a third time');
  t.is(results.length, 1);
  t.is(results[0]?.status, 'failure');
  t.regex(results[0]?.error ?? '', /delivered 3 times and no earlier delivery finished/);
});
