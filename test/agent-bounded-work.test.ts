// One read-only command must not take the agent down. Against a namespace of 20,000 pods, a real agent
// process answers -o yaml, -o json, the table and describe within their deadlines, cut at the output
// limit with a hint, keeps its resident memory under 256 MB, and answers the next command.

import { jetstream } from '@nats-io/jetstream';
import test from 'ava';
import { parseCommandRequest } from '../common/command/parse.js';
import { createLogger } from '../common/logger.js';
import { createRelay } from '../gateway/relay.js';
import { connectAs, provision, startNats } from '../harness/nats-server.js';
import { startServiceProcess } from '../harness/service-process.js';
import { startSim, writeKubeconfig } from '../harness/sim.js';
import { fixtureClock } from '../sim/fixture-builders.js';
import { defaultFixtures } from '../sim/fixtures.js';
import { addGeneratedNamespace } from '../sim/fixtures-generated.js';

const MIB = 1024 * 1024;
/** The design's bound for the agent against a namespace of 20,000 pods. */
const MAX_AGENT_RSS_BYTES = 256 * MIB;

test('bounded work - an agent answers every verb over 20,000 pods within 256 MB and stays responsive', async (t) => {
  t.timeout(240_000);
  const now = Date.now();
  const fixtures = defaultFixtures(now);
  addGeneratedNamespace(fixtures, fixtureClock(now), 'big', 20_000);
  const sim = await startSim(t, { fixtures, clock: () => now });
  const kubeconfig = await writeKubeconfig(t, sim.url);

  const clusterId = 'huge';
  const nats = await startNats(t, { clusters: [clusterId] });
  const token = nats.agentCreds[clusterId]!;
  await provision(t, nats, [clusterId]);
  const agent = startServiceProcess(
    'agent',
    'bench/agent-process.ts',
    {
      NATS_URL: nats.url,
      CLUSTER_ID: clusterId,
      AGENT_TOKEN: token,
      AGENT_ID: 'a',
      KUBECONFIG: kubeconfig,
      LOG_LEVEL: 'info',
    },
    ['--executor', 'kube'],
    // NODE_OPTIONS of the agent Deployment (k8s/base/agent/deployment.yaml).
    ['--max-semi-space-size=8', '--max-old-space-size=128'],
  );
  t.teardown(() => agent.stop('SIGKILL'));
  await agent.waitForLine(/agent ready/, 60_000);

  const gateway = await connectAs(t, nats, 'gateway');
  const relay = createRelay({ nc: gateway, js: jetstream(gateway), log: createLogger({ level: 'silent' }) });
  t.teardown(() => relay.close());
  let n = 0;
  const run = (line: string) =>
    relay.send(
      parseCommandRequest(
        { command: line },
        { id: `big-${n++}`, clusterId, identity: 'test', sessionId: null, timeoutMs: 110_000 },
      ),
    );

  for (const line of [
    'get pods -n big -o yaml',
    'get pods -n big -o json',
    'get pods -n big',
    'describe pods -n big',
    'get pods -n big -o name --sort-by=.metadata.name',
  ]) {
    const result = await run(line);
    t.log(
      `${line}: ${result.status}, ${result.output.length} chars, truncated ${result.truncated}, peak ${(agent.peakRssBytes() / MIB).toFixed(0)} MiB`,
    );
    if (line.includes('--sort-by')) {
      // Sorting needs every object at once: more than one command may hold, so it is refused with a hint.
      t.is(result.status, 'failure', line);
      t.regex(result.error ?? '', /narrow it with -l, --field-selector or --limit/);
      continue;
    }
    t.is(result.status, 'success', `${line}: ${result.error}`);
    t.true(result.truncated, `${line} is cut`);
    t.regex(
      result.output,
      /\n\[kubently: output truncated[^\n]*narrow it with -l, --field-selector or --limit\]\n$/,
    );
  }

  const peak = agent.peakRssBytes();
  t.log(`agent peak RSS ${(peak / MIB).toFixed(1)} MiB`);
  t.true(peak <= MAX_AGENT_RSS_BYTES, `agent peak RSS ${(peak / MIB).toFixed(1)} MiB`);

  // Still alive and answering.
  const next = await run('get pods -n default');
  t.is(next.status, 'success');
  t.regex(next.output, /^NAME\s+READY/);
});
