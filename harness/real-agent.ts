// A real agent in the test process, composed exactly as agent/main.ts composes it (agent/start.ts from an
// environment), reading the simulated cluster through a kubeconfig. Stopped at teardown.

import type { ExecutionContext } from 'ava';
import { loadAgentConfig } from '../agent/config.js';
import { type RunningAgent, startAgent } from '../agent/start.js';
import type { SpawnedNats } from '../scripts/lib/nats-server.js';
import { quietLog } from './log.js';

export async function startRealAgent(
  t: ExecutionContext,
  server: Pick<SpawnedNats, 'url' | 'agentCreds'>,
  clusterId: string,
  kubeconfig: string,
  env: Record<string, string> = {},
): Promise<RunningAgent> {
  const config = loadAgentConfig({
    CLUSTER_ID: clusterId,
    AGENT_ID: `agent-${clusterId}-real`,
    AGENT_TOKEN: server.agentCreds[clusterId] ?? '',
    NATS_URL: server.url,
    KUBECONFIG: kubeconfig,
    KUBE_CONTEXT: '',
    HEARTBEAT_INTERVAL_MS: '1000',
    SHUTDOWN_GRACE_MS: '0',
    ...env,
  });
  const agent = await startAgent({ config, log: quietLog() });
  t.teardown(() => agent.stop());
  return agent;
}
