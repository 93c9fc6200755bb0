// The whole path in one process: relay (gateway side) → JetStream → agent command loop → executor →
// simulated kube-apiserver → result, checked against real kubectl's output for the same cluster.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import test, { type ExecutionContext } from 'ava';
import { createExecutor } from '../agent/executor.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import { createRevalidator } from '../agent/revalidate.js';
import { startAgentService } from '../agent/service.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { importedJetStream } from '../common/imported-jetstream.js';
import { createLogger } from '../common/logger.js';
import { type Policy, PRESETS } from '../common/policy/index.js';
import { createAgentTracker } from '../gateway/agent-tracker.js';
import { createRelay } from '../gateway/relay.js';
import { eventually, scaled } from '../harness/eventually.js';
import { normalizeAges } from '../harness/kubectl.js';
import { connectAs, provision, startNats } from '../harness/nats-server.js';
import { startSim, writeKubeconfig } from '../harness/sim.js';

const run = promisify(execFile);
const log = createLogger({ level: 'silent' });

interface PathOptions {
  clusterId: string;
  /** The policy the agent enforces on its own. */
  agentPolicy: Policy;
}

/** NATS (provisioned), the simulated cluster, a real agent in process and the gateway's relay. */
async function startPath(t: ExecutionContext, { clusterId, agentPolicy }: PathOptions) {
  const nats = await startNats(t, { clusters: [clusterId] });
  await provision(t, nats, [clusterId]);
  const sim = await startSim(t);
  const kubeconfig = await writeKubeconfig(t, sim.url);
  const agentNc = await connectAs(t, nats, { agent: clusterId });
  const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath: kubeconfig }));
  t.teardown(() => kube.close());
  const agent = await startAgentService({
    nc: agentNc,
    js: importedJetStream(agentNc),
    log,
    clusterId,
    agentId: 'agent-0',
    executor: createExecutor({ kube, log, limits: { maxOutputBytes: 1 << 20 } }),
    revalidate: createRevalidator(() => agentPolicy),
    policyPreset: () => agentPolicy.preset ?? 'custom',
    maxInFlight: 8,
    heartbeatIntervalMs: 200,
  });
  t.teardown(() => agent.stop(1_000));
  const gatewayNc = await connectAs(t, nats, 'gateway');
  const tracker = createAgentTracker({ nc: gatewayNc, log });
  t.teardown(() => tracker.close());
  const relay = createRelay({ nc: gatewayNc, js: jetstream(gatewayNc), log });
  t.teardown(() => relay.close());
  return { sim, kubeconfig, tracker, relay };
}

test('e2e - get pods travels relay → JetStream → agent → apiserver and prints what kubectl prints', async (t) => {
  const clusterId = 'e2e';
  const { kubeconfig, tracker, relay } = await startPath(t, { clusterId, agentPolicy: PRESETS.readOnly });

  await eventually(t, () => tracker.isConnected(clusterId), {
    message: 'the agent heartbeat reached the gateway side',
  });

  // Cells like "7 (4m1s ago)" follow the clock: when a second boundary falls between the two calls, ask again.
  let attempt = 0;
  let result: Awaited<ReturnType<typeof relay.send>>;
  let kubectl: { stdout: string };
  do {
    attempt++;
    const command = parseCommandRequest(
      { command_type: 'get', args: ['pods'], namespace: 'default' },
      { id: `cmd-e2e-1-${attempt}`, clusterId, identity: 'test', sessionId: null, timeoutMs: 10_000 },
    );
    [result, kubectl] = await Promise.all([
      relay.send(command),
      run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-n', 'default']),
    ]);
  } while (result.output !== kubectl.stdout && attempt < 3);

  t.is(result.status, 'success');
  t.is(result.command_id, `cmd-e2e-1-${attempt}`);
  t.is(result.cluster_id, clusterId);
  if (result.output === kubectl.stdout) t.is(result.output, kubectl.stdout);
  else {
    t.log('a second boundary fell between the outputs on every attempt; ages compared normalized');
    t.is(normalizeAges(result.output), normalizeAges(kubectl.stdout));
  }
  t.regex(result.output, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
  t.regex(result.output, /api-6b8f9d5c7-x7k2p\s+0\/1\s+CrashLoopBackOff/);
});

test('e2e - a command the agent policy forbids comes back denied even when the gateway let it through', async (t) => {
  const clusterId = 'e2e-deny';
  // The cluster owner's stricter policy: no logs.
  const { sim, relay } = await startPath(t, { clusterId, agentPolicy: PRESETS.strict });

  const command = parseCommandRequest(
    { command: 'logs web-7c5ddbdf54-2xkqp -n default' },
    { id: 'cmd-e2e-2', clusterId, identity: 'test', sessionId: null, timeoutMs: 10_000 },
  );
  t.true(
    [...(PRESETS.readOnly.verbs as ReadonlySet<string>)].includes('logs'),
    'the gateway-side preset allows logs',
  );
  const result = await relay.send(command);
  t.is(result.status, 'denied');
  t.is(result.output, '');
  t.regex(result.error ?? '', /logs/);
  t.is(sim.log.filter((r) => r.path.includes('/log')).length, 0, 'the apiserver was never asked for logs');
});

test('e2e - the relay answers timeout when no agent takes the command', async (t) => {
  const clusterId = 'e2e-silent';
  const nats = await startNats(t, { clusters: [clusterId] });
  await provision(t, nats, [clusterId]);
  const gatewayNc = await connectAs(t, nats, 'gateway');
  const relay = createRelay({ nc: gatewayNc, js: jetstream(gatewayNc), log });
  t.teardown(() => relay.close());
  const command = parseCommandRequest(
    { command: 'get pods' },
    // Long enough for the JetStream publish ack on a busy machine (the publish waits at most this long too).
    { id: 'cmd-e2e-3', clusterId, identity: 'test', sessionId: null, timeoutMs: scaled(3_000) },
  );
  const err = await t.throwsAsync(relay.send(command));
  t.is((err as { code?: string }).code, 'timeout');
  t.is(relay.inFlight, 0);
});
