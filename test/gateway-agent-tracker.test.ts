// The gateway's view of agents, from their heartbeats on a real nats-server.

import test from 'ava';
import { createLogger } from '../common/logger.js';
import { subjects } from '../common/subjects.js';
import { encodeJson, type HeartbeatMessage, WIRE_VERSION } from '../common/wire.js';
import { createAgentTracker } from '../gateway/agent-tracker.js';
import { connectAs, startNats } from '../harness/nats-server.js';

const beat = (clusterId: string, agentId: string): HeartbeatMessage => ({
  v: WIRE_VERSION,
  cluster_id: clusterId,
  agent_id: agentId,
  version: 'test',
  policy_preset: 'readOnly',
  in_flight: 0,
  started_at: new Date(0).toISOString(),
  sent_at: new Date(0).toISOString(),
  interval_ms: 1_000,
});

test('agent tracker - connected while beats arrive; replaced agents are forgotten but the cluster keeps its last_seen', async (t) => {
  const nats = await startNats(t, { clusters: ['east', 'west'] });
  let clock = 1_000_000;
  const gateway = await connectAs(t, nats, 'gateway');
  const tracker = createAgentTracker({
    nc: gateway,
    log: createLogger({ level: 'silent' }),
    forgetAfterMs: 60_000,
    now: () => clock,
  });
  t.teardown(() => tracker.close());
  const east = await connectAs(t, nats, { agent: 'east' });
  const west = await connectAs(t, nats, { agent: 'west' });

  // Twice: an agent id seen only once is forgotten as soon as its beat expires.
  east.publish(subjects.heartbeat('east'), encodeJson(beat('east', 'pod-1')));
  east.publish(subjects.heartbeat('east'), encodeJson(beat('east', 'pod-1')));
  // A heartbeat that claims another cluster than its subject is ignored (permissions bind the subject).
  west.publish(subjects.heartbeat('west'), encodeJson(beat('east', 'impostor')));
  await east.flush();
  await west.flush();
  await gateway.flush();
  t.true(tracker.isConnected('east'));
  t.false(tracker.isConnected('west'));
  t.deepEqual(
    tracker.cluster('east').agents.map((a) => a.agentId),
    ['pod-1'],
  );

  clock += 3_001; // three missed beats
  t.false(tracker.isConnected('east'));
  t.is(tracker.cluster('east').lastSeen, 1_000_000);

  // A rollout replaces the pod; the old one is forgotten once it has been silent long enough.
  east.publish(subjects.heartbeat('east'), encodeJson(beat('east', 'pod-2')));
  await east.flush();
  await gateway.flush();
  t.deepEqual(
    tracker
      .cluster('east')
      .agents.map((a) => a.agentId)
      .sort(),
    ['pod-1', 'pod-2'],
  );
  clock += 60_001;
  t.deepEqual(
    tracker.cluster('east').agents.map((a) => a.agentId),
    ['pod-2'],
    'pod-1 forgotten',
  );
  clock += 600_000;
  const status = tracker.cluster('east');
  t.deepEqual(
    status.agents.map((a) => a.agentId),
    ['pod-2'],
    'the newest agent stays for last_seen',
  );
  t.false(status.connected);
  t.is(status.lastSeen, 1_003_001);
});
