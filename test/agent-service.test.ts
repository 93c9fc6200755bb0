// The agent service stops announcing itself when its command loop ends on its own, so gateways do not
// keep routing commands to an agent that no longer takes them.

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import test from 'ava';
import { createRevalidator } from '../agent/revalidate.js';
import { startAgentService } from '../agent/service.js';
import { importedJetStream } from '../common/imported-jetstream.js';
import { createLogger } from '../common/logger.js';
import { PRESETS } from '../common/policy/index.js';
import { agentConsumerName, CMD_STREAM } from '../common/subjects.js';
import { createAgentTracker } from '../gateway/agent-tracker.js';
import { eventually } from '../harness/eventually.js';
import { connectAs, provision, startNats } from '../harness/nats-server.js';

const log = createLogger({ level: 'silent' });

/** The real agent service with an executor that answers at once, beating every 100 ms. */
function startInstantAgent(nc: NatsConnection, clusterId: string) {
  return startAgentService({
    nc,
    js: importedJetStream(nc),
    log,
    clusterId,
    agentId: 'a',
    executor: { execute: async () => ({ status: 'success', output: '', error: null, truncated: false }) },
    revalidate: createRevalidator(() => PRESETS.readOnly),
    policyPreset: () => 'readOnly',
    maxInFlight: 4,
    heartbeatIntervalMs: 100,
  });
}

test('agent service - without its consumer the agent stops announcing itself, and resumes when it is back', async (t) => {
  const clusterId = 'ending';
  const nats = await startNats(t, { clusters: [clusterId] });
  await provision(t, nats, [clusterId]);
  const agentNc = await connectAs(t, nats, { agent: clusterId });
  const service = await startInstantAgent(agentNc, clusterId);
  t.teardown(() => service.stop(100));
  const gatewayNc = await connectAs(t, nats, 'gateway');
  const tracker = createAgentTracker({ nc: gatewayNc, log });
  t.teardown(() => tracker.close());
  await eventually(t, () => tracker.isConnected(clusterId), { message: 'the agent announced itself' });

  // The operator deletes the cluster's consumer (or the stream is re-created): nothing to pull from.
  const admin = await connectAs(t, nats, 'admin');
  await (await jetstreamManager(admin)).consumers.delete(CMD_STREAM, agentConsumerName(clusterId));

  await eventually(t, () => !tracker.isConnected(clusterId), {
    message: 'no heartbeat keeps the cluster looking connected',
  });

  // Provisioning runs again: the agent picks its consumer up without a restart.
  await provision(t, nats, [clusterId]);
  await eventually(t, () => tracker.isConnected(clusterId), {
    timeoutMs: 15_000,
    message: 'heartbeats resume once the consumer is back',
  });
  t.true(tracker.isConnected(clusterId), 'heartbeats resume once the consumer is back');
});

test('agent service - a command loop that ends with its connection settles `ended` and stops the heartbeats', async (t) => {
  const clusterId = 'closing';
  const nats = await startNats(t, { clusters: [clusterId] });
  await provision(t, nats, [clusterId]);
  const agentNc = await connectAs(t, nats, { agent: clusterId });
  const service = await startInstantAgent(agentNc, clusterId);
  await agentNc.close();
  let ended = false;
  void service.ended.then(() => {
    ended = true;
  });
  await eventually(t, () => ended, { message: 'the service settled `ended` after its connection closed' });
  t.pass();
});
