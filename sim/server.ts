// The simulated kube-apiserver over plain HTTP (keep-alive), for kubectl, client-node, the dev
// stack and benchmarks. All answering happens in handler.ts; this file only adapts node:http.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultFixtures } from './fixtures.js';
import { createSimHandler, type SimHandler } from './handler.js';
import { loadOpenApi } from './openapi.js';
import type { SimFixtures } from './types.js';

export interface SimApiserverOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  fixtures?: SimFixtures;
  /** Milliseconds since the epoch; fixtures' timestamps are relative to its value at start. */
  clock?: () => number;
}

export interface SimRequestLog {
  method: string;
  path: string;
  status: number;
}

export interface SimApiserver {
  url: string;
  port: number;
  /** The mutable fixture state; call `handler.invalidate()` after editing it. */
  fixtures: SimFixtures;
  handler: SimHandler;
  /** Requests answered since start (the last 1000 are kept in `log`). */
  readonly requests: number;
  readonly log: readonly SimRequestLog[];
  close(): Promise<void>;
}

const LOG_KEEP = 1000;

export async function startSimApiserver(options: SimApiserverOptions = {}): Promise<SimApiserver> {
  const clock = options.clock ?? Date.now;
  const fixtures = options.fixtures ?? defaultFixtures(clock());
  const openapi = await loadOpenApi();
  const handler = createSimHandler({ fixtures, clock, openapi });
  let requests = 0;
  const log: SimRequestLog[] = [];

  const server = createServer({ keepAlive: true }, (req: IncomingMessage, res: ServerResponse) => {
    // Bodies are never read (every write is forbidden), but they must be drained for keep-alive.
    req.resume();
    let response: ReturnType<SimHandler['handle']>;
    try {
      response = handler.handle(req.method ?? 'GET', req.url ?? '/', req.headers);
    } catch (err) {
      response = { status: 500, contentType: 'text/plain', body: `sim: ${(err as Error).message}` };
    }
    requests++;
    log.push({ method: req.method ?? 'GET', path: req.url ?? '/', status: response.status });
    if (log.length > LOG_KEEP) log.splice(0, log.length - LOG_KEEP);
    res.writeHead(response.status, {
      'content-type': response.contentType,
      'content-length': Buffer.byteLength(response.body),
      'cache-control': 'no-cache, private',
      'audit-id': String(requests),
    });
    res.end(req.method === 'HEAD' ? undefined : response.body);
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    fixtures,
    handler,
    get requests() {
      return requests;
    },
    log,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
