// Forged heartbeats (issue 14): a holder of one cluster's agent credential publishes what it likes on that
// cluster's heartbeat subject. Before, 300 one-megabyte beats with new agent ids and `interval_ms: 1e15` grew the
// gateway by 340 MB and kept the cluster "connected" forever. Now nothing of that is kept.

import test from 'ava';
import { subjects } from '../common/subjects.js';
import { encodeJson, type HeartbeatMessage, MAX_HEARTBEAT_BYTES, WIRE_VERSION } from '../common/wire.js';
import { MAX_AGENTS_PER_CLUSTER } from '../gateway/agent-tracker.js';
import { eventually } from '../harness/eventually.js';
import { startGatewayStack } from '../harness/gateway.js';
import { connectAs } from '../harness/nats-server.js';

const beat = (agentId: string, extra: Partial<Record<keyof HeartbeatMessage, unknown>> = {}) => ({
  v: WIRE_VERSION,
  cluster_id: 'c1',
  agent_id: agentId,
  version: 'forged',
  policy_preset: 'readOnly',
  in_flight: 0,
  started_at: new Date().toISOString(),
  sent_at: new Date().toISOString(),
  interval_ms: 1_000,
  ...extra,
});

test('heartbeats - oversized, out-of-bounds and surplus beats are not kept, and forged ids expire', async (t) => {
  let clock = Date.now();
  const stack = await startGatewayStack(t, { agents: {}, redis: false, trackerNow: () => clock });
  const forger = await connectAs(t, stack.server, { agent: 'c1' });
  const big = 'x'.repeat(1_000_000);

  // 1. Megabyte beats with a fresh id each and an interval that never ends; 2. small ones with bad fields.
  for (let i = 0; i < 10; i++)
    forger.publish(
      subjects.heartbeat('c1'),
      encodeJson(beat(`big-${i}`, { version: big, interval_ms: 1e15 })),
    );
  for (const bad of [
    { interval_ms: 1e15 },
    { interval_ms: 10 },
    { in_flight: -1 },
    { agent_id: '../../etc' },
    { cluster_id: 'c2' },
    { extra_field: 'x' },
    { version: 'v'.repeat(65) },
  ]) {
    forger.publish(subjects.heartbeat('c1'), encodeJson(beat('bad', bad)));
  }
  forger.publish(subjects.heartbeat('c1'), `{"pad":"${'y'.repeat(MAX_HEARTBEAT_BYTES)}"}`);
  // 3. More well-formed agents than a cluster may have, then one marker beat to know all were processed.
  for (let i = 0; i < 3 * MAX_AGENTS_PER_CLUSTER; i++)
    forger.publish(subjects.heartbeat('c1'), encodeJson(beat(`ghost-${i}`)));
  // The first ghost beats again: the last message, so once it is seen every earlier one was handled.
  forger.publish(subjects.heartbeat('c1'), encodeJson(beat('ghost-0', { in_flight: 7 })));
  await forger.flush();
  await eventually(t, () => stack.tracker.cluster('c1').agents.some((a) => a.inFlight === 7), {
    message: 'the expected heartbeat or record arrived',
    timeoutMs: 30_000,
  });

  const kept = stack.tracker.cluster('c1').agents;
  t.true(kept.length <= MAX_AGENTS_PER_CLUSTER, `${kept.length} agents kept`);
  t.false(kept.some((a) => a.agentId.startsWith('big-') || a.agentId === 'bad'));
  t.true(kept.every((a) => a.version.length <= 64));

  // The other ghosts beat once: once their beat is older than 3 intervals they are forgotten, and the cluster
  // is no longer connected (ghost-0, the newest and the only one that beat twice, keeps last_seen).
  clock += 3_001;
  t.false(stack.tracker.isConnected('c1'));
  const after = stack.tracker.cluster('c1');
  t.deepEqual(
    after.agents.map((a) => a.agentId),
    ['ghost-0'],
  );
  t.false(after.connected);
  const res = await stack.app.inject({ method: 'GET', url: '/admin/agents', headers: stack.as('admin') });
  t.is(res.statusCode, 200);
  t.true(res.body.length < 4_096, `GET /admin/agents answered ${res.body.length} bytes`);
});

test('heartbeats - an agent that keeps beating stays listed and connected; one that beat once is forgotten', async (t) => {
  let clock = Date.now();
  const stack = await startGatewayStack(t, { agents: {}, redis: false, trackerNow: () => clock });
  const agent = await connectAs(t, stack.server, { agent: 'c1' });
  const send = async (id: string, inFlight: number) => {
    agent.publish(subjects.heartbeat('c1'), encodeJson(beat(id, { in_flight: inFlight })));
    await agent.flush();
    await eventually(t, () => stack.tracker.cluster('c1').agents.some((a) => a.inFlight === inFlight), {
      message: 'the expected heartbeat or record arrived',
      timeoutMs: 30_000,
    });
  };
  await send('real', 1);
  await send('one-off', 2);
  clock += 2_000;
  await send('real', 3);
  clock += 1_500;
  // 'one-off' is 3.5 s old with a 1 s interval and beat once: gone. 'real' beat 1.5 s ago: connected.
  t.deepEqual(
    stack.tracker.cluster('c1').agents.map((a) => [a.agentId, a.connected]),
    [['real', true]],
  );
  t.true(stack.tracker.isConnected('c1'));
});
