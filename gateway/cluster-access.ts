// Which clusters a caller may see. A cluster the caller may not use answers exactly like one that does not
// exist: same error object, same code path, no names of other clusters.

import { KubentlyError } from '../common/errors.js';
import type { AgentTracker } from './agent-tracker.js';
import type { GatewayPolicy } from './policy-port.js';

export interface ClusterAccess {
  /** Known clusters (agents seen ∪ configured) the identity may use, sorted. */
  visible(identity: string): string[];
  /** Throws 404 "cluster not found" unless the cluster is known and the identity may use it. */
  require(identity: string, clusterId: string): void;
}

export function createClusterAccess(opts: {
  configured: readonly string[];
  agents: AgentTracker;
  policy: Pick<GatewayPolicy, 'canUseCluster'>;
}): ClusterAccess {
  const configured = new Set(opts.configured);
  const known = (clusterId: string) =>
    configured.has(clusterId) || opts.agents.cluster(clusterId).agents.length > 0;
  return {
    visible(identity) {
      const all = new Set([...configured, ...opts.agents.clusters().map((c) => c.clusterId)]);
      return [...all].filter((id) => opts.policy.canUseCluster(identity, id)).sort();
    },
    require(identity, clusterId) {
      // Both checks always run, so an allowed-but-unknown and a known-but-forbidden cluster cost the same.
      const isKnown = known(clusterId);
      const allowed = opts.policy.canUseCluster(identity, clusterId);
      if (!(isKnown && allowed)) throw new KubentlyError('not_found', 'cluster not found');
    },
  };
}
