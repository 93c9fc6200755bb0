// Which clusters a caller may see. A cluster the caller may not use answers exactly like one that does not
// exist: same error object, same code path, no names of other clusters.

import { KubentlyError } from '../common/errors.js';
import { canUseCluster, type Policy } from '../common/policy/index.js';
import type { AgentTracker } from './agent-tracker.js';

/** Who asks: an identity and its group identities (`group:<name>`), matched by the policy's `identities`. */
export interface Principal {
  identity: string;
  groups: readonly string[];
}

export interface ClusterAccess {
  /**
   * Known clusters (agents seen ∪ configured) the caller (its identity or a group) may use, sorted. `policy`
   * is the request's snapshot (the current one otherwise).
   */
  visible(who: Principal, policy?: Policy): string[];
  /**
   * Throws 404 "cluster not found" unless the cluster is known and the caller may use it. `policy` is the
   * request's snapshot when it reads the policy again later (the current one otherwise).
   */
  require(who: Principal, clusterId: string, policy?: Policy): void;
}

export function createClusterAccess(opts: {
  configured: readonly string[];
  agents: AgentTracker;
  /** The current policy; read per call so a reloaded file applies at once. */
  policy: () => Policy;
}): ClusterAccess {
  const configured = new Set(opts.configured);
  const known = (clusterId: string) =>
    configured.has(clusterId) || opts.agents.cluster(clusterId).agents.length > 0;
  return {
    visible(who, policy = opts.policy()) {
      const all = new Set([...configured, ...opts.agents.clusters().map((c) => c.clusterId)]);
      return [...all].filter((id) => canUseCluster(policy, who.identity, id, who.groups)).sort();
    },
    require(who, clusterId, policy = opts.policy()) {
      // Both checks always run, so an allowed-but-unknown and a known-but-forbidden cluster cost the same.
      const isKnown = known(clusterId);
      const allowed = canUseCluster(policy, who.identity, clusterId, who.groups);
      if (!(isKnown && allowed)) throw new KubentlyError('not_found', 'cluster not found');
    },
  };
}
