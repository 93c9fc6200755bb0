// Decides whether a parsed Command may run. Cheap per call: set lookups and precompiled globs only.

import type { Command } from '../command/types.js';
import { isBuiltInGroup, POD_LOG_SUBRESOURCE } from '../resources.js';
import { combine, identityEntries } from './compile.js';
import { isEmpty, matches } from './glob.js';
import type { Decision, IdentityEntry, Policy, PresetName } from './types.js';

const NO_CLUSTER = '\u0000base';

/** The policy with `clusters.<clusterId>` applied; clusters without an override share one result. */
export function policyForCluster(policy: Policy, clusterId: string): Policy {
  const layers = policy.clusters.get(clusterId);
  const key = layers ? clusterId : NO_CLUSTER;
  const cached = policy.byCluster.get(key);
  if (cached) return cached;
  let result: Policy = { ...policy, clusters: new Map(), byCluster: new Map() };
  for (const layer of layers ?? []) result = combine(result, layer);
  // A cluster-specific policy has no further overrides: applying it again changes nothing.
  result.byCluster.set(key, result);
  result.byCluster.set(NO_CLUSTER, result);
  policy.byCluster.set(key, result);
  return result;
}

/** The identity rules' entries of each layer that let this caller use the cluster (one list per rule). */
function clusterEntries(policy: Policy, caller: Caller, clusterId: string): IdentityEntry[][] {
  return policy.identityRules.map((rule) =>
    identityEntries(rule, caller.identity, caller.groups).filter((e) => matches(e.clusters, clusterId)),
  );
}

interface Caller {
  identity: string;
  groups: readonly string[];
}

/** Whether the identity (or one of its `group:<name>` identities) may use the cluster under every layer. */
export function canUseCluster(
  policy: Policy,
  identity: string,
  clusterId: string,
  groups: readonly string[] = [],
): boolean {
  const p = policyForCluster(policy, clusterId);
  return clusterEntries(p, { identity, groups }, clusterId).every((entries) => entries.length > 0);
}

// One entry must allow both the cluster and the namespace: a person in two groups gets each group's
// clusters with that group's namespaces, never one group's namespaces on the other group's clusters.
function namespaceAllowed(policy: Policy, command: Command, namespace: string): boolean {
  for (const rule of policy.namespaceRules) {
    if (!matches(rule.allow, namespace) || matches(rule.deny, namespace)) return false;
  }
  return clusterEntries(policy, callerOf(command), command.clusterId).every((entries) =>
    entries.some((e) => matches(e.namespaces, namespace)),
  );
}

/** -A reads every namespace, so it needs a policy that allows every namespace to this identity. */
function allNamespacesAllowed(policy: Policy, command: Command): boolean {
  for (const rule of policy.namespaceRules) if (!rule.allow.any || !isEmpty(rule.deny)) return false;
  return clusterEntries(policy, callerOf(command), command.clusterId).every((entries) =>
    entries.some((e) => e.namespaces.any),
  );
}

function callerOf(command: Command): Caller {
  return { identity: command.identity, groups: command.groups ?? [] };
}

const deny = (rule: string, reason: string, token?: string): Decision =>
  token === undefined ? { allowed: false, rule, reason } : { allowed: false, rule, reason, token };

/** Whether the policy lets get and describe read custom resources of some group on this cluster. */
export function readsCustomResources(policy: Policy, clusterId: string): boolean {
  return policyForCluster(policy, clusterId).customGroupRules.length > 0;
}

/**
 * Whether custom resources of API `group` are readable on the cluster: every layer's
 * `customResources.groups` matches it. Kubernetes' own groups never are (core, `apps`, `rbac.authorization.k8s.io`,
 * ...: see `isBuiltInGroup`): their types are read under their own names, which the resource lists judge.
 */
export function allowsCustomGroup(policy: Policy, clusterId: string, group: string): boolean {
  const rules = policyForCluster(policy, clusterId).customGroupRules;
  return !isBuiltInGroup(group) && rules.length > 0 && rules.every((rule) => matches(rule, group));
}

const CUSTOM_VERBS: ReadonlySet<string> = new Set(['get', 'describe']);

/** A custom target's check at the gateway: by its group when typed, else left to the agent's discovery. */
function customTargetDecision(p: Policy, command: Command, t: Command['targets'][number]): Decision | null {
  const token = t.group ? `${t.resource}.${t.group}` : t.resource;
  if (!CUSTOM_VERBS.has(command.verb) || !readsCustomResources(p, command.clusterId)) {
    return deny('resource_not_allowed', `policy ${p.name} does not allow ${command.verb} ${token}`, token);
  }
  if (t.group !== '' && isBuiltInGroup(t.group)) {
    return deny(
      'resource_not_allowed',
      `${token} is a built-in Kubernetes type, not a custom resource: policy ${p.name} does not list it`,
      token,
    );
  }
  if (t.group !== '' && !allowsCustomGroup(p, command.clusterId, t.group)) {
    return deny(
      'custom_group_not_allowed',
      `policy ${p.name} does not allow custom resources of API group ${t.group}`,
      token,
    );
  }
  return null;
}

export function evaluate(policy: Policy, command: Command): Decision {
  const p = policyForCluster(policy, command.clusterId);
  for (const t of command.targets) {
    if (t.resource === 'secrets') return deny('secret_forbidden', 'secrets are never readable', t.resource);
  }
  if (command.flags.forObject?.startsWith('secrets/')) {
    return deny('secret_forbidden', 'secrets are never readable', command.flags.forObject);
  }
  if (!canUseCluster(p, command.identity, command.clusterId, command.groups)) {
    return deny(
      'cluster_not_allowed',
      `identity may not use cluster ${command.clusterId}`,
      command.clusterId,
    );
  }
  if (!p.verbs.has(command.verb)) {
    return deny('verb_not_allowed', `policy ${p.name} does not allow ${command.verb}`, command.verb);
  }
  for (const t of command.targets) {
    const denied = t.custom ? customTargetDecision(p, command, t) : null;
    if (denied) return denied;
  }
  const allowedResources = p.resources.get(command.verb);
  if (allowedResources !== undefined && allowedResources !== 'any') {
    for (const t of command.targets) {
      if (t.custom) continue;
      const key = command.verb === 'logs' ? POD_LOG_SUBRESOURCE : t.resource;
      if (!allowedResources.has(key)) {
        return deny(
          'resource_not_allowed',
          `policy ${p.name} does not allow ${command.verb} ${key}`,
          t.resource,
        );
      }
    }
  }
  if (command.allNamespaces) {
    if (!allNamespacesAllowed(p, command)) {
      return deny(
        'all_namespaces_not_allowed',
        'policy restricts namespaces; name one with -n',
        '--all-namespaces',
      );
    }
  } else if (command.namespace !== null && !namespaceAllowed(p, command, command.namespace)) {
    return deny('namespace_not_allowed', `namespace ${command.namespace} is not allowed`, command.namespace);
  }
  const crossNamespace = allNamespacesAllowed(p, command) ? null : crossNamespaceRead(p, command);
  if (crossNamespace) return crossNamespace;
  if (command.flags.tail !== undefined && command.flags.tail > p.limits.logTailMax) {
    return deny('tail_too_large', `--tail may be at most ${p.limits.logTailMax}`, String(command.flags.tail));
  }
  if (command.timeoutMs > p.limits.timeoutMaxMs) {
    return deny(
      'timeout_too_long',
      `timeout may be at most ${p.limits.timeoutMaxMs / 1000}s`,
      String(command.timeoutMs),
    );
  }
  return { allowed: true, rule: 'allowed', reason: `allowed by policy ${p.name}` };
}

/**
 * Reads that are not namespaced but show what is inside namespaces, for an identity the policy keeps to
 * some namespaces: `describe node` (its table of the node's pods, every namespace), a Namespace object
 * (its quotas and limit ranges under describe, its labels and annotations under get) and `cluster-info`
 * (the Services of kube-system). A namespace object is readable when that namespace is; the rest is denied.
 */
function crossNamespaceRead(policy: Policy, command: Command): Decision | null {
  if (command.verb === 'cluster-info' && !namespaceAllowed(policy, command, 'kube-system')) {
    return deny(
      'cross_namespace_read',
      'cluster-info lists the services of namespace kube-system, which this identity may not read',
      'cluster-info',
    );
  }
  for (const t of command.targets) {
    if (t.resource === 'nodes' && command.verb === 'describe') {
      return deny(
        'cross_namespace_read',
        'describe node lists the pods of every namespace on the node, and policy restricts namespaces for this identity; use get nodes',
        t.names.length > 0 ? `node/${t.names[0]}` : 'nodes',
      );
    }
    if (t.resource !== 'namespaces') continue;
    if (t.names.length === 0) {
      return deny(
        'cross_namespace_read',
        'listing namespaces shows every namespace, and policy restricts namespaces for this identity; name one',
        'namespaces',
      );
    }
    const hidden = t.names.find((name) => !namespaceAllowed(policy, command, name));
    if (hidden !== undefined)
      return deny('namespace_not_allowed', `namespace ${hidden} is not allowed`, hidden);
  }
  return null;
}

export function presetName(policy: Policy): PresetName | 'custom' {
  return policy.preset ?? 'custom';
}

/** The timeout to run with: the request's (if any) capped at the policy's maximum. */
export function effectiveTimeoutMs(policy: Policy, clusterId: string, requestedMs?: number): number {
  const limits = policyForCluster(policy, clusterId).limits;
  return Math.min(requestedMs ?? limits.timeoutDefaultMs, limits.timeoutMaxMs);
}

/** The number of log lines to read: --tail if given (evaluate caps it), else the policy's default. */
export function effectiveLogTail(policy: Policy, command: Command): number {
  return command.flags.tail ?? policyForCluster(policy, command.clusterId).limits.logTailDefault;
}

export function maxOutputBytes(policy: Policy, clusterId: string): number {
  return policyForCluster(policy, clusterId).limits.maxOutputBytes;
}

/** The caps of a follow command on `clusterId`: how long (ms) and how many output bytes it may stream. */
export function streamLimits(policy: Policy, clusterId: string): { maxMs: number; maxBytes: number } {
  const { limits } = policyForCluster(policy, clusterId);
  return { maxMs: limits.streamMaxMs, maxBytes: limits.streamMaxBytes };
}
