// A 3-node NATS cluster with the command and audit streams at 3 replicas loses one node under load: no
// command is lost or executed twice, every request gets its result or a clear 503/504, and the audit
// stream holds exactly one command_executed record per answered command.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import test from 'ava';
import { AGENT_ACK_WAIT_MS } from '../common/provision.js';
import { ADMIN_INBOX_PREFIX, AUDIT_STREAM, agentConsumerName, CMD_STREAM } from '../common/subjects.js';
import { eventually, scaled, type WaitContext } from '../harness/eventually.js';
import { provisionCluster, startNatsCluster } from '../harness/nats-cluster.js';
import { credsAuth } from '../harness/nats-server.js';
import { FAULT_API_KEY, FAULT_CLUSTER, startProcessStack } from '../harness/process-stack.js';

const CLUSTER = FAULT_CLUSTER;
const API_KEY = FAULT_API_KEY;
const CLIENTS = 8;
/** Answered requests the load must reach before the node stops, and outcomes after it. */
const REQUESTS_EACH_SIDE = CLIENTS * 5;
const REQUEST_TIMEOUT_MS = scaled(30_000);
const RECOVERY_MS = 45_000;

interface Outcome {
  at: number;
  status: number;
  commandId?: string;
  error?: string;
}

test('nats cluster - stopping a node under load loses no command, runs none twice, and audits each answered one once', async (t) => {
  t.timeout(scaled(170_000));
  const cluster = await startNatsCluster(t, { clusters: [CLUSTER] });
  await provisionCluster(t, cluster, { clusters: [CLUSTER] });
  const dir = await mkdtemp(join(tmpdir(), 'kubently-fault-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const record = join(dir, 'executed.log');
  const natsUrl = cluster.urls.join(',');

  const { base, metricsBase } = await startProcessStack(t, {
    natsUrl: natsUrl,
    gatewayCreds: cluster.creds.gateway,
    agentToken: cluster.agentCreds[CLUSTER]!,
    agentArgs: ['--executor', 'instant', '--record', record],
  });

  // The node that leads the command stream is the one whose loss hurts most.
  const admin = await connect({
    servers: cluster.urls,
    authenticator: credsAuth(cluster.creds.admin),
    inboxPrefix: ADMIN_INBOX_PREFIX,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 200,
  });
  t.teardown(() => admin.close());
  const jsm = await jetstreamManager(admin);
  const leaderName = (await jsm.streams.info(CMD_STREAM)).cluster?.leader;
  const victim = Math.max(
    0,
    cluster.nodes.findIndex((n) => n.name === leaderName),
  );

  const outcomes: Outcome[] = [];
  const send = async (): Promise<Omit<Outcome, 'at'>> => {
    try {
      const res = await fetch(`${base}/debug/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ cluster_id: CLUSTER, command: 'get pods', timeout_seconds: 10 }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = (await res.json()) as {
        command_id?: string;
        status?: string;
        error?: string;
        message?: string;
      };
      return {
        status: res.status,
        commandId: body.command_id,
        error: res.status === 200 ? undefined : `${body.error}: ${body.message}`,
      };
    } catch (err) {
      return { status: 0, error: (err as Error).message };
    }
  };
  let loading = true;
  const load = Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (loading) {
        const outcome = { ...(await send()), at: Date.now() };
        outcomes.push(outcome);
        // Like a real client told 503: pause before retrying instead of hammering a recovering bus.
        if (outcome.status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
    }),
  );
  const answeredSoFar = () => outcomes.filter((o) => o.status === 200).length;
  await eventually(t, () => answeredSoFar() >= REQUESTS_EACH_SIDE, {
    timeoutMs: 60_000,
    message: `${REQUESTS_EACH_SIDE} commands answered before the stop`,
  });
  await cluster.stopNode(victim, true);
  const stoppedAt = Date.now();
  const stoppedAfter = outcomes.length;
  await eventually(t, () => outcomes.length >= stoppedAfter + REQUESTS_EACH_SIDE, {
    timeoutMs: 60_000,
    message: `${REQUESTS_EACH_SIDE} more requests sent (and answered or refused) after the stop`,
  });
  loading = false;
  await load;

  const byStatus: Record<string, number> = {};
  for (const o of outcomes) byStatus[o.error ?? o.status] = (byStatus[o.error ?? o.status] ?? 0) + 1;
  const firstAfter = outcomes.find((o) => o.at > stoppedAt && o.status === 200);
  const lastFailure = outcomes.filter((o) => o.status !== 200).at(-1);
  t.log(
    `stopped ${cluster.nodes[victim]!.name} (stream leader ${leaderName}) after ${stoppedAfter} requests; answers: ${JSON.stringify(byStatus)}`,
  );
  t.log(
    `first answer ${firstAfter ? firstAfter.at - stoppedAt : 'never'} ms after the stop; last failure ${lastFailure ? lastFailure.at - stoppedAt : '-'} ms after it`,
  );
  t.deepEqual(
    outcomes.filter((o) => ![200, 503, 504].includes(o.status)),
    [],
    'every request got its result or a clear 503/504',
  );
  const answered = outcomes.filter((o) => o.status === 200).map((o) => o.commandId!);
  t.true(answered.length > CLIENTS * 5, 'the load ran on both sides of the failure');
  // The service must come back by itself with two of three nodes: commands are answered again.
  const recovered = await eventually(
    t,
    async () => {
      const o = { ...(await send()), at: Date.now() };
      outcomes.push(o);
      if (o.status !== 200) return undefined;
      const probes = await Promise.all(Array.from({ length: 5 }, send));
      outcomes.push(...probes.map((p) => ({ ...p, at: Date.now() })));
      return probes.every((p) => p.status === 200) ? o : undefined;
    },
    {
      timeoutMs: RECOVERY_MS,
      intervalMs: 200,
      message: `commands are answered steadily within ${RECOVERY_MS / 1000} s after the load`,
    },
  );
  t.log(`steady again ${recovered.at - stoppedAt} ms after the stop`);

  // Executions: every command delivered and acked, so no redelivery can still come and hide — each
  // command id at most once, each answered one exactly once.
  await eventually(
    t,
    async () => {
      const info = await jsm.consumers.info(CMD_STREAM, agentConsumerName(CLUSTER));
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    // A delivery whose ack died with the stopped node is redelivered only after the ack wait.
    {
      message: 'the agent consumer has nothing pending or unacked',
      timeoutMs: scaled(AGENT_ACK_WAIT_MS + 30_000),
    },
  );
  const executed = (await readFile(record, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.split(' ')[0]!);
  const counts = new Map<string, number>();
  for (const id of executed) counts.set(id, (counts.get(id) ?? 0) + 1);
  t.deepEqual(
    [...counts].filter(([, n]) => n > 1),
    [],
    'no command executed twice',
  );
  t.deepEqual(
    answered.filter((id) => counts.get(id) !== 1),
    [],
    'every answered command executed exactly once',
  );

  // Audit: one command_executed record per answered command, read back from the replicated stream.
  // command_executed is emitted after the answer; what the outage held in the gateway's bounded buffer
  // is flushed once the stream has a leader again. Wait until the gateway reports its buffer empty.
  const buffered = async () => {
    const text = await fetch(`${metricsBase}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    const m = /^kubently_audit_buffered_events (\d+)/m.exec(text);
    return m ? Number(m[1]) : Number.NaN;
  };
  const drainStarted = Date.now();
  await eventually(t, async () => (await buffered()) === 0, {
    timeoutMs: 30_000,
    intervalMs: 250,
    message: 'the gateway flushed every buffered audit event',
  });
  t.log(`audit buffer drained ${Date.now() - drainStarted} ms after the load`);
  const audited = new Map<string, number>();
  // The cluster may still be settling after the stop (meta leader, consumer placement): retry the reads.
  const consumer = await retry(t, () => jetstream(admin).consumers.get(AUDIT_STREAM));
  const total = (await retry(t, () => jsm.streams.info(AUDIT_STREAM))).state.messages;
  const messages = await consumer.fetch({ max_messages: total, expires: 5_000 });
  for await (const m of messages) {
    const rec = m.json<{ event_type: string; command_id: string | null }>();
    if (rec.event_type === 'command_executed' && rec.command_id)
      audited.set(rec.command_id, (audited.get(rec.command_id) ?? 0) + 1);
    if (m.info.pending === 0) break;
  }
  t.deepEqual(
    answered.filter((id) => audited.get(id) !== 1),
    [],
    'each answered command has exactly one command_executed record',
  );
  t.deepEqual(
    [...audited].filter(([, n]) => n > 1),
    [],
    'no duplicated audit record',
  );
});

/** `fn`'s value once it stops throwing (the cluster settling after the stop). */
function retry<T>(t: WaitContext, fn: () => Promise<T>): Promise<NonNullable<T>> {
  return eventually(t, fn, { intervalMs: 1_000, message: 'the cluster answers JetStream requests again' });
}
