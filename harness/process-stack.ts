// The gateway and an agent as real child processes on a running NATS (one server or a cluster), the
// way the fault tests need them: killable, restartable, with their own CPU and memory.

import type { ExecutionContext } from 'ava';
import { freePort } from '../scripts/lib/nats-server.js';
import { scaled } from './eventually.js';
import { waitForConnectedAgent } from './gateway.js';
import { type ServiceProcess, startServiceProcess } from './service-process.js';

export const FAULT_CLUSTER = 'c1';
export const FAULT_API_KEY = 'fault-key-0123456789abcdef0123456789';

export interface ProcessStackOptions {
  natsUrl: string;
  gatewayCreds: string;
  agentToken: string;
  /** Arguments for bench/agent-process.ts, e.g. ['--executor', 'instant', '--record', file]. */
  agentArgs: string[];
  /** Extra gateway environment, e.g. { SHUTDOWN_GRACE_MS: '5000' }. */
  gatewayEnv?: Record<string, string>;
}

export interface ProcessStack {
  gateway: ServiceProcess;
  agent: ServiceProcess;
  /** http://127.0.0.1:<port> of the gateway. */
  base: string;
  /** The gateway's Prometheus endpoint (its own port). */
  metricsBase: string;
}

/** Starts both, killed at teardown, and resolves once the gateway has seen the agent's heartbeat. */
export async function startProcessStack(
  t: ExecutionContext,
  options: ProcessStackOptions,
): Promise<ProcessStack> {
  const port = await freePort();
  const metricsPort = await freePort();
  const gateway = startServiceProcess('gateway', 'gateway/main.ts', {
    NATS_URL: options.natsUrl,
    NATS_CREDS: options.gatewayCreds,
    API_KEYS: `fault:${FAULT_API_KEY}`,
    CLUSTERS: FAULT_CLUSTER,
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'info',
    RATE_LIMIT_STANDARD: '1000000',
    RATE_LIMIT_EXECUTE: '1000000',
    ...options.gatewayEnv,
  });
  t.teardown(() => gateway.stop('SIGKILL'));
  const agent = startServiceProcess(
    'agent',
    'bench/agent-process.ts',
    {
      NATS_URL: options.natsUrl,
      CLUSTER_ID: FAULT_CLUSTER,
      AGENT_ID: 'agent-0',
      AGENT_TOKEN: options.agentToken,
      LOG_LEVEL: 'info',
      // Three missed beats mark the agent gone: generous, so a starved agent process is not dropped.
      HEARTBEAT_INTERVAL_MS: String(scaled(2_000)),
    },
    options.agentArgs,
  );
  t.teardown(() => agent.stop('SIGKILL'));
  await Promise.all([gateway.waitForLine(/gateway listening/), agent.waitForLine(/agent ready/)]);
  const base = `http://127.0.0.1:${port}`;
  await waitForConnectedAgent(t, base, FAULT_CLUSTER, FAULT_API_KEY);
  return { gateway, agent, base, metricsBase: `http://127.0.0.1:${metricsPort}` };
}
