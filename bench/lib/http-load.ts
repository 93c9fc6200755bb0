// HTTP measurements against the gateway: one keep-alive client for sequential latency, autocannon for
// concurrent load. Latency percentiles come from every response's own time (autocannon's histogram
// rounds to whole milliseconds, too coarse for a sub-millisecond path).

import http from 'node:http';
import autocannon from 'autocannon';
import { type LatencySummary, summarize, timeSequential } from './stats.js';

export interface JsonPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadRun {
  latency: LatencySummary;
  throughput: number;
  durationSeconds: number;
  requests: number;
  /** Non-2xx answers by status code. */
  non2xx: Record<string, number>;
  /** Connection errors and timeouts (no answer at all). */
  errors: number;
  timeouts: number;
}

export async function sequentialPosts(
  target: JsonPost,
  count: number,
  warmup: number,
): Promise<LatencySummary> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(target.url);
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...target.headers, 'content-length': Buffer.byteLength(target.body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200)
              reject(
                new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`),
              );
            else resolve();
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(target.body);
    });
  try {
    return summarize(await timeSequential(post, count, warmup));
  } finally {
    agent.destroy();
  }
}

export interface LoadOptions {
  connections: number;
  /** Seconds; or `amount` requests in total. */
  duration?: number;
  amount?: number;
  /** Called once per second while the load runs (RSS sampling). */
  onTick?: (elapsedSeconds: number) => void;
}

export async function loadPosts(target: JsonPost, options: LoadOptions): Promise<LoadRun> {
  const latencies: number[] = [];
  const non2xx: Record<string, number> = {};
  // Without a callback autocannon returns its instance (an event emitter) made thenable; the types show only the promise.
  const instance = autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: target.body,
    connections: options.connections,
    pipelining: 1,
    timeout: 30,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 10 }),
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else non2xx[statusCode] = (non2xx[statusCode] ?? 0) + 1;
  });
  const started = performance.now();
  const ticker = options.onTick
    ? setInterval(() => options.onTick?.((performance.now() - started) / 1000), 1000)
    : undefined;
  const result = await instance;
  if (ticker) clearInterval(ticker);
  const durationSeconds = (performance.now() - started) / 1000;
  return {
    latency: summarize(latencies),
    throughput: latencies.length / durationSeconds,
    durationSeconds,
    requests: result.requests.total,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
