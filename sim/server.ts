// The simulated kube-apiserver over plain HTTP (keep-alive), for kubectl, client-node, the dev
// stack and benchmarks. All answering happens in handler.ts, except the agent's self reviews (rbac.ts), the only
// requests with a body to read; this file adapts node:http.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultFixtures } from './fixtures.js';
import { createSimHandler, type SimHandler } from './handler.js';
import type { SimLive } from './live.js';
import { loadOpenApi } from './openapi.js';
import { DEFAULT_SIM_RBAC, MAX_REVIEW_BODY_BYTES, REVIEW_PATH, reviewSelf } from './rbac.js';
import { statusResponse } from './status.js';
import type { SimFixtures, SimResponse, SimStream } from './types.js';

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
  /** Changes while it runs (log lines, pod phases, objects); watches and followed logs hear of them at once. */
  live: SimLive;
  /** Watches and followed logs open now: one that outlives its client shows here. */
  readonly openStreams: number;
  /** Bytes of open streams written but not yet taken by their clients (a client that stopped reading). */
  readonly streamBacklog: number;
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
  const streaming = new Set<ServerResponse>();

  const server = createServer({ keepAlive: true }, (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && REVIEW_PATH.test(req.url ?? '')) {
      void answerReview(req, res);
      return;
    }
    // Other bodies are never read (every write is forbidden), but they must be drained for keep-alive.
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
    if (response.stream && req.method !== 'HEAD') {
      streaming.add(res);
      res.once('close', () => streaming.delete(res));
      serveStream(res, response.status, response.contentType, response.body, response.stream, live);
      return;
    }
    res.writeHead(response.status, {
      'content-type': response.contentType,
      'content-length': Buffer.byteLength(response.body),
      'cache-control': 'no-cache, private',
      'audit-id': String(requests),
    });
    res.end(req.method === 'HEAD' ? undefined : response.body);
  });
  /** The self reviews are the only requests whose body is read: bounded, then answered from fixtures.rbac. */
  async function answerReview(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    let response: SimResponse | undefined;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_REVIEW_BODY_BYTES) {
        response = statusResponse(413, 'RequestEntityTooLarge', 'the request body is too large', {});
        break;
      }
      chunks.push(chunk);
    }
    const kind = REVIEW_PATH.exec(req.url ?? '')?.[1] ?? '';
    response ??= reviewSelf(kind, Buffer.concat(chunks).toString('utf8'), fixtures.rbac ?? DEFAULT_SIM_RBAC);
    requests++;
    log.push({ method: 'POST', path: req.url ?? '', status: response.status });
    if (log.length > LOG_KEEP) log.splice(0, log.length - LOG_KEEP);
    res.writeHead(response.status, {
      'content-type': response.contentType,
      'content-length': Buffer.byteLength(response.body),
    });
    res.end(response.body);
  }
  const live = handler.live;
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
    live,
    get openStreams() {
      return live.openStreams;
    },
    get streamBacklog() {
      let bytes = 0;
      for (const res of streaming) bytes += res.writableLength;
      return bytes;
    },
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

/** A chunked response kept open: the body first, then what `stream` writes, until it ends or the client leaves. */
function serveStream(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  stream: SimStream,
  live: SimLive,
): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  if (body !== '') res.write(body);
  const closed = live.openStream();
  let stop: (() => void) | undefined;
  let ended = false;
  const finish = () => {
    if (ended) return;
    ended = true;
    stop?.();
    closed();
  };
  // 'close' on the response: the client went away, or the stream ended.
  res.once('close', finish);
  stop = stream(
    (chunk) => {
      if (!ended) res.write(chunk);
    },
    () => {
      finish();
      res.end();
    },
  );
  if (ended) stop();
}
