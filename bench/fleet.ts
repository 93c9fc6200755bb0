// `npm run bench -- --fleet [--sizes 1,10,100,1000]`: the gateway with N connected clusters. One nats-server
// (project nats.conf) with an account, a credential and a durable consumer per cluster; per N a fresh gateway
// process (compiled, as production runs it) and N stand-in agents in this process, each with its own NATS
// connection and consumer, answering at once and beating every 5 s as the real agent does by default.
// Prints, per N: fan-out of one command to all N (p50, p99), single-cluster delivery p50 against N = 1,
// gateway and nats-server RSS, heartbeat messages per second.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../agent/config.js';
import { provisionJetStream } from '../common/provision.js';
import { ADMIN_INBOX_PREFIX, GATEWAY_INBOX_PREFIX, subjects } from '../common/subjects.js';
import { credentialsOf, credsAuth } from '../harness/nats-server.js';
import { spawnRedisServer } from '../harness/redis-server.js';
import { startServiceProcess } from '../harness/service-process.js';
import { runStandInAgent, type TestAgent } from '../harness/stand-in-agent.js';
import { freePort, type SpawnedNats, spawnNatsServer } from '../scripts/lib/nats-server.js';
import { entryPoints } from './lib/build.js';
import { type JsonPost, sequentialPosts } from './lib/http-load.js';
import { type LatencySummary, summarize } from './lib/stats.js';

const MB = 1024 * 1024;
const NO_LIMIT = String(1_000_000_000);
/** Agents connecting at once: nats-server verifies each JWT; a burst of 1,000 only measures the handshake. */
const CONNECT_BATCH = 50;
const HEARTBEAT_WINDOW_MS = 10_000;

const log = (line: string) => process.stderr.write(`[bench --fleet] ${line}\n`);
const clusterName = (i: number) => `fleet-${String(i).padStart(4, '0')}`;

/** VmRSS of any process, in bytes (NaN when gone). */
function rssOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function startAgents(nats: SpawnedNats, clusters: readonly string[]): Promise<TestAgent[]> {
  const agents: TestAgent[] = [];
  for (let i = 0; i < clusters.length; i += CONNECT_BATCH) {
    const batch = clusters.slice(i, i + CONNECT_BATCH);
    agents.push(
      ...(await Promise.all(
        batch.map(async (clusterId) => {
          const own = credentialsOf(nats, { agent: clusterId });
          const nc = await connect({
            servers: nats.url,
            authenticator: credsAuth(own.creds),
            inboxPrefix: own.inboxPrefix,
            name: own.name,
            timeout: 30_000,
          });
          return runStandInAgent(nc, clusterId, {
            beatEveryMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
            promisedBeatMs: DEFAULT_HEARTBEAT_INTERVAL_MS,
            keepReceived: false,
          });
        }),
      )),
    );
  }
  return agents;
}

async function startGateway(nats: SpawnedNats, redisUrl: string, script: string, apiKey: string) {
  const port = await freePort();
  const gateway = startServiceProcess('gateway', script, {
    NATS_URL: nats.url,
    NATS_CREDS: nats.creds.gateway,
    API_KEYS: `bench:${apiKey}`,
    ADMIN_IDENTITIES: 'bench',
    HOST: '127.0.0.1',
    PORT: String(port),
    METRICS_PORT: '0',
    REDIS_URL: redisUrl,
    // info logs start-up and problems only; per-request lines are debug.
    LOG_LEVEL: 'info',
    RATE_LIMIT_STANDARD: NO_LIMIT,
    RATE_LIMIT_EXECUTE: NO_LIMIT,
    RATE_LIMIT_FLEET_CLUSTERS: NO_LIMIT,
    FLEET_MAX_CLUSTERS: '100000',
  });
  await gateway.waitForLine(/gateway listening/, 60_000);
  return { gateway, url: `http://127.0.0.1:${port}` };
}

async function waitForConnected(url: string, apiKey: string, n: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const res = await fetch(`${url}/clusters`, { headers: { 'x-api-key': apiKey } });
    const body = (await res.json()) as { clusters?: { connected?: boolean }[] };
    const connected = (body.clusters ?? []).filter((c) => c.connected).length;
    if (connected >= n) return performance.now() - started;
    if (performance.now() - started > 120_000)
      throw new Error(`only ${connected} of ${n} clusters connected`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Heartbeat messages per second seen by a gateway-identity subscriber over HEARTBEAT_WINDOW_MS. */
async function heartbeatRate(nats: SpawnedNats): Promise<number> {
  const nc = await connect({
    servers: nats.url,
    authenticator: credsAuth(nats.creds.gateway),
    inboxPrefix: GATEWAY_INBOX_PREFIX,
  });
  let count = 0;
  const sub = nc.subscribe(subjects.allHeartbeats, {
    callback: () => {
      count++;
    },
  });
  await new Promise((r) => setTimeout(r, HEARTBEAT_WINDOW_MS));
  sub.unsubscribe();
  await nc.close();
  return count / (HEARTBEAT_WINDOW_MS / 1000);
}

interface FanOutRun {
  latency: LatencySummary;
  /** Rows that were not `success`, over all runs. */
  notSuccess: number;
}

async function fanOuts(url: string, apiKey: string, n: number, runs: number): Promise<FanOutRun> {
  const body = JSON.stringify({
    clusters: ['fleet-*'],
    command: 'get pods',
    max_concurrency: 1000,
    timeout_seconds: 30,
  });
  const samples: number[] = [];
  let notSuccess = 0;
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/fleet/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body,
    });
    const answer = (await res.json()) as { summary?: { clusters: number; success: number } };
    const ms = performance.now() - started;
    if (res.status !== 200 || answer.summary?.clusters !== n)
      throw new Error(`fan-out answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
    // The first two are warm-up (JIT, connections).
    if (i < 2) continue;
    samples.push(ms);
    notSuccess += n - answer.summary.success;
  }
  return { latency: summarize(samples), notSuccess };
}

export interface FleetRow {
  n: number;
  connectMs: number;
  fanOut: FanOutRun | null;
  single: LatencySummary;
  gatewayMb: number;
  natsMb: number;
  benchMb: number;
  heartbeatsPerSecond: number;
}

export async function runFleetBench(
  sizes: readonly number[],
  options: { tsx: boolean },
): Promise<FleetRow[]> {
  const max = Math.max(...sizes);
  const clusters = Array.from({ length: max }, (_, i) => clusterName(i));
  const entry = entryPoints(options.tsx);
  let t0 = performance.now();
  const nats = await spawnNatsServer({ clusters });
  log(`nats-server with ${max} cluster accounts up in ${Math.round(performance.now() - t0)} ms`);
  const redis = await spawnRedisServer();
  const rows: FleetRow[] = [];
  try {
    const admin = await connect({
      servers: nats.url,
      authenticator: credsAuth(nats.creds.admin),
      inboxPrefix: ADMIN_INBOX_PREFIX,
    });
    t0 = performance.now();
    await provisionJetStream(admin, { clusters, apiTimeoutMs: 60_000 });
    await admin.close();
    log(`${max} consumers provisioned in ${Math.round(performance.now() - t0)} ms`);

    for (const n of sizes) {
      const apiKey = `bench-${randomBytes(16).toString('hex')}`;
      const { gateway, url } = await startGateway(nats, redis.url, entry.gateway, apiKey);
      let agents: TestAgent[] = [];
      try {
        t0 = performance.now();
        agents = await startAgents(nats, clusters.slice(0, n));
        const connectMs = performance.now() - t0 + (await waitForConnected(url, apiKey, n));
        log(`N=${n}: agents connected and seen by the gateway in ${Math.round(connectMs)} ms`);
        const single: JsonPost = {
          url: `${url}/debug/execute`,
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({ cluster_id: clusterName(0), command: 'get pods' }),
        };
        const singleRun = await sequentialPosts(single, 300, 50);
        const fanOut = n > 1 ? await fanOuts(url, apiKey, n, n >= 1000 ? 20 : 30) : null;
        const heartbeatsPerSecond = await heartbeatRate(nats);
        rows.push({
          n,
          connectMs,
          fanOut,
          single: singleRun,
          gatewayMb: gateway.rssBytes() / MB,
          natsMb: rssOf(nats.pid()) / MB,
          benchMb: process.memoryUsage().rss / MB,
          heartbeatsPerSecond,
        });
        log(`N=${n}: done`);
      } finally {
        for (const a of agents) await a.stop().catch(() => {});
        await gateway.stop();
      }
    }
  } finally {
    await redis.stop();
    await nats.stop();
  }
  return rows;
}

const f = (v: number | undefined, digits = 1) =>
  v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);

/** The table `npm run bench -- --fleet` prints, and the targets of the fleet issue against it. */
export function formatFleetReport(rows: readonly FleetRow[]): string {
  const base = rows.find((r) => r.n === 1)?.single.p50Ms;
  const header =
    '| N | fan-out p50 ms | fan-out p99 ms | rows not success | single p50 ms | single p50 / N=1 | gateway RSS MB | nats-server RSS MB | bench process RSS MB | heartbeats/s | connect ms |';
  const lines = rows.map(
    (r) =>
      `| ${r.n} | ${f(r.fanOut?.latency.p50Ms)} | ${f(r.fanOut?.latency.p99Ms)} | ${r.fanOut?.notSuccess ?? '-'} | ${f(
        r.single.p50Ms,
        2,
      )} | ${base ? f(r.single.p50Ms / base, 2) : '-'} | ${f(r.gatewayMb)} | ${f(r.natsMb)} | ${f(r.benchMb)} | ${f(
        r.heartbeatsPerSecond,
      )} | ${Math.round(r.connectMs)} |`,
  );
  const top = rows.find((r) => r.n === 1000);
  const targets = top
    ? [
        `fan-out to 1,000 p50 ≤ 1500 ms: ${f(top.fanOut?.latency.p50Ms)} ms (${(top.fanOut?.latency.p50Ms ?? Infinity) <= 1500 ? 'met' : 'NOT met'})`,
        `single delivery p50 at 1,000 ≤ 1.5× N=1: ${base ? f(top.single.p50Ms / base, 2) : '-'}× (${base && top.single.p50Ms / base <= 1.5 ? 'met' : 'NOT met'})`,
        `gateway RSS at 1,000 ≤ 250 MB: ${f(top.gatewayMb)} MB (${top.gatewayMb <= 250 ? 'met' : 'NOT met'})`,
      ]
    : [];
  return [header, `|${'---|'.repeat(11)}`, ...lines, '', ...targets].join('\n');
}
