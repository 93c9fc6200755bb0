// An agent killed in the middle of a command: the command is not lost. JetStream redelivers it after the
// ack wait to the cluster's other replica, which answers the waiting gateway.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import test from 'ava';
import { parseCommandRequest } from '../common/command/parse.js';
import { createLogger } from '../common/logger.js';
import { agentConsumerName, CMD_STREAM } from '../common/subjects.js';
import { createRelay } from '../gateway/relay.js';
import { eventually } from '../harness/eventually.js';
import { connectAs, provision, startNats } from '../harness/nats-server.js';
import { type ServiceProcess, startServiceProcess } from '../harness/service-process.js';

// Long enough that replica a is killed before JetStream would hand the command to it a second time,
// even on a loaded machine; short enough to keep the test quick (production: 30 s, common/provision.ts).
const ACK_WAIT_MS = 4_000;

test('faults - an agent killed mid-command: the other replica gets it redelivered and answers', async (t) => {
  const clusterId = 'redeliver';
  const nats = await startNats(t, { clusters: [clusterId] });
  const token = nats.agentCreds[clusterId]!;
  await provision(t, nats, [clusterId]);
  const admin = await connectAs(t, nats, 'admin');
  await (await jetstreamManager(admin)).consumers.update(CMD_STREAM, agentConsumerName(clusterId), {
    ack_wait: nanos(ACK_WAIT_MS),
  });

  const dir = await mkdtemp(join(tmpdir(), 'kubently-redeliver-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const record = join(dir, 'executions');
  const agent = (id: string, delayMs: number): ServiceProcess => {
    const p = startServiceProcess(
      `agent-${id}`,
      'bench/agent-process.ts',
      {
        NATS_URL: nats.url,
        CLUSTER_ID: clusterId,
        AGENT_TOKEN: token,
        AGENT_ID: id,
        HEARTBEAT_INTERVAL_MS: '500',
        LOG_LEVEL: 'info',
      },
      ['--executor', 'instant', '--record', record, '--delay-ms', String(delayMs)],
    );
    t.teardown(() => p.stop('SIGKILL'));
    return p;
  };

  const gateway = await connectAs(t, nats, 'gateway');
  const relay = createRelay({ nc: gateway, js: jetstream(gateway), log: createLogger({ level: 'silent' }) });
  t.teardown(() => relay.close());

  // Replica a takes the command and hangs in it; nothing else is running yet.
  const a = agent('a', 60_000);
  await a.waitForLine(/agent ready/);
  const command = parseCommandRequest(
    { command: 'get pods' },
    { id: 'cmd-redelivered', clusterId, identity: 'test', sessionId: null, timeoutMs: 20_000 },
  );
  const answer = relay.send(command);
  const executions = async () =>
    (await readFile(record, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  await eventually(t, async () => (await executions()).includes('cmd-redelivered a'), {
    message: 'replica a started the command',
  });
  t.deepEqual(await executions(), ['cmd-redelivered a'], 'replica a started the command');

  // Killed without a chance to ack or answer; replica b comes up.
  await a.stop('SIGKILL');
  const b = agent('b', 0);
  await b.waitForLine(/agent ready/);

  const result = await answer;
  t.is(result.status, 'success');
  t.is(result.command_id, 'cmd-redelivered');
  t.is(result.agent_id, 'b', 'the surviving replica answered');
  const runs = await executions();
  t.is(runs.filter((r) => r === 'cmd-redelivered b').length, 1, 'b ran it once after a died');
  t.true(
    runs.every((r) => r === 'cmd-redelivered a' || r === 'cmd-redelivered b'),
    runs.join(', '),
  );
});
