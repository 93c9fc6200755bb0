// `npm run bench [-- --quick] [-- --duration <s>]` (`-- --fleet`: bench/fleet.ts instead; `-- --mcp`: bench/mcp.ts): one run, everything on this machine, side by side:
// command delivery, end-to-end `get pods`, the floors, a kubectl subprocess per command, RSS and CPU of
// the gateway and agent processes, and a sustained load test. Prints a table and writes
// bench/results/latest.json. Exits 1 when the load test saw an unexpected error.

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT, processCpuMs } from '../harness/service-process.js';
import { executorGetPods } from './executor.js';
import { jetStreamCycleFloor, natsRequestReplyFloor, simHttpFloor, simInProcessFloor } from './floors.js';
import { kubectlGetPods } from './kubectl.js';
import { entryPoints } from './lib/build.js';
import { BENCH_NAMESPACE, BENCH_POD_COUNT, BIG_NAMESPACE, BIG_POD_COUNT } from './lib/fixtures.js';
import { type JsonPost, loadPosts, sequentialPosts } from './lib/http-load.js';
import { FLOOR_CLUSTER, INSTANT_CLUSTER, SIM_CLUSTER, startBenchStack } from './lib/stack.js';
import { atLeast, atMost, formatTable, formatTargets, type Row, ratio } from './report.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    duration: { type: 'string' },
    out: { type: 'string', default: join(PROJECT_ROOT, 'bench/results/latest.json') },
    fleet: { type: 'boolean', default: false },
    mcp: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '1,10,100,1000' },
    /** Entry points to run instead of compiling the working tree (an A/B run against another build). */
    gateway: { type: 'string' },
    agent: { type: 'string' },
  },
});
if (flags.fleet) {
  // A run of its own (bench/fleet.ts): N connected clusters, not the single-cluster figures below.
  const { formatFleetReport, runFleetBench } = await import('./fleet.js');
  const sizes = (flags.sizes ?? '').split(',').map(Number);
  process.stdout.write(`${formatFleetReport(await runFleetBench(sizes, { tsx: flags.tsx === true }))}\n`);
  process.exit(0);
}
if (flags.mcp) {
  // A run of its own (bench/mcp.ts): MCP against REST on the same stack.
  const { runMcpBench } = await import('./mcp.js');
  const count = flags.quick === true ? 300 : 2_000;
  process.stdout.write(`${await runMcpBench({ count, warmup: Math.round(count / 5) })}\n`);
  process.exit(0);
}
const quick = flags.quick === true;
const loadSeconds = Number(flags.duration ?? (quick ? 10 : 60));
const N = quick
  ? {
      sequential: 300,
      warmup: 100,
      concurrentSeconds: 3,
      floorConcurrent: 3_000,
      kubectlSeq: 10,
      kubectlConc: 16,
    }
  : {
      sequential: 2_000,
      warmup: 300,
      concurrentSeconds: 10,
      floorConcurrent: 20_000,
      kubectlSeq: 40,
      kubectlConc: 64,
    };
const CLIENTS = 64;
const LOAD_CLIENTS = 100;
const MB = 1024 * 1024;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const entry =
  flags.gateway !== undefined && flags.agent !== undefined
    ? { gateway: flags.gateway, agent: flags.agent, mode: 'given' }
    : entryPoints(flags.tsx === true);
log(`starting nats-server, redis-server, sim, gateway (${entry.gateway}) and agents (${entry.agent})`);
const loadBefore = loadavg()[0] as number;
if (loadBefore > cpus().length)
  log(`warning: load average ${loadBefore.toFixed(1)} on ${cpus().length} cores — figures will be low`);
const stack = await startBenchStack({ gatewayScript: entry.gateway, agentScript: entry.agent });
let exitCode = 0;
try {
  const headers = { 'content-type': 'application/json', 'x-api-key': stack.apiKey };
  const post = (clusterId: string): JsonPost => ({
    url: `${stack.gatewayUrl}/debug/execute`,
    headers,
    body: JSON.stringify({
      cluster_id: clusterId,
      command_type: 'get',
      args: ['pods'],
      namespace: BENCH_NAMESPACE,
    }),
  });
  const delivery = post(INSTANT_CLUSTER);
  const getPods = post(SIM_CLUSTER);
  await checkGetPods(getPods);

  const natsServer = { cpuMs: () => processCpuMs(stack.nats.pid()) };
  const redisServer = { cpuMs: () => processCpuMs(stack.redis.pid()) };
  const cpuPerCommand = async <R extends { requests: number }>(
    procs: Array<{ cpuMs(): number }>,
    run: () => Promise<R>,
  ) => {
    const before = procs.map((p) => p.cpuMs());
    const r = await run();
    return { run: r, cpuMs: procs.map((p, i) => (p.cpuMs() - (before[i] as number)) / r.requests) };
  };

  log('a. command delivery (instant executor)');
  const deliverySeq = await sequentialPosts(delivery, N.sequential, N.warmup);
  const deliveryConc = await cpuPerCommand(
    [stack.gateway, stack.agents.instant, natsServer, redisServer],
    () => loadPosts(delivery, { connections: CLIENTS, duration: N.concurrentSeconds }),
  );

  log('b. end-to-end get pods (real executor, simulated apiserver)');
  const e2eSeq = await sequentialPosts(getPods, N.sequential, N.warmup);
  const e2eConc = await cpuPerCommand(
    [stack.gateway, stack.agents.sim, stack.sim, natsServer, redisServer],
    () => loadPosts(getPods, { connections: CLIENTS, duration: N.concurrentSeconds }),
  );

  log('c. floors');
  const floorCounts = {
    sequential: N.sequential,
    concurrent: N.floorConcurrent,
    clients: CLIENTS,
    warmup: N.warmup,
  };
  const natsFloor = await natsRequestReplyFloor(floorCounts);
  const jsFloor = await jetStreamCycleFloor(stack.nats, FLOOR_CLUSTER, floorCounts);
  const simFloor = await simInProcessFloor(floorCounts);
  const simHttp = await simHttpFloor(stack.simUrl, floorCounts);

  log('d. kubectl subprocess per command');
  const kubectl = await kubectlGetPods(stack.kubeconfigPath, {
    sequential: N.kubectlSeq,
    concurrent: N.kubectlConc,
    clients: 16,
  });

  log('e. the agent executor in process (same sim, same command)');
  const executor = await executorGetPods(stack.kubeconfigPath, {
    sequential: N.sequential,
    warmup: N.warmup,
  });

  log(`f. load test: ${LOAD_CLIENTS} clients for ${loadSeconds} s (end-to-end get pods)`);
  const rssSamples: { t: number; gatewayMb: number; agentMb: number }[] = [];
  const sample = (t: number) =>
    rssSamples.push({
      t: Math.round(t),
      gatewayMb: stack.gateway.rssBytes() / MB,
      agentMb: stack.agents.sim.rssBytes() / MB,
    });
  sample(0);
  const load = await loadPosts(getPods, { connections: LOAD_CLIENTS, duration: loadSeconds, onTick: sample });
  sample(load.durationSeconds);
  const unexpected = Object.values(load.non2xx).reduce((a, b) => a + b, 0) + load.errors + load.timeouts;
  if (unexpected > 0) exitCode = 1;

  log(`g. the agent against a namespace of ${BIG_POD_COUNT} pods (-o yaml, -o json, describe, table)`);
  const big: { args: string[]; status: string; truncated: boolean; ms: number }[] = [];
  for (const args of [['pods', '-o', 'yaml'], ['pods', '-o', 'json'], ['pods'], ['pods']]) {
    const commandType = big.length === 2 ? 'describe' : 'get';
    const t0 = performance.now();
    const res = await fetch(`${stack.gatewayUrl}/debug/execute`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        cluster_id: SIM_CLUSTER,
        command_type: commandType,
        args,
        namespace: BIG_NAMESPACE,
        timeout_seconds: 110,
      }),
    });
    const body = (await res.json()) as { status?: string; truncated?: boolean };
    big.push({
      args: [commandType, ...args],
      status: body.status ?? String(res.status),
      truncated: body.truncated === true,
      ms: performance.now() - t0,
    });
    if (body.status !== 'success') exitCode = 1;
  }
  const bigPeakMb = stack.agents.sim.peakRssBytes() / MB;

  const rss = {
    gatewayMb: stack.gateway.rssBytes() / MB,
    agentMb: stack.agents.sim.rssBytes() / MB,
    instantAgentMb: stack.agents.instant.rssBytes() / MB,
    simMb: stack.sim.rssBytes() / MB,
  };

  const rows: Row[] = [
    { name: 'a. delivery, sequential', latency: deliverySeq, throughput: 1000 / deliverySeq.meanMs },
    {
      name: `a. delivery, ${CLIENTS} clients`,
      latency: deliveryConc.run.latency,
      throughput: deliveryConc.run.throughput,
    },
    {
      name: `b. get pods (${BENCH_POD_COUNT}), sequential`,
      latency: e2eSeq,
      throughput: 1000 / e2eSeq.meanMs,
    },
    {
      name: `b. get pods (${BENCH_POD_COUNT}), ${CLIENTS} clients`,
      latency: e2eConc.run.latency,
      throughput: e2eConc.run.throughput,
    },
    {
      name: 'c. floor: NATS request-reply, seq',
      latency: natsFloor.sequential,
      throughput: 1000 / natsFloor.sequential.meanMs,
    },
    {
      name: `c. floor: NATS request-reply, ${CLIENTS}`,
      latency: natsFloor.concurrent.latency,
      throughput: natsFloor.concurrent.throughput,
    },
    {
      name: 'c. floor: JetStream cycle, seq',
      latency: jsFloor.sequential,
      throughput: 1000 / jsFloor.sequential.meanMs,
    },
    {
      name: `c. floor: JetStream cycle, ${CLIENTS}`,
      latency: jsFloor.concurrent.latency,
      throughput: jsFloor.concurrent.throughput,
    },
    {
      name: 'c. floor: sim in-process, seq',
      latency: simFloor.sequential,
      throughput: 1000 / simFloor.sequential.meanMs,
    },
    {
      name: 'c. floor: sim over HTTP, seq',
      latency: simHttp.sequential,
      throughput: 1000 / simHttp.sequential.meanMs,
    },
    {
      name: `c. floor: sim over HTTP, ${CLIENTS}`,
      latency: simHttp.concurrent.latency,
      throughput: simHttp.concurrent.throughput,
    },
    {
      name: 'd. kubectl subprocess, seq',
      latency: kubectl.sequential,
      throughput: 1000 / kubectl.sequential.meanMs,
    },
    {
      name: 'd. kubectl subprocess, 16 clients',
      latency: kubectl.concurrent.latency,
      throughput: kubectl.concurrent.throughput,
    },
    {
      name: 'e. agent executor in process, seq',
      latency: executor,
      throughput: 1000 / executor.meanMs,
    },
    {
      name: `f. load: ${LOAD_CLIENTS} clients, ${Math.round(load.durationSeconds)} s`,
      latency: load.latency,
      throughput: load.throughput,
      note: `${unexpected} unexpected errors`,
    },
  ];
  const speedup = kubectl.sequential.p50Ms / e2eSeq.p50Ms;
  const agentSpeedup = kubectl.sequential.p50Ms / executor.p50Ms;
  // Ratios to floors measured in this same run, so a busy machine moves both sides (docs/benchmarks.md).
  const targets = [
    atMost(
      'sequential delivery p50 / JetStream cycle p50',
      deliverySeq.p50Ms / jsFloor.sequential.p50Ms,
      2.5,
      'x',
    ),
    atLeast(
      `get pods throughput / sim over HTTP throughput (${CLIENTS} clients)`,
      e2eConc.run.throughput / simHttp.concurrent.throughput,
      0.45,
      'x',
    ),
    atLeast('kubectl subprocess p50 / agent executor p50', agentSpeedup, 50, 'x'),
    atMost('agent RSS at the end', rss.agentMb, 128, 'MB'),
    atMost(`agent peak RSS, ${BIG_POD_COUNT}-pod namespace`, bigPeakMb, 256, 'MB'),
  ];
  const steady = rssSamples.slice(Math.floor(rssSamples.length / 4));
  const range = (key: 'gatewayMb' | 'agentMb') => {
    const values = steady.map((s) => s[key]);
    return { min: Math.min(...values), max: Math.max(...values) };
  };

  const lines = [
    `Kubently benchmark — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GB, node ${process.version}, ${natsVersion()}${quick ? ' — QUICK run' : ''}`,
    `Services: ${entry.mode} (${entry.gateway}, ${entry.agent}); load average before ${loadBefore.toFixed(2)}, after ${(loadavg()[0] as number).toFixed(2)} on ${cpus().length} cores`,
    '',
    formatTable(rows),
    '',
    'Targets (docs/benchmarks.md "Targets"):',
    formatTargets(targets),
    '',
    'Distance from the floors:',
    `  delivery p50 vs JetStream cycle p50: ${ratio(deliverySeq.p50Ms, jsFloor.sequential.p50Ms)} (+${(deliverySeq.p50Ms - jsFloor.sequential.p50Ms).toFixed(3)} ms: HTTP, auth, parse, policy, audit record, Redis)`,
    `  delivery p50 vs NATS request-reply p50: ${ratio(deliverySeq.p50Ms, natsFloor.sequential.p50Ms)}`,
    `  delivery throughput vs JetStream cycle throughput (${CLIENTS} clients): ${ratio(deliveryConc.run.throughput, jsFloor.concurrent.throughput)}`,
    `  get pods p50 vs delivery p50 + sim-over-HTTP p50: ${ratio(e2eSeq.p50Ms, deliverySeq.p50Ms + simHttp.sequential.p50Ms)}`,
    `  get pods throughput vs sim-over-HTTP throughput (${CLIENTS} clients): ${ratio(e2eConc.run.throughput, simHttp.concurrent.throughput)}`,
    `  kubectl subprocess p50 / Kubently get pods p50: ${speedup.toFixed(1)}x`,
    '',
    'CPU per command (user+system, /proc of each child process, during the 64-client runs):',
    `  delivery: gateway ${deliveryConc.cpuMs[0]?.toFixed(3)} ms, agent ${deliveryConc.cpuMs[1]?.toFixed(3)} ms, nats-server ${deliveryConc.cpuMs[2]?.toFixed(3)} ms, redis ${deliveryConc.cpuMs[3]?.toFixed(3)} ms`,
    `  get pods: gateway ${e2eConc.cpuMs[0]?.toFixed(3)} ms, agent ${e2eConc.cpuMs[1]?.toFixed(3)} ms, sim apiserver ${e2eConc.cpuMs[2]?.toFixed(3)} ms, nats-server ${e2eConc.cpuMs[3]?.toFixed(3)} ms, redis ${e2eConc.cpuMs[4]?.toFixed(3)} ms`,
    '',
    `RSS at the end: gateway ${rss.gatewayMb.toFixed(1)} MB, agent ${rss.agentMb.toFixed(1)} MB (delivery agent ${rss.instantAgentMb.toFixed(1)} MB, sim ${rss.simMb.toFixed(1)} MB)`,
    `RSS during the load test (last 3/4 of ${rssSamples.length} samples): gateway ${range('gatewayMb').min.toFixed(1)}–${range('gatewayMb').max.toFixed(1)} MB, agent ${range('agentMb').min.toFixed(1)}–${range('agentMb').max.toFixed(1)} MB`,
    `${BIG_POD_COUNT}-pod namespace: ${big.map((b) => `${b.args.join(' ')} ${b.status}${b.truncated ? ' (truncated)' : ''} ${(b.ms / 1000).toFixed(1)} s`).join('; ')}; agent peak RSS over the whole run ${bigPeakMb.toFixed(1)} MB`,
    `Load test: ${load.requests} requests, ${JSON.stringify(load.non2xx)} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts — ${unexpected === 0 ? 'PASS' : 'FAIL'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await mkdir(join(flags.out as string, '..'), { recursive: true });
  await writeFile(
    flags.out as string,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        quick,
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          memGb: totalmem() / 1024 ** 3,
          node: process.version,
          nats: natsVersion(),
        },
        entryPoints: entry,
        loadAverage: { before: loadBefore, after: loadavg()[0] },
        rows,
        targets,
        cpuPerCommandMs: {
          delivery: {
            gateway: deliveryConc.cpuMs[0],
            agent: deliveryConc.cpuMs[1],
            natsServer: deliveryConc.cpuMs[2],
            redis: deliveryConc.cpuMs[3],
          },
          getPods: {
            gateway: e2eConc.cpuMs[0],
            agent: e2eConc.cpuMs[1],
            sim: e2eConc.cpuMs[2],
            natsServer: e2eConc.cpuMs[3],
            redis: e2eConc.cpuMs[4],
          },
        },
        rss,
        load: { ...load, unexpected, rssSamples },
        floors: { natsRequestReply: natsFloor, jetStreamCycle: jsFloor, simInProcess: simFloor, simHttp },
        kubectl,
      },
      null,
      2,
    )}\n`,
  );
  log(`results written to ${flags.out}`);
} catch (err) {
  exitCode = 1;
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await stack.close();
}
process.exit(exitCode);

async function checkGetPods(target: JsonPost): Promise<void> {
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  const body = (await res.json()) as { status?: string; output?: string };
  const rows = (body.output ?? '').trim().split('\n').length - 1;
  if (res.status !== 200 || body.status !== 'success' || rows !== BENCH_POD_COUNT) {
    throw new Error(
      `get pods through the gateway answered ${res.status} with ${rows} rows: ${JSON.stringify(body).slice(0, 300)}`,
    );
  }
}

function natsVersion(): string {
  try {
    return execFileSync('nats-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'nats-server ?';
  }
}
