// The agent service stops announcing itself when its command loop ends on its own, so gateways do not
// keep routing commands to an agent that no longer takes them.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import test from 'ava';
import { createRevalidator } from '../agent/revalidate.js';
import { startAgentService } from '../agent/service.js';
import { createLogger } from '../common/logger.js';
import { PRESETS } from '../common/policy/index.js';
import { agentConsumerName, CMD_STREAM } from '../common/subjects.js';
import { createAgentTracker } from '../gateway/agent-tracker.js';
import { connectAs, provision, randomToken, startNats } from './helpers/nats-server.js';

const log = createLogger({ level: 'silent' });

/** The real agent service with an executor that answers at once, beating every 100 ms. */
function startInstantAgent(nc: NatsConnection, clusterId: string) {
  return startAgentService({
    nc,
    js: jetstream(nc),
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
  const nats = await startNats(t, { agentTokens: { [clusterId]: randomToken() } });
  await provision(t, nats, [clusterId]);
  const agentNc = await connectAs(t, nats, { agent: clusterId });
  const service = await startInstantAgent(agentNc, clusterId);
  t.teardown(() => service.stop(100));
  const gatewayNc = await connectAs(t, nats, 'gateway');
  const tracker = createAgentTracker({ nc: gatewayNc, log });
  t.teardown(() => tracker.close());
  const until = Date.now() + 3_000;
  while (!tracker.isConnected(clusterId) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  t.true(tracker.isConnected(clusterId));

  // The operator deletes the cluster's consumer (or the stream is re-created): nothing to pull from.
  const admin = await connectAs(t, nats, 'admin');
  await (await jetstreamManager(admin)).consumers.delete(CMD_STREAM, agentConsumerName(clusterId));

  const gone = Date.now() + 10_000;
  while (tracker.isConnected(clusterId) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
  t.false(tracker.isConnected(clusterId), 'no heartbeat keeps the cluster looking connected');

  // Provisioning runs again: the agent picks its consumer up without a restart.
  await provision(t, nats, [clusterId]);
  const back = Date.now() + 15_000;
  while (!tracker.isConnected(clusterId) && Date.now() < back) await new Promise((r) => setTimeout(r, 50));
  t.true(tracker.isConnected(clusterId), 'heartbeats resume once the consumer is back');
});

test('agent service - a command loop that ends with its connection settles `ended` and stops the heartbeats', async (t) => {
  const clusterId = 'closing';
  const nats = await startNats(t, { agentTokens: { [clusterId]: randomToken() } });
  await provision(t, nats, [clusterId]);
  const agentNc = await connectAs(t, nats, { agent: clusterId });
  const service = await startInstantAgent(agentNc, clusterId);
  await agentNc.close();
  const outcome = await Promise.race([
    service.ended.then(() => 'ended'),
    new Promise((r) => setTimeout(() => r('still running'), 5_000)),
  ]);
  t.is(outcome, 'ended');
});
