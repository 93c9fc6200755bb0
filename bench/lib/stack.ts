// The whole Kubently path on loopback for the benchmarks: a private redis-server and nats-server
// (project nats.conf, provisioned), the simulated apiserver, the gateway (gateway/main.ts) and one agent
// per benchmark cluster, each service a child process. `close()` stops everything it started.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credsAuthenticator } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { provisionJetStream } from '../../common/provision.js';
import { ADMIN_INBOX_PREFIX } from '../../common/subjects.js';
import { waitForConnectedAgent } from '../../harness/gateway.js';
import { type SpawnedRedis, spawnRedisServer } from '../../harness/redis-server.js';
import { type ServiceProcess, startServiceProcess } from '../../harness/service-process.js';
import { standInContext } from '../../harness/stand-in-context.js';
import { freePort, type SpawnedNats, spawnNatsServer } from '../../scripts/lib/nats-server.js';
import { simKubeconfigYaml } from '../../sim/kubeconfig.js';

/** Its agent answers at once (delivery only). */
export const INSTANT_CLUSTER = 'bench-instant';
/** Its agent runs the real executor against the simulated apiserver. */
export const SIM_CLUSTER = 'bench-sim';
/** No agent process: the JetStream floor pulls from its consumer with bare client code. */
export const FLOOR_CLUSTER = 'bench-floor';
export const BENCH_IDENTITY = 'bench';
/** Rate limits are a product feature, not what is measured: set far above any benchmark's rate. */
const NO_RATE_LIMIT = String(1_000_000_000);

export interface BenchStack {
  nats: SpawnedNats;
  redis: SpawnedRedis;
  sim: ServiceProcess;
  simUrl: string;
  kubeconfigPath: string;
  gateway: ServiceProcess;
  gatewayUrl: string;
  agents: { instant: ServiceProcess; sim: ServiceProcess };
  apiKey: string;
  close(): Promise<void>;
}

export interface StackOptions {
  /** The gateway's entry point: gateway/main.ts (through tsx) or its compiled .js. */
  gatewayScript?: string;
  /** The real-executor agent's entry point: agent/main.ts, its compiled .js, or bench/agent-process.ts. */
  agentScript?: string;
  /** Extra node flags per service (e.g. `--cpu-prof` for bench/profile.ts). */
  nodeArgs?: { gateway?: string[]; agent?: string[]; instantAgent?: string[] };
}

export async function startBenchStack(options: StackOptions = {}): Promise<BenchStack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const nats = await spawnNatsServer({ clusters: [INSTANT_CLUSTER, SIM_CLUSTER, FLOOR_CLUSTER] });
    const tokens = nats.agentCreds;
    cleanups.push(() => nats.stop());
    const redis = await spawnRedisServer();
    cleanups.push(() => redis.stop());

    const admin = await connect({
      servers: nats.url,
      authenticator: credsAuthenticator(new TextEncoder().encode(nats.creds.admin)),
      inboxPrefix: ADMIN_INBOX_PREFIX,
    });
    await provisionJetStream(admin, { clusters: [INSTANT_CLUSTER, SIM_CLUSTER, FLOOR_CLUSTER] });
    await admin.close();

    const sim = startServiceProcess('sim', 'bench/sim-process.ts', {});
    cleanups.push(() => sim.stop());
    const simUrl = (await sim.waitForLine(/^sim listening /)).split(' ')[2] as string;
    const dir = await mkdtemp(join(tmpdir(), 'kubently-bench-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, simKubeconfigYaml(simUrl), { mode: 0o600 });

    const apiKey = `bench-${randomBytes(16).toString('hex')}`;
    const port = await freePort();
    // The agents run with the V8 flag their Deployment sets (k8s/base/agent/deployment.yaml), so RSS and
    // CPU figures are the production ones.
    const agentFlags = ['--max-semi-space-size=8', '--max-old-space-size=128'];
    // Extra flags (the profiler's) come after the production ones instead of replacing them.
    const nodeArgs = {
      gateway: options.nodeArgs?.gateway,
      agent: [...agentFlags, ...(options.nodeArgs?.agent ?? [])],
      instantAgent: [...agentFlags, ...(options.nodeArgs?.instantAgent ?? [])],
    };
    const gateway = startServiceProcess(
      'gateway',
      options.gatewayScript ?? 'gateway/main.ts',
      {
        NATS_URL: nats.url,
        NATS_CREDS: nats.creds.gateway,
        API_KEYS: `${BENCH_IDENTITY}:${apiKey}`,
        CLUSTERS: [INSTANT_CLUSTER, SIM_CLUSTER].join(','),
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: '0',
        REDIS_URL: redis.url,
        // info logs start-up and problems only; per-request lines are debug.
        LOG_LEVEL: 'info',
        RATE_LIMIT_STANDARD: NO_RATE_LIMIT,
        RATE_LIMIT_EXECUTE: NO_RATE_LIMIT,
        RATE_LIMIT_AUTH_FAILURES: NO_RATE_LIMIT,
        RATE_LIMIT_SESSION_CREATE: NO_RATE_LIMIT,
      },
      [],
      nodeArgs.gateway,
    );
    cleanups.push(() => gateway.stop());
    await gateway.waitForLine(/gateway listening/);

    const agentEnv = (clusterId: string) => ({
      NATS_URL: nats.url,
      CLUSTER_ID: clusterId,
      AGENT_ID: `${clusterId}-0`,
      AGENT_TOKEN: tokens[clusterId] as string,
      KUBECONFIG: kubeconfigPath,
      LOG_LEVEL: 'info',
      HEARTBEAT_INTERVAL_MS: '1000',
    });
    const instant = startServiceProcess(
      'agent-instant',
      'bench/agent-process.ts',
      agentEnv(INSTANT_CLUSTER),
      ['--executor', 'instant'],
      nodeArgs.instantAgent,
    );
    cleanups.push(() => instant.stop());
    const agentScript = options.agentScript ?? 'agent/main.ts';
    const simAgent = startServiceProcess('agent', agentScript, agentEnv(SIM_CLUSTER), [], nodeArgs.agent);
    cleanups.push(() => simAgent.stop());
    await Promise.all([
      instant.waitForLine(/agent ready|consum|started/i),
      simAgent.waitForLine(/agent ready|consum|started/i),
    ]);

    const gatewayUrl = `http://127.0.0.1:${port}`;
    for (const id of [INSTANT_CLUSTER, SIM_CLUSTER]) {
      await waitForConnectedAgent(standInContext().t, gatewayUrl, id, apiKey, 20_000);
    }
    return {
      nats,
      redis,
      sim,
      simUrl,
      kubeconfigPath,
      gateway,
      gatewayUrl,
      agents: { instant, sim: simAgent },
      apiKey,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
