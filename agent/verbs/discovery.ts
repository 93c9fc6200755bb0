// Legacy discovery (/api, /apis, /api/v1, /apis/<group>/<version>), cached briefly. kubectl's
// ServerPreferredResources: for each group, a resource appears under the first (preferred) version
// that serves it; subresources (`pods/log`) are left out.

import { getJson, type VerbContext } from './context.js';

export interface ApiResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

interface GroupList {
  groups: {
    name: string;
    versions: { groupVersion: string; version: string }[];
    preferredVersion?: { groupVersion: string };
  }[];
}

export interface DiscoveredResource {
  group: string;
  groupVersion: string;
  resource: ApiResource;
}

/** Every group/version the server serves, core first, in the server's order. */
export async function serverGroupVersions(
  ctx: VerbContext,
): Promise<{ group: string; versions: string[] }[]> {
  return ctx.cache.get('discovery:groups', async () => {
    const core = await getJson<{ versions: string[] }>(ctx, '/api');
    const groups = await getJson<GroupList>(ctx, '/apis');
    return [
      { group: '', versions: core.versions },
      ...groups.groups.map((g) => ({ group: g.name, versions: g.versions.map((v) => v.groupVersion) })),
    ];
  });
}

async function resourcesOf(ctx: VerbContext, groupVersion: string): Promise<ApiResource[]> {
  return ctx.cache.get(`discovery:${groupVersion}`, async () => {
    const path = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
    const list = await getJson<{ resources: ApiResource[] }>(ctx, path);
    return list.resources;
  });
}

/** Makes the next discovery read go to the apiserver (a type may have been installed since). */
export function forgetDiscovery(ctx: VerbContext): void {
  ctx.cache.forget('discovery:');
}

/**
 * Every served type, each under its group's first (preferred) version that serves it. With
 * `skipFailedGroups`, a group/version whose list cannot be read (an aggregated API such as metrics-server
 * that is down) is left out instead of failing the whole answer, as kubectl 1.32's RESTMapper goes on with
 * partial discovery (`couldn't get resource list for ...`); the core group is always required. Aborts are
 * never swallowed. `api-resources` keeps the strict form: kubectl fails it on a partial list.
 */
export async function serverPreferredResources(
  ctx: VerbContext,
  opts: { skipFailedGroups?: boolean } = {},
): Promise<DiscoveredResource[]> {
  const groups = await serverGroupVersions(ctx);
  const read = (gv: string) =>
    opts.skipFailedGroups && gv.includes('/')
      ? resourcesOf(ctx, gv).catch((err: unknown) => {
          if (ctx.signal.aborted) throw err;
          return [] as ApiResource[];
        })
      : resourcesOf(ctx, gv);
  const lists = await Promise.all(groups.map((g) => Promise.all(g.versions.map(read))));
  const out: DiscoveredResource[] = [];
  groups.forEach((g, gi) => {
    const seen = new Set<string>();
    g.versions.forEach((groupVersion, vi) => {
      for (const resource of lists[gi]?.[vi] ?? []) {
        if (resource.name.includes('/') || seen.has(resource.name)) continue;
        seen.add(resource.name);
        out.push({ group: g.group, groupVersion, resource });
      }
    });
  });
  return out;
}
