import { join } from 'node:path';
import test from 'ava';
import type { Registry } from 'prom-client';
import { createAuditEmitter } from '../common/audit/emitter.js';
import { createOperatorSetup } from '../common/nats-auth/setup.js';
import { DEFAULT_AUDIT_MAX_BYTES } from '../common/provision.js';
import { readLines, startAuditBus, startConsumer, tempDir, written } from '../harness/audit.js';
import { eventually } from '../harness/eventually.js';
import { quietLog } from '../harness/log.js';
import { connectAs } from '../harness/nats-server.js';

async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const values = (await registry.getMetricsAsJSON()).flatMap((m) =>
    m.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? m.name })),
  );
  const match = values.find(
    (v) => v.name === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return match?.value;
}

test('metrics - move with the records the consumer writes', async (t) => {
  const { server, js } = await startAuditBus(t);
  const emitter = createAuditEmitter({ js, log: quietLog() });
  const path = join(await tempDir(t), 'audit.log');
  const ts = '2024-01-20T10:30:45.000Z';
  const events = [
    { event_type: 'authentication_failure', details: { reason: 'invalid_api_key' } },
    { event_type: 'authentication_failure', details: { reason: 'missing_api_key' } },
    { event_type: 'unauthorized_command_attempt', cluster_id: 'c1', details: { rule: 'secret_forbidden' } },
    { event_type: 'rate_limit_exceeded' },
    { event_type: 'session_creation', cluster_id: 'c1' },
    {
      event_type: 'command_executed',
      cluster_id: 'c1',
      details: { verb: 'get', status: 'success', execution_time_ms: 40 },
    },
    {
      event_type: 'command_executed',
      cluster_id: 'c1',
      details: { verb: 'get', status: 'failure', execution_time_ms: 3000 },
    },
    {
      event_type: 'command_executed',
      cluster_id: 'c1',
      details: { verb: 'Robert"); DROP', status: 'success' },
    },
    {
      event_type: 'agent_connection_failure',
      cluster_id: 'c2',
      details: { kind: 'auth_error' },
      timestamp: ts,
    },
  ] as const;
  for (const e of events) await emitter.record(e);
  const { consumer, registry } = await startConsumer(t, server, { path });
  await written(t, consumer, events.length);

  t.is(await value(registry, 'kubently_auth_failures_total'), 2);
  t.is(await value(registry, 'kubently_unauthorized_commands_total', { cluster_id: 'c1' }), 1);
  t.is(await value(registry, 'kubently_rate_limited_total'), 1);
  t.is(await value(registry, 'kubently_sessions_created_total'), 1);
  t.is(await value(registry, 'kubently_commands_total', { verb: 'get', outcome: 'success' }), 1);
  t.is(await value(registry, 'kubently_commands_total', { verb: 'get', outcome: 'failure' }), 1);
  t.is(
    await value(registry, 'kubently_commands_total', { verb: 'unknown', outcome: 'success' }),
    1,
    'odd label values are folded',
  );
  t.is(
    await value(registry, 'kubently_command_duration_seconds_count', { cluster_id: 'c1', verb: 'get' }),
    2,
  );
  t.is(
    await value(registry, 'kubently_command_duration_seconds_sum', { cluster_id: 'c1', verb: 'get' }),
    3.04,
  );
  t.is(await value(registry, 'kubently_agent_connection_failures_total', { cluster_id: 'c2' }), 1);
  t.is(await value(registry, 'kubently_audit_events_total', { event_type: 'command_executed' }), 3);
  t.is(await value(registry, 'kubently_audit_last_event_timestamp_seconds'), Date.parse(ts) / 1000);
  t.is(await value(registry, 'kubently_audit_consumer_lag'), 0);
  // Read through the audit identity's own import of the stream's info: the cap the alert divides by.
  t.is(await value(registry, 'kubently_audit_stream_max_bytes'), DEFAULT_AUDIT_MAX_BYTES);
  t.true(((await value(registry, 'kubently_audit_stream_bytes')) ?? 0) > 0);
  t.is((await readLines(path)).length, events.length);
});

test('agent watch - a disconnect and a foreign credential become agent_connection_failure records', async (t) => {
  const { server } = await startAuditBus(t, false, ['edge']);
  const foreign = await createOperatorSetup({ clusters: ['edge'] });
  // The service as main.ts starts it: the audit identity reads the $SYS events and records them itself.
  const path = join(await tempDir(t), 'audit.log');
  const { consumer, registry } = await startConsumer(t, server, { path }, { watchAgents: true });

  const agent = await connectAs(t, server, { agent: 'edge' });
  await eventually(
    t,
    async () => (await value(registry, 'kubently_agent_connected', { cluster_id: 'edge' })) === 1,
    { message: 'kubently_agent_connected{cluster_id="edge"} is 1' },
  );
  await agent.close();
  await eventually(
    t,
    async () => (await value(registry, 'kubently_agent_connected', { cluster_id: 'edge' })) === 0,
    { message: 'kubently_agent_connected{cluster_id="edge"} is back to 0' },
  );
  await t.throwsAsync(connectAs(t, server, { agent: 'edge' }, { creds: foreign.agentCreds.edge }));

  await written(t, consumer, 2);
  const lines = await readLines(path);
  t.deepEqual(
    lines.map((l) => [l.event_type, l.cluster_id, l.details.kind]),
    [
      ['agent_connection_failure', 'edge', 'disconnect'],
      ['agent_connection_failure', 'unknown', 'auth_error'],
    ],
  );
  t.is(lines[0]!.details.reason, 'Client Closed');
  t.false(JSON.stringify(lines).includes(foreign.agentCreds.edge!.split('\n')[1]!), 'no JWT in the record');
});
