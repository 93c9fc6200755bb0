// How the cluster routes describe clusters and agents: the agent tracker's state turned into the API's
// answers (common/api-clusters.ts), shared by /clusters, /admin/agents and upstream's /debug/clusters routes.

import type { AgentView, Capabilities } from '../common/api-clusters.js';
import { GRAMMAR } from '../common/command/grammar.js';
import { type Policy, policyForCluster } from '../common/policy/index.js';
import type { AgentStatus, ClusterStatus } from './agent-tracker.js';

/** Milliseconds since the epoch as ISO-8601, null stays null. */
export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function agentView(a: AgentStatus): AgentView {
  return {
    agent_id: a.agentId,
    cluster_id: a.clusterId,
    connected: a.connected,
    last_seen: iso(a.lastSeen),
    version: a.version,
    policy_preset: a.policyPreset,
    in_flight: a.inFlight,
    started_at: a.startedAt,
  };
}

/** The replica heard from last: its version and preset speak for the cluster. */
export function newestAgent(c: ClusterStatus): AgentStatus | null {
  let newest: AgentStatus | null = null;
  for (const a of c.agents) if (!newest || a.lastSeen > newest.lastSeen) newest = a;
  return newest;
}

/**
 * Upstream's ExecutorCapabilities for a cluster, or null before any agent of it has been heard from (upstream
 * answers null while no executor has reported). Verbs and flags come from the gateway's policy for the
 * cluster: what a command must pass here before it is sent.
 */
export function capabilitiesOf(policy: Policy, c: ClusterStatus): Capabilities | null {
  const agent = newestAgent(c);
  if (!agent) return null;
  const p = policyForCluster(policy, c.clusterId);
  const verbs = [...p.verbs].sort();
  const flags = new Set(verbs.flatMap((v) => GRAMMAR[v].flags.map((f) => `--${f.long}`)));
  return {
    cluster_id: c.clusterId,
    mode: agent.policyPreset,
    allowed_verbs: verbs,
    // Secrets are never read, under any name: the one resource every preset refuses.
    restricted_resources: ['secrets'],
    allowed_flags: [...flags].sort(),
    executor_version: agent.version,
    executor_pod: agent.agentId,
    reported_at: iso(agent.lastSeen),
    expires_at: null,
    features: { exec: false, port_forward: false, proxy: false, cp: false },
  };
}
