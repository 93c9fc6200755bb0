// The agent's configuration, read once from the environment and validated.

import { hostname } from 'node:os';
import { type Env, EnvReader } from '../common/env.js';
import { type NatsClientConfig, readNatsClientConfig } from '../common/nats-options.js';
import { isValidClusterId } from '../common/subjects.js';
import { HEARTBEAT_INTERVAL_BOUNDS_MS } from '../common/wire.js';

export const DEFAULT_MAX_IN_FLIGHT = 32;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface AgentConfig {
  clusterId: string;
  agentId: string;
  nats: NatsClientConfig;
  /** Path of the agent's own policy file; undefined means the readOnly preset. */
  policyFile: string | undefined;
  kubeconfig: string | undefined;
  kubeContext: string | undefined;
  inCluster: boolean;
  /** KUBERNETES_SERVICE_HOST / _PORT, set by the kubelet in every pod: the in-cluster apiserver. */
  serviceHost: string | undefined;
  servicePort: string | undefined;
  maxInFlight: number;
  heartbeatIntervalMs: number;
  shutdownGraceMs: number;
  logLevel: string;
}

export function loadAgentConfig(env: Env): AgentConfig {
  const read = new EnvReader(env);
  const clusterId = read.required('CLUSTER_ID', 'the id of the cluster this agent serves, e.g. "prod-eu"');
  if (clusterId && !isValidClusterId(clusterId)) {
    read.problems.push(
      `CLUSTER_ID=${JSON.stringify(clusterId)} must be a DNS label (lowercase letters, digits, '-')`,
    );
  }
  const nats = readNatsClientConfig(read);
  // The agent's credential is its cluster's token: the credentials file text that POST
  // /admin/agents/<cluster>/token showed (AGENT_TOKEN), or a mounted file of it (AGENT_TOKEN_FILE, re-read on
  // every reconnect so a rotation needs no restart).
  nats.creds = read.secret('AGENT_TOKEN') ?? nats.creds;
  nats.credsFile = read.string('AGENT_TOKEN_FILE') ?? nats.credsFile;
  if (!nats.creds && !nats.credsFile)
    read.problems.push('AGENT_TOKEN or AGENT_TOKEN_FILE is required: the cluster token');
  const config: AgentConfig = {
    clusterId,
    agentId: read.string('AGENT_ID') ?? read.string('POD_NAME') ?? hostname(),
    nats,
    policyFile: read.string('POLICY_FILE'),
    kubeconfig: read.string('KUBECONFIG'),
    kubeContext: read.string('KUBE_CONTEXT'),
    inCluster: read.string('KUBERNETES_SERVICE_HOST') !== undefined,
    serviceHost: read.string('KUBERNETES_SERVICE_HOST'),
    servicePort: read.string('KUBERNETES_SERVICE_PORT'),
    maxInFlight: read.int('MAX_IN_FLIGHT', DEFAULT_MAX_IN_FLIGHT, { min: 1, max: 1024 }),
    // The gateway believes no interval outside these bounds.
    heartbeatIntervalMs: read.int(
      'HEARTBEAT_INTERVAL_MS',
      DEFAULT_HEARTBEAT_INTERVAL_MS,
      HEARTBEAT_INTERVAL_BOUNDS_MS,
    ),
    shutdownGraceMs: read.int('SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS, { min: 0, max: 300_000 }),
    logLevel: read.string('LOG_LEVEL', 'info'),
  };
  read.done('agent');
  return config;
}
