// Custom resource types resolved as kubectl resolves them: through discovery (ServerPreferredResources),
// by category, short name, plural, singular or Kind, optionally within a group. Discovery is cached with
// the other documents and read again once on a miss (a CRD installed since), at most once per
// `minRefreshMs`, so unknown names cannot make every command re-read discovery. The agent's own policy
// then judges the group that discovery answered, which the gateway could not know for a bare name.

import type { Target } from '../../common/command/types.js';
import { isBuiltInGroup, RESOURCE_TYPES, type ResourceType } from '../../common/resources.js';
import type { VerbContext } from './context.js';
import { type DiscoveredResource, forgetDiscovery, serverPreferredResources } from './discovery.js';
import { PolicyDeniedError, RefusedError } from './refused.js';

/** Whether custom resources of an API group may be read (the agent's policy for its cluster). */
export type AllowsGroup = (group: string) => boolean;

export interface TypeResolver {
  /** The served types a custom target names (several for a category), checked against `allowsGroup`. */
  resolve(ctx: VerbContext, target: Target): Promise<ResourceType[]>;
}

/** How often a miss may send discovery to the apiserver again (ms). */
export const DEFAULT_MIN_REFRESH_MS = 10_000;

const CATALOG = new Set(RESOURCE_TYPES.map((t) => `${t.group}/${t.resource}`));

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Whether a discovered type's group, version and plural are what the apiserver lets a CRD or an
 * aggregated API declare (DNS names, `group/version`). They become the path the agent reads; a dot
 * segment (`..`, `%2e%2e`) there would be resolved away by the URL and read another API's objects.
 */
function servable(d: DiscoveredResource): boolean {
  if (!DNS_LABEL.test(d.resource.name)) return false;
  if (d.group === '') return DNS_LABEL.test(d.groupVersion);
  const slash = d.groupVersion.indexOf('/');
  return (
    d.group.length <= 253 &&
    d.group.split('.').every((label) => DNS_LABEL.test(label)) &&
    d.groupVersion.slice(0, slash) === d.group &&
    DNS_LABEL.test(d.groupVersion.slice(slash + 1))
  );
}

function typeOf(d: DiscoveredResource): ResourceType {
  const r = d.resource;
  return {
    resource: r.name,
    singular: r.singularName || r.kind.toLowerCase(),
    kind: r.kind,
    group: d.group,
    version: d.groupVersion.includes('/')
      ? d.groupVersion.slice(d.groupVersion.indexOf('/') + 1)
      : d.groupVersion,
    namespaced: r.namespaced,
    shortNames: r.shortNames ?? [],
    categories: r.categories ?? [],
    verbs: r.verbs ?? [],
  };
}

/**
 * kubectl's order: a category expands to its members; otherwise a short name, then the plural, the
 * singular and the Kind (case-insensitive) name one type. With a group, only that group's types count.
 */
function match(served: readonly DiscoveredResource[], target: Target): ResourceType[] {
  const name = target.resource;
  const candidates = served.filter(
    (d) =>
      (target.group === '' || d.group === target.group) &&
      d.resource.verbs?.includes('list') !== false &&
      servable(d),
  );
  if (target.group === '') {
    const members = candidates.filter((d) => d.resource.categories?.includes(name));
    if (members.length > 0) return members.map(typeOf);
  }
  const byShort = candidates.find((d) => d.resource.shortNames?.includes(name));
  if (byShort) return [typeOf(byShort)];
  const byName = candidates.find(
    (d) =>
      d.resource.name === name || d.resource.singularName === name || d.resource.kind.toLowerCase() === name,
  );
  return byName ? [typeOf(byName)] : [];
}

export function createTypeResolver(
  allowsGroup: AllowsGroup,
  now: () => number = Date.now,
  minRefreshMs = DEFAULT_MIN_REFRESH_MS,
): TypeResolver {
  let lastRefresh = Number.NEGATIVE_INFINITY;
  return {
    async resolve(ctx, target) {
      let found = match(await serverPreferredResources(ctx, { skipFailedGroups: true }), target);
      if (found.length === 0 && now() - lastRefresh >= minRefreshMs) {
        lastRefresh = now();
        forgetDiscovery(ctx);
        found = match(await serverPreferredResources(ctx, { skipFailedGroups: true }), target);
      }
      const typed = target.group ? `${target.resource}.${target.group}` : target.resource;
      if (found.length === 0)
        throw new RefusedError(`error: the server doesn't have a resource type "${typed}"`);
      for (const type of found) {
        // A custom name is never a way to a built-in type: those are read under their own names, which
        // the policy's resource lists judge (and secrets are never read). Kubernetes' own groups (core,
        // apps, batch, coordination.k8s.io, ...) are always built in.
        const served = `${type.resource}${type.group ? `.${type.group}` : ''}`;
        if (isBuiltInGroup(type.group) || CATALOG.has(`${type.group}/${type.resource}`)) {
          throw new PolicyDeniedError(
            'resource_not_allowed',
            `"${typed}" is ${served}, a built-in type: name it as such`,
          );
        }
        if (!allowsGroup(type.group)) {
          throw new PolicyDeniedError(
            'custom_group_not_allowed',
            `policy does not allow custom resources of API group ${type.group} ("${typed}" is ${served})`,
          );
        }
      }
      return found;
    },
  };
}
