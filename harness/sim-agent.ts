// A real agent (command loop, executor, its own policy check) serving one cluster of a test's NATS server
// against the simulated kube-apiserver, reaching its consumer through the imported API prefix as every agent
// account does. Torn down with `t`.

import type { ExecutionContext } from 'ava';
import { createExecutor } from '../agent/executor.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import { createRevalidator } from '../agent/revalidate.js';
import { startAgentService } from '../agent/service.js';
import { importedJetStream } from '../common/imported-jetstream.js';
import { type Policy, PRESETS, policyForCluster } from '../common/policy/index.js';
import type { SpawnedNats } from '../scripts/lib/nats-server.js';
import { scaled } from './eventually.js';
import { quietLog } from './log.js';
import { connectAs } from './nats-server.js';
import { startSim, writeKubeconfig } from './sim.js';

export interface SimAgent {
  /** The kubeconfig of the simulated apiserver the agent reads: real kubectl gives the expected output. */
  kubeconfig: string;
}

/** Starts the simulated cluster and a real agent for `clusterId`; `policy` is the agent's own (readOnly). */
export async function startSimAgent(
  t: ExecutionContext,
  server: SpawnedNats,
  clusterId: string,
  policy: Policy = PRESETS.readOnly,
): Promise<SimAgent> {
  const log = quietLog();
  const sim = await startSim(t);
  const kubeconfig = await writeKubeconfig(t, sim.url);
  const nc = await connectAs(t, server, { agent: clusterId });
  const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath: kubeconfig }));
  t.teardown(() => kube.close());
  const { limits } = policyForCluster(policy, clusterId);
  const agent = await startAgentService({
    nc,
    js: importedJetStream(nc),
    log,
    clusterId,
    agentId: `agent-${clusterId}`,
    executor: createExecutor({
      kube,
      log,
      limits: {
        maxOutputBytes: limits.maxOutputBytes,
        defaultLogTail: limits.logTailDefault,
        maxLogTail: limits.logTailMax,
      },
    }),
    revalidate: createRevalidator(() => policy),
    policyPreset: () => policy.preset ?? 'custom',
    maxInFlight: 8,
    // Beats promised far apart: a test process starved of CPU for seconds keeps its agent connected.
    heartbeatIntervalMs: scaled(10_000),
  });
  t.teardown(() => agent.stop(1_000));
  return { kubeconfig };
}
