// A plain HTTP listener for Prometheus on its own port, apart from the API: the Ingress routes only the API
// port, so cluster names, denial counts and auth-failure counts are never public, and a scrape never costs
// the API's event loop a route lookup, an auth hook or a rate-limit check.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

export interface MetricsServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  registry: Registry;
  host: string;
  /** 0 binds an ephemeral port (tests). */
  port: number;
  log: Logger;
}

/**
 * Serves `GET /metrics` (the registry's text exposition) and answers 404 to anything else.
 * Resolves once listening; rejects when the port cannot be bound (EADDRINUSE), like `app.listen`.
 */
export async function startMetricsServer({
  registry,
  host,
  port,
  log,
}: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => {
        log.error({ err }, 'metrics collection failed');
        res.writeHead(500).end();
      },
    );
  });
  // A scrape is a short request: idle or slow connections are not kept around.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
