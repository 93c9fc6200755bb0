// The audit service's HTTP endpoint: GET /metrics (Prometheus text) and GET /healthz, nothing else.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../common/logger.js';

export interface AuditHttpOptions {
  registry: Registry;
  /** False once the service is stopping or its NATS connection is gone: /healthz answers 503. */
  healthy: () => boolean;
  log: Logger;
  host: string;
  port: number;
}

export interface AuditHttpServer {
  /** The port it listens on (the configured one, or the one the system chose for 0). */
  port: number;
  close(): Promise<void>;
}

function handleAuditHttp(options: Omit<AuditHttpOptions, 'host' | 'port'>): Server {
  const { registry, healthy, log } = options;
  return createServer((req, res) => {
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
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok }));
      return;
    }
    res.writeHead(404).end();
  });
}

/** Listens on `host:port`; rejects when the port cannot be bound. */
export async function startAuditHttpServer(options: AuditHttpOptions): Promise<AuditHttpServer> {
  const server = handleAuditHttp(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
