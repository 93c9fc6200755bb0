// `node --import tsx bench/profile.ts [--target sim|instant] [--seconds 10] [--clients 64] [--top 40]`
// Runs the bench stack (compiled services, see bench/lib/build.ts) with V8's sampling profiler in the
// gateway and both agents, loads POST /debug/execute `get pods` with autocannon, stops the stack (the
// services write their .cpuprofile on exit) and prints the top self-time functions and files of each
// process, plus CPU ms per command. The profiles stay in tmp/prof/<time>/ for Chrome DevTools.
// `--no-prof` measures CPU per command only; `--gateway <js> --agent <js>` runs another build (A/B);
// `--summarize <dir>` prints an earlier run's summary. docs/benchmarks.md ("Profiling") has examples.

import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT, processCpuMs } from '../harness/service-process.js';
import { entryPoints } from './lib/build.js';
import { BENCH_NAMESPACE } from './lib/fixtures.js';
import { loadPosts } from './lib/http-load.js';
import { INSTANT_CLUSTER, SIM_CLUSTER, startBenchStack } from './lib/stack.js';

const { values: flags } = parseArgs({
  options: {
    target: { type: 'string', default: 'sim' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '64' },
    top: { type: 'string', default: '40' },
    tsx: { type: 'boolean', default: false },
    'no-prof': { type: 'boolean', default: false },
    /** Entry points to run instead of compiling the working tree (an A/B run against another build). */
    gateway: { type: 'string' },
    agent: { type: 'string' },
    /** Only print the summary of an earlier run's profile directory. */
    summarize: { type: 'string' },
  },
});
const top = Number(flags.top);
const clusterId = flags.target === 'instant' ? INSTANT_CLUSTER : SIM_CLUSTER;
const profiled = ['gateway', clusterId === SIM_CLUSTER ? 'agent' : 'instant'];
if (flags.summarize !== undefined) {
  await printSummaries(flags.summarize);
  process.exit(0);
}
const dir = join(PROJECT_ROOT, 'tmp/prof', new Date().toISOString().replace(/[:.]/g, '-'));
const profFlags = (name: string) =>
  flags['no-prof'] ? [] : ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', join(dir, name)];

const entry =
  flags.gateway !== undefined && flags.agent !== undefined
    ? { gateway: flags.gateway, agent: flags.agent }
    : entryPoints(flags.tsx === true);
await mkdir(dir, { recursive: true });
const stack = await startBenchStack({
  gatewayScript: entry.gateway,
  agentScript: entry.agent,
  nodeArgs: { gateway: profFlags('gateway'), agent: profFlags('agent'), instantAgent: profFlags('instant') },
});
const target = {
  url: `${stack.gatewayUrl}/debug/execute`,
  headers: { 'content-type': 'application/json', 'x-api-key': stack.apiKey },
  body: JSON.stringify({
    cluster_id: clusterId,
    command_type: 'get',
    args: ['pods'],
    namespace: BENCH_NAMESPACE,
  }),
};
const procs: Record<string, { cpuMs(): number }> = {
  gateway: stack.gateway,
  agent: stack.agents.sim,
  instant: stack.agents.instant,
  sim: stack.sim,
  'nats-server': { cpuMs: () => processCpuMs(stack.nats.pid()) },
  redis: { cpuMs: () => processCpuMs(stack.redis.pid()) },
};
try {
  await loadPosts(target, { connections: Number(flags.clients), duration: 3 });
  const before = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, p.cpuMs()]));
  const run = await loadPosts(target, {
    connections: Number(flags.clients),
    duration: Number(flags.seconds),
  });
  const cpu = Object.entries(procs)
    .map(([k, p]) => `${k} ${((p.cpuMs() - (before[k] as number)) / run.requests).toFixed(3)} ms`)
    .join(', ');
  process.stdout.write(
    `${clusterId}: ${run.throughput.toFixed(0)} ops/s, p50 ${run.latency.p50Ms.toFixed(2)} ms, ${run.requests} requests, non2xx ${JSON.stringify(run.non2xx)}, errors ${run.errors}\nCPU per command: ${cpu}\n`,
  );
} finally {
  await stack.close();
}
if (!flags['no-prof']) await printSummaries(dir);

async function printSummaries(from: string): Promise<void> {
  for (const name of profiled) {
    const files = (await readdir(join(from, name)).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
    for (const f of files) {
      const path = join(from, name, f);
      const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
      process.stdout.write(`\n== ${name}: ${relative(PROJECT_ROOT, path)}\n${summarize(profile, top)}`);
    }
  }
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function and per file (package for node_modules), in % of the samples' total. */
function summarize(profile: CpuProfile, n: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries())
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const file = shortFile(frame.url);
    const key = `${frame.functionName || '(anonymous)'}  ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    files.set(file || frame.functionName, (files.get(file || frame.functionName) ?? 0) + us);
  }
  const busy = total - idle;
  // Native frames (no url) say little on their own: attribute them to their nearest JavaScript caller too.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const natives = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.url || frame.functionName.startsWith('(')) continue;
    let p = parent.get(id);
    while (p !== undefined && !byId.get(p)?.callFrame.url) p = parent.get(p);
    const caller = p === undefined ? undefined : byId.get(p)?.callFrame;
    const key = `${frame.functionName} <- ${caller ? `${caller.functionName || '(anonymous)'} ${shortFile(caller.url)}:${caller.lineNumber + 1}` : '?'}`;
    natives.set(key, (natives.get(key) ?? 0) + us);
  }
  const table = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled\n-- self time by function (% of busy)\n${table(fns)}\n-- self time by file or package\n${table(files)}\n-- native frames by JavaScript caller\n${table(natives)}\n`;
}

function shortFile(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  return relative(PROJECT_ROOT, path);
}
