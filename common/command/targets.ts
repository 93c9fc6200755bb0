// Positional arguments → targets: `pods,svc a b`, `pod/a svc/b`, `all`, `logs pod/x`, `explain pods.spec`.

import { RESOURCE_TYPES, type ResourceType, resolveResourceType } from '../resources.js';
import type { Target } from './types.js';
import { checkContainer, checkFieldPath, checkObjectName, invalid } from './values.js';

const TYPE_CHARS = /^[A-Za-z0-9.-]+$/;

/** kubectl's `all` category; secrets are never part of it, whatever the catalog says. */
export const ALL_CATEGORY: readonly ResourceType[] = RESOURCE_TYPES.filter(
  (t) => t.categories.includes('all') && t.resource !== 'secrets',
);

export function resolveType(typed: string, token: string): ResourceType {
  const type = TYPE_CHARS.test(typed) ? resolveResourceType(typed) : undefined;
  if (!type) invalid(`unknown resource type "${typed}"`, 'unknown_resource', token);
  return type;
}

const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;

/**
 * A type outside the catalog, for a policy that allows custom resources: `cert` (a short name, singular
 * or Kind the agent resolves through discovery) or `certificates.cert-manager.io` /
 * `certificates.v1.cert-manager.io` (kubectl's RESOURCE[.VERSION].GROUP; a CRD's group always holds a
 * dot). A name whose first part is a catalog type (`secrets.evil.io`, `pods.v2`) stays unknown, so
 * nothing can pass for a built-in type.
 */
function customType(typed: string, token: string): ResourceType {
  const parts = typed.toLowerCase().split('.');
  const [resource = ''] = parts;
  if (!TYPE_CHARS.test(typed) || parts.includes('') || resolveResourceType(resource) || resource === 'all')
    invalid(`unknown resource type "${typed}"`, 'unknown_resource', token);
  const rest = parts.length > 2 && VERSION.test(parts[1] ?? '') ? parts.slice(2) : parts.slice(1);
  if (parts.length > 1 && rest.length < 2)
    invalid(`unknown resource type "${typed}"`, 'unknown_resource', token);
  return {
    resource,
    singular: resource,
    kind: '',
    group: rest.join('.'),
    version: '',
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: [],
  };
}

const CUSTOM = new WeakSet<ResourceType>();

function toTargets(byResource: Map<ResourceType, Set<string>>): Target[] {
  return [...byResource].map(([type, names]) => {
    const target: Target = { resource: type.resource, group: type.group, names: [...names] };
    if (CUSTOM.has(type)) target.custom = true;
    return target;
  });
}

/** `typed` as a catalog type, or with `custom` a custom type (the same typed name is one object). */
function typeOf(
  typed: string,
  token: string,
  custom: boolean,
  seen: Map<string, ResourceType>,
): ResourceType {
  if (!custom || (TYPE_CHARS.test(typed) && resolveResourceType(typed))) return resolveType(typed, token);
  const type = customType(typed, token);
  const key = `${type.resource}.${type.group}`;
  const known = seen.get(key);
  if (known) return known;
  CUSTOM.add(type);
  seen.set(key, type);
  return type;
}

/**
 * get and describe: `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME [TYPE/NAME...]`. With `custom` (the policy
 * allows custom resources) a type outside the catalog becomes a target marked `custom`.
 */
export function parseResourceArgs(positionals: readonly string[], verb: string, custom = false): Target[] {
  const first = positionals[0];
  if (first === undefined)
    invalid(`${verb} needs a resource type, e.g. "${verb} pods"`, 'missing_resource', verb);
  const byResource = new Map<ResourceType, Set<string>>();
  const seen = new Map<string, ResourceType>();
  if (first.includes('/')) {
    for (const arg of positionals) {
      const slash = arg.indexOf('/');
      if (slash < 0) {
        invalid('when one argument is TYPE/NAME, every argument must be', 'mixed_resource_forms', arg);
      }
      const typed = arg.slice(0, slash);
      if (typed.toLowerCase() === 'all') invalid('"all" takes no object name', 'invalid_argument', arg);
      const type = typeOf(typed, arg, custom, seen);
      const name = checkObjectName(arg.slice(slash + 1), arg);
      const names = byResource.get(type) ?? new Set<string>();
      names.add(name);
      byResource.set(type, names);
    }
    return toTargets(byResource);
  }
  // Types before names, so `get pods; id` is rejected for `pods;`, the token that went wrong first.
  const types: ResourceType[] = [];
  let usedAll = false;
  for (const typed of first.split(',')) {
    if (typed.toLowerCase() === 'all') {
      usedAll = true;
      types.push(...ALL_CATEGORY);
    } else {
      types.push(typeOf(typed, typed === '' ? first : typed, custom, seen));
    }
  }
  const names = positionals.slice(1).map((n) => checkObjectName(n, n));
  for (const type of types) byResource.set(type, new Set(names));
  if (usedAll && names.length > 0) invalid('"all" takes no object name', 'invalid_argument', names[0]!);
  return toTargets(byResource);
}

export interface LogsArgs {
  target: Target;
  container?: string;
}

/** logs: `POD [CONTAINER]`, `pod/POD [CONTAINER]`, or nothing when -l selects the pods. */
export function parseLogsArgs(positionals: readonly string[], hasSelector: boolean): LogsArgs {
  const [podArg, containerArg, extra] = positionals;
  if (extra !== undefined)
    invalid('logs takes a pod and optionally a container', 'unexpected_argument', extra);
  if (podArg === undefined) {
    if (!hasSelector) invalid('logs needs a pod name or -l selector', 'missing_argument', 'logs');
    return { target: { resource: 'pods', group: '', names: [] } };
  }
  if (hasSelector) invalid('logs takes a pod name or a selector, not both', 'conflicting_flags', podArg);
  let name = podArg;
  const slash = podArg.indexOf('/');
  if (slash >= 0) {
    const type = resolveType(podArg.slice(0, slash), podArg);
    if (type.resource !== 'pods') {
      invalid(`logs reads pods only, not ${type.resource}`, 'unsupported_resource', podArg);
    }
    name = podArg.slice(slash + 1);
  }
  checkObjectName(name, podArg);
  const target: Target = { resource: 'pods', group: '', names: [name] };
  return containerArg === undefined
    ? { target }
    : { target, container: checkContainer(containerArg, containerArg) };
}

export interface ExplainArgs {
  target: Target;
  fieldPath?: string;
}

/** explain: `TYPE[.GROUP][.FIELD.PATH]`; the longest prefix that names a type is the type. */
export function parseExplainArgs(positionals: readonly string[]): ExplainArgs {
  const [arg, extra] = positionals;
  if (arg === undefined)
    invalid('explain needs a resource type, e.g. "explain pods.spec"', 'missing_resource', 'explain');
  if (extra !== undefined) invalid('explain takes one argument', 'unexpected_argument', extra);
  if (!TYPE_CHARS.test(arg)) invalid(`unknown resource type "${arg}"`, 'unknown_resource', arg);
  const parts = arg.split('.');
  // `pods..spec` and `pods.` would otherwise resolve through the type `pods.` (an empty group).
  if (parts.includes(''))
    invalid(
      `"${arg}" has an empty part: write TYPE[.GROUP][.FIELD.PATH], e.g. pods.spec`,
      'invalid_field_path',
      arg,
    );
  for (let k = Math.min(parts.length, 3); k >= 1; k--) {
    const type = resolveResourceType(parts.slice(0, k).join('.'));
    if (!type) continue;
    const target: Target = { resource: type.resource, group: type.group, names: [] };
    if (k === parts.length) return { target };
    return { target, fieldPath: checkFieldPath(parts.slice(k).join('.'), arg) };
  }
  return invalid(`unknown resource type "${parts[0]}"`, 'unknown_resource', arg);
}

/** events --for KIND/NAME → canonical `resource/name`. */
export function parseForObject(value: string): string {
  const slash = value.indexOf('/');
  if (slash <= 0) invalid('--for takes KIND/NAME, e.g. pod/web-0', 'invalid_flag_value', value);
  const type = resolveType(value.slice(0, slash), value);
  return `${type.resource}/${checkObjectName(value.slice(slash + 1), value)}`;
}
