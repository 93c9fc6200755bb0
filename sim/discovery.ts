// Discovery documents, legacy (APIVersions, APIGroupList, APIResourceList) and aggregated
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, which kubectl 1.32 asks for first). All are built
// once: they never change while the sim runs.

import { createHash } from 'node:crypto';
import type { ResourceType } from '../common/resources.js';
import { GROUPS, typesOf } from './catalog.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.2',
  gitCommit: '67a30c0adcf52bd3f56ff0893ce19966be12991f',
  gitTreeState: 'clean',
  buildDate: '2025-02-12T21:19:47Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function storageHash(t: ResourceType): string {
  return createHash('sha256').update(`${t.group}/${t.version}/${t.kind}`).digest('base64').slice(0, 11);
}

function legacyResources(group: string, version: string) {
  const resources: Record<string, unknown>[] = [];
  for (const t of typesOf(group, version)) {
    resources.push({
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: [...t.verbs],
      ...(t.shortNames.length ? { shortNames: [...t.shortNames] } : {}),
      ...(t.categories.length ? { categories: [...t.categories] } : {}),
      storageVersionHash: storageHash(t),
    });
    if (t.resource === 'pods')
      resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function aggregatedGroup(group: string, versions: string[]) {
  return {
    metadata: { name: group, creationTimestamp: null },
    versions: versions.map((version) => ({
      version,
      resources: typesOf(group, version).map((t) => ({
        resource: t.resource,
        responseKind: { group, version, kind: t.kind },
        scope: t.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: t.singular,
        verbs: [...t.verbs],
        ...(t.shortNames.length ? { shortNames: [...t.shortNames] } : {}),
        ...(t.categories.length ? { categories: [...t.categories] } : {}),
        ...(t.resource === 'pods'
          ? {
              subresources: [
                {
                  subresource: 'log',
                  responseKind: { group: '', version: 'v1', kind: 'Pod' },
                  verbs: ['get'],
                },
              ],
            }
          : {}),
      })),
      freshness: 'Current',
    })),
  };
}

const NON_CORE = GROUPS.filter((g) => g.group !== '');

export interface DiscoveryDocs {
  version: string;
  api: string;
  apis: string;
  aggregatedApi: (apiVersion: string) => string;
  aggregatedApis: (apiVersion: string) => string;
  /** Legacy resource lists by path: '/api/v1', '/apis/apps/v1'. */
  resourceLists: Map<string, string>;
  /** APIGroup documents by path: '/apis/apps'. */
  groups: Map<string, string>;
}

function groupDoc(g: { group: string; versions: string[] }) {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

export function buildDiscovery(): DiscoveryDocs {
  const resourceLists = new Map<string, string>();
  const groups = new Map<string, string>();
  for (const g of GROUPS) {
    for (const v of g.versions) {
      resourceLists.set(
        g.group ? `/apis/${g.group}/${v}` : `/api/${v}`,
        JSON.stringify(legacyResources(g.group, v)),
      );
    }
    if (g.group)
      groups.set(`/apis/${g.group}`, JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) }));
  }
  const core = GROUPS.find((g) => g.group === '');
  const aggregated = (apiVersion: string, items: unknown[]) =>
    JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items });
  const aggApi = new Map<string, string>();
  const aggApis = new Map<string, string>();
  return {
    version: JSON.stringify(SERVER_VERSION, null, 2),
    api: JSON.stringify({
      kind: 'APIVersions',
      versions: core?.versions ?? ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '172.18.0.2:6443' }],
    }),
    apis: JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: NON_CORE.map(groupDoc) }),
    aggregatedApi(apiVersion) {
      let doc = aggApi.get(apiVersion);
      if (!doc) {
        doc = aggregated(apiVersion, core ? [aggregatedGroup('', core.versions)] : []);
        aggApi.set(apiVersion, doc);
      }
      return doc;
    },
    aggregatedApis(apiVersion) {
      let doc = aggApis.get(apiVersion);
      if (!doc) {
        doc = aggregated(
          apiVersion,
          NON_CORE.map((g) => aggregatedGroup(g.group, g.versions)),
        );
        aggApis.set(apiVersion, doc);
      }
      return doc;
    },
    resourceLists,
    groups,
  };
}
