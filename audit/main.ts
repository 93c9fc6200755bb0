// The audit service: reads config, connects, wires consumer, sinks, metrics and the agent watch, serves
// /metrics and /healthz, and shuts down in order on SIGTERM.

import { createServer } from 'node:http';
import { jetstream } from '@nats-io/jetstream';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createAuditEmitter } from '../common/audit/emitter.js';
import { createLogger } from '../common/logger.js';
import { connectNats } from '../common/nats-connect.js';
import { natsPassword } from '../common/nats-options.js';
import { AUDIT_INBOX_PREFIX } from '../common/subjects.js';
import { watchAgents } from './agent-watch.js';
import { readAuditConfig } from './config.js';
import { createAuditConsumer } from './consumer.js';
import { EMPTY_CHAIN } from './hash-chain.js';
import { createAuditMetrics } from './metrics.js';
import { openFileSink } from './sinks/file-sink.js';
import { createStreamSink } from './sinks/stream-sink.js';
import type { AuditSink } from './sinks/types.js';

async function main(): Promise<void> {
  const config = readAuditConfig(process.env);
  // stdout may carry the audit lines themselves: the service's own log goes to stderr.
  const log = createLogger({ level: config.logLevel, name: 'kubently-audit', destination: process.stderr });

  const nc = await connectNats({
    servers: config.nats.servers,
    name: 'kubently-audit',
    user: config.nats.user,
    pass: natsPassword(config.nats),
    tls: config.nats.tls,
    inboxPrefix: AUDIT_INBOX_PREFIX,
    log,
  });
  const js = jetstream(nc);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const fileSink = config.logFile
    ? await openFileSink({
        path: config.logFile,
        maxFileBytes: config.maxFileBytes,
        keepFiles: config.keepFiles,
        fsync: config.fsync,
      })
    : undefined;
  const sinks: AuditSink[] = [
    ...(fileSink ? [fileSink] : []),
    ...(config.stdout ? [createStreamSink(process.stdout)] : []),
  ];

  let consumerRef: ReturnType<typeof createAuditConsumer> | undefined;
  const metrics = createAuditMetrics({
    registry,
    consumerLag: async () => (await consumerRef!.consumerInfo()).numPending,
  });
  const consumer = createAuditConsumer({
    nc,
    js,
    sinks,
    chain: fileSink?.recovered ?? EMPTY_CHAIN,
    log: log.child({ component: 'consumer' }),
    metrics,
    batchSize: config.batchSize,
  });
  consumerRef = consumer;
  const emitter = createAuditEmitter({ js, log, registry });
  const watch = config.watchAgents
    ? watchAgents({
        nc,
        emitter,
        metrics,
        log: log.child({ component: 'agent-watch' }),
        heartbeats: config.watchHeartbeats,
      })
    : undefined;

  let healthy = true;
  const http = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: unknown) => {
          log.error({ err }, 'metrics collection failed');
          res.writeHead(500).end();
        },
      );
      return;
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      const ok = healthy && !nc.isClosed();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok }));
      return;
    }
    res.writeHead(404).end();
  });

  let shuttingDown: Promise<void> | undefined;
  function shutdown(code: number): Promise<void> {
    shuttingDown ??= (async () => {
      healthy = false;
      log.info('audit service stopping');
      watch?.stop();
      await consumer.stop();
      await emitter.close();
      for (const sink of sinks) await sink.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await nc.drain();
      process.exitCode = code;
    })();
    return shuttingDown;
  }

  await consumer.start();
  await watch?.ready;
  consumer.closed().catch((err: unknown) => {
    log.fatal({ err }, 'audit sink failed; exiting so that a restart resumes from the file');
    void shutdown(1);
  });
  http.listen(config.metricsPort, config.metricsHost, () => {
    log.info(
      { port: config.metricsPort, file: config.logFile, stdout: config.stdout },
      'audit service ready',
    );
  });
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));
}

main().catch((err: unknown) => {
  // Start-up errors are configuration or connection problems: one clear line, no stack trace.
  process.stderr.write(`kubently audit: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
