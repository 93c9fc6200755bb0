// The types the sim serves: Kubently's catalog plus what kubectl reads on its own (node leases for
// describe, controller revisions for rollout history), the metrics API, which Kubently never names, and
// the custom resources of sim/fixtures-troubleshoot.ts.

import { RESOURCE_TYPES, type ResourceType } from '../common/resources.js';
import { CERTIFICATE_CRD_SPEC } from './fixtures-troubleshoot.js';
import { METRICS_TYPES } from './metrics.js';

const READ = ['get', 'list', 'watch'] as const;

function extra(
  resource: string,
  singular: string,
  kind: string,
  group: string,
  namespaced: boolean,
  shortNames: string[] = [],
): ResourceType {
  return {
    resource,
    singular,
    kind,
    group,
    version: 'v1',
    namespaced,
    shortNames,
    categories: [],
    verbs: READ,
  };
}

/** A CRD's served type, as the apiextensions apiserver adds it to discovery. */
function crdType(crd: typeof CERTIFICATE_CRD_SPEC): ResourceType {
  return {
    resource: crd.names.plural,
    singular: crd.names.singular,
    kind: crd.names.kind,
    group: crd.group,
    version: crd.versions[0]?.name ?? 'v1',
    namespaced: crd.scope === 'Namespaced',
    shortNames: crd.names.shortNames,
    categories: crd.names.categories,
    verbs: READ,
  };
}

export const SIM_TYPES: readonly ResourceType[] = [
  ...RESOURCE_TYPES,
  extra('leases', 'lease', 'Lease', 'coordination.k8s.io', true),
  extra('controllerrevisions', 'controllerrevision', 'ControllerRevision', 'apps', true),
  crdType(CERTIFICATE_CRD_SPEC),
  // Aggregated APIs come last in discovery, as the real apiserver lists them.
  ...METRICS_TYPES,
];

/** Type by `group/version/resource` ('' group for core: '/v1/pods'). */
export const TYPE_BY_PATH = new Map<string, ResourceType>(
  SIM_TYPES.map((t) => [`${t.group}/${t.version}/${t.resource}`, t]),
);

export interface GroupVersions {
  group: string;
  versions: string[];
}

/** Groups in the order the real server lists them: core first, then by first appearance. */
export const GROUPS: readonly GroupVersions[] = (() => {
  const map = new Map<string, string[]>();
  for (const t of SIM_TYPES) {
    const v = map.get(t.group) ?? [];
    if (!v.includes(t.version)) v.push(t.version);
    map.set(t.group, v);
  }
  return [...map].map(([group, versions]) => ({ group, versions }));
})();

export function typesOf(group: string, version: string): ResourceType[] {
  return SIM_TYPES.filter((t) => t.group === group && t.version === version);
}
