// The audit service process: reads config, connects, starts the service (audit/service.ts) and its HTTP
// endpoint (audit/http-server.ts), and shuts down in order on SIGTERM or when a sink fails.

import { collectDefaultMetrics, Registry } from 'prom-client';
import { createLogger } from '../common/logger.js';
import { connectNats } from '../common/nats-connect.js';
import { natsCredentials } from '../common/nats-options.js';
import { AUDIT_INBOX_PREFIX } from '../common/subjects.js';
import { readAuditConfig } from './config.js';
import { startAuditHttpServer } from './http-server.js';
import { startAuditService } from './service.js';

async function main(): Promise<void> {
  const config = readAuditConfig(process.env);
  // stdout may carry the audit lines themselves: the service's own log goes to stderr.
  const log = createLogger({ level: config.logLevel, name: 'kubently-audit', destination: process.stderr });

  const nc = await connectNats({
    servers: config.nats.servers,
    name: 'kubently-audit',
    creds: natsCredentials(config.nats),
    tls: config.nats.tls,
    inboxPrefix: AUDIT_INBOX_PREFIX,
    log,
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const service = await startAuditService({ config, log, nc, registry });

  let healthy = true;
  const http = await startAuditHttpServer({
    registry,
    healthy: () => healthy && !nc.isClosed(),
    log,
    host: config.metricsHost,
    port: config.metricsPort,
  });
  log.info({ port: http.port, file: config.logFile, stdout: config.stdout }, 'audit service ready');

  let shuttingDown: Promise<void> | undefined;
  function shutdown(code: number): Promise<void> {
    shuttingDown ??= (async () => {
      healthy = false;
      log.info('audit service stopping');
      await service.stop();
      await http.close();
      await nc.drain();
      process.exitCode = code;
    })();
    return shuttingDown;
  }
  service.consumer.closed().catch((err: unknown) => {
    log.fatal({ err }, 'audit sink failed; exiting so that a restart resumes from the file');
    void shutdown(1);
  });
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));
}

main().catch((err: unknown) => {
  // Start-up errors are configuration or connection problems: one clear line, no stack trace.
  process.stderr.write(`kubently audit: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
