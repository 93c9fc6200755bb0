// POST /debug/execute through the real gateway stack (nats-server, Redis, a test agent that answers at
// once from the real consumer): sequential latency via inject and via HTTP, then throughput with 64
// concurrent clients. Run: npx tsx bench/gateway.ts [requests=2000]

import autocannon from 'autocannon';
import { NO_RATE_LIMIT } from '../gateway/config.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';
import { standInContext } from '../harness/stand-in-context.js';

const N = Number(process.argv[2] ?? 2_000);
const { t, runTeardowns } = standInContext();

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { p50: at(50).toFixed(3), p99: at(99).toFixed(3), max: sorted[sorted.length - 1]!.toFixed(3) };
}

const body = JSON.stringify({ cluster_id: 'c1', command_type: 'get', args: ['pods'], namespace: 'default' });
const headers = { 'content-type': 'application/json', 'x-api-key': KEYS.alice };

async function main(): Promise<void> {
  // Fail-closed audit with the capturing emitter: the real emitter's JetStream ack is measured by the audit bench.
  const s = await startGatewayStack(t, { config: { rateLimit: NO_RATE_LIMIT } });
  const inject = () => s.app.inject({ method: 'POST', url: '/debug/execute', headers, payload: body });
  for (let i = 0; i < 200; i++) await inject();

  const viaInject: number[] = [];
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    const res = await inject();
    viaInject.push(performance.now() - start);
    if (res.statusCode !== 200) throw new Error(`unexpected ${res.statusCode}: ${res.body}`);
  }
  console.log(`inject, sequential, ${N} requests (ms):`, percentiles(viaInject));

  const address = await s.app.listen({ host: '127.0.0.1', port: 0 });
  const viaHttp: number[] = [];
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    const res = await fetch(`${address}/debug/execute`, { method: 'POST', headers, body });
    await res.arrayBuffer();
    viaHttp.push(performance.now() - start);
    if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
  }
  console.log(`HTTP (fetch), sequential, ${N} requests (ms):`, percentiles(viaHttp));

  const result = await autocannon({
    url: `${address}/debug/execute`,
    method: 'POST',
    headers,
    body,
    connections: 64,
    duration: 10,
  });
  console.log('autocannon, 64 connections, 10 s:', {
    requests_per_s: result.requests.average,
    latency_p50_ms: result.latency.p50,
    latency_p99_ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  });
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(runTeardowns);
