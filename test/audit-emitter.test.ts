import { join } from 'node:path';
import test from 'ava';
import { Registry } from 'prom-client';
import { createAuditEmitter } from '../common/audit/emitter.js';
import { KubentlyError } from '../common/errors.js';
import { readLines, startAuditBus, startConsumer, tempDir } from '../harness/audit.js';
import { eventually, type WaitContext } from '../harness/eventually.js';
import { quietLog } from '../harness/log.js';
import type { SpawnedNats } from '../scripts/lib/nats-server.js';

/** Stops the server's process but keeps its config and store, so restart() brings the same server back. */
async function takeDown(t: WaitContext, server: SpawnedNats): Promise<void> {
  const pid = server.pid()!;
  process.kill(pid, 'SIGTERM');
  await eventually(
    t,
    () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    { message: `nats-server ${pid} exited after SIGTERM` },
  );
}

async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

test('emitter - buffers while the server is down and flushes in order once it is back', async (t) => {
  const { server, js } = await startAuditBus(t, true);
  const registry = new Registry();
  const emitter = createAuditEmitter({
    js,
    log: quietLog(),
    publishTimeoutMs: 300,
    retryMaxMs: 200,
    registry,
  });
  t.teardown(() => emitter.close());
  await emitter.emit({ event_type: 'session_creation', details: { i: 0 } });

  await takeDown(t, server);
  for (let i = 1; i <= 5; i++) await emitter.emit({ event_type: 'command_attempt', details: { i } });
  t.is(emitter.buffered, 5);
  t.is(await metricValue(registry, 'kubently_audit_buffered_events'), 5);

  await server.restart();
  await eventually(t, () => emitter.buffered === 0, {
    timeoutMs: 15_000,
    message: 'the emitter flushed its buffer to the restarted server',
  });
  t.is(await metricValue(registry, 'kubently_audit_buffered_events'), 0);

  const path = join(await tempDir(t), 'audit.log');
  await startConsumer(t, server, { path });
  // A marker sent after the flush: once it is written, any duplicate of a retried event (stored before it)
  // has been written too.
  await emitter.emit({ event_type: 'session_creation', details: { i: 'marker' } });
  await eventually(t, async () => (await readLines(path)).some((l) => l.details.i === 'marker'), {
    message: 'the marker sent after the flush was written',
  });
  const lines = await readLines(path);
  t.deepEqual(
    lines.map((l) => l.details.i),
    [0, 1, 2, 3, 4, 5, 'marker'],
    'each buffered event once (message ids deduplicate retries after a lost ack)',
  );
  t.is(await metricValue(registry, 'kubently_audit_events_dropped_total'), 0);
});

test('emitter - record() rejects with audit_unavailable when the server is away', async (t) => {
  const { server, js } = await startAuditBus(t, true);
  const emitter = createAuditEmitter({ js, log: quietLog(), publishTimeoutMs: 200, retryMaxMs: 100 });
  t.teardown(() => emitter.close());
  await emitter.record({ event_type: 'command_attempt' });
  await server.stop();
  const err = await t.throwsAsync(
    emitter.record({ event_type: 'command_attempt', details: { refused: true } }),
  );
  t.true(err instanceof KubentlyError);
  t.is((err as KubentlyError).code, 'audit_unavailable');
  t.is((err as KubentlyError).statusCode, 503);
  t.is(emitter.buffered, 1, 'the refused attempt is still recorded once the bus is back');
});

test('emitter - drops and counts what does not fit in the buffer, never the secret', async (t) => {
  const { server, js } = await startAuditBus(t, true);
  const registry = new Registry();
  const lines: string[] = [];
  const { createLogger } = await import('../common/logger.js');
  const log = createLogger({ level: 'warn', destination: { write: (l: string) => lines.push(l) } });
  const emitter = createAuditEmitter({ js, log, publishTimeoutMs: 200, maxBuffered: 3, registry });
  t.teardown(() => emitter.close());
  await server.stop();
  for (let i = 0; i < 5; i++) {
    await emitter.emit({
      event_type: 'authentication_failure',
      api_key_prefix: 'sk-12...',
      details: { key: 'sk-123456789' },
    });
  }
  t.is(emitter.buffered, 3);
  t.is(await metricValue(registry, 'kubently_audit_events_dropped_total'), 2);
  const dropped = lines.map((l) => JSON.parse(l)).filter((r) => r.msg === 'audit event dropped');
  t.is(dropped.length, 2);
  t.like(dropped[0], { event_type: 'authentication_failure', reason: 'buffer full' });
  t.false(lines.join('').includes('sk-123456789'));
});
