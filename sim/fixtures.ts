// The default fixture cluster: a small, realistically troubled cluster whose timestamps are relative
// to `now`, so AGE cells stay stable whatever the wall clock says.

import { fixtureClock } from './fixture-builders.js';
import { configAndIdentity, leases, namespaces, nodes, rbac, storage } from './fixtures-cluster.js';
import { events, logs } from './fixtures-events.js';
import { network } from './fixtures-network.js';
import { pods } from './fixtures-pods.js';
import { quotasAndLimits } from './fixtures-quotas.js';
import { controllerRevisions } from './fixtures-revisions.js';
import { troubleshooting } from './fixtures-troubleshoot.js';
import { workloads } from './fixtures-workloads.js';
import type { KubeObject, SimFixtures } from './types.js';

export const DEFAULT_SIM_USER = 'system:serviceaccount:kubently:kubently-agent';

export function defaultFixtures(now: number): SimFixtures {
  const clock = fixtureClock(now);
  const objects: Record<string, KubeObject[]> = {
    namespaces: namespaces(clock),
    nodes: nodes(clock),
    leases: leases(clock),
    pods: pods(clock),
    events: events(clock),
    ...workloads(clock),
    ...network(clock),
    ...storage(clock),
    ...configAndIdentity(clock),
    ...rbac(clock),
  };
  for (const [resource, added] of Object.entries(troubleshooting(clock)))
    objects[resource] = [...(objects[resource] ?? []), ...added];
  return {
    objects: {
      ...objects,
      ...quotasAndLimits(clock, objects),
      controllerrevisions: controllerRevisions(objects),
    },
    logs: logs(clock),
    user: DEFAULT_SIM_USER,
  };
}
