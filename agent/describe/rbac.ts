// Role, ClusterRole, RoleBinding and ClusterRoleBinding describers, as kubectl 1.32's (no events, and no
// Namespace line: kubectl prints neither for these kinds).

import type { ClusterRole, PolicyRule, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { DescribeContext } from './context.js';
import { printAnnotationsMultiline, printLabelsMultiline, type Stored } from './format.js';
import { LEVEL_0, LEVEL_1, tabbed } from './prefix-writer.js';

/** k8s.io/kubectl/pkg/util/rbac BreakdownRule: one group, resource, verb and resource name per rule. */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        const names = rule.resourceNames ?? [];
        if (names.length > 0) {
          for (const name of names)
            out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? [])
    for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

/**
 * CompactRules: rules of one group, resource and resource name merge their verbs (in first-seen order).
 * Go keeps the merged rules in a map, so their order before the sort below is Go's map order; the
 * stable sort on the rule's text decides it, as no two merged rules print alike.
 */
function compact(rules: PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    if ((rule.nonResourceURLs ?? []).length > 0) {
      compacted.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups?.[0], rule.resources?.[0], rule.resourceNames?.[0] ?? null]);
    const existing = simple.get(key);
    if (!existing) simple.set(key, { ...rule, verbs: [...rule.verbs] });
    else for (const verb of rule.verbs) if (!existing.verbs.includes(verb)) existing.verbs.push(verb);
  }
  return [...compacted, ...simple.values()];
}

const list = (v: readonly string[] | undefined): string => `[${(v ?? []).join(' ')}]`;

/** The generated protobuf String() of a PolicyRule, which SortableRuleSlice compares byte by byte. */
function ruleString(r: PolicyRule): string {
  return `&PolicyRule{Verbs:${list(r.verbs)},APIGroups:${list(r.apiGroups)},Resources:${list(r.resources)},ResourceNames:${list(r.resourceNames)},NonResourceURLs:${list(r.nonResourceURLs)},}`;
}

const byteCompare = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** CombineResourceGroup: `resource.group[/subresource]`. */
function resourceGroup(
  resources: readonly string[] | undefined,
  groups: readonly string[] | undefined,
): string {
  const first = resources?.[0];
  if (first === undefined) return '';
  const slash = first.indexOf('/');
  let combined = slash < 0 ? first : first.slice(0, slash);
  if (groups?.[0]) combined += `.${groups[0]}`;
  if (slash >= 0) combined += first.slice(slash);
  return combined;
}

export async function describeRole(_ctx: DescribeContext, role: Stored<Role | ClusterRole>): Promise<string> {
  const rules = compact((role.rules ?? []).flatMap(breakdown))
    .map((rule) => ({ rule, key: ruleString(rule) }))
    .sort((a, b) => byteCompare(a.key, b.key))
    .map((r) => r.rule);
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${role.metadata.name}\n`);
    printLabelsMultiline(w, 'Labels', role.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', role.metadata.annotations);
    w.write(LEVEL_0, 'PolicyRule:\n');
    w.write(LEVEL_1, 'Resources\tNon-Resource URLs\tResource Names\tVerbs\n');
    w.write(LEVEL_1, '---------\t-----------------\t--------------\t-----\n');
    for (const r of rules) {
      w.write(
        LEVEL_1,
        `${resourceGroup(r.resources, r.apiGroups)}\t${list(r.nonResourceURLs)}\t${list(r.resourceNames)}\t${list(r.verbs)}\n`,
      );
    }
  });
}

export async function describeRoleBinding(
  _ctx: DescribeContext,
  binding: Stored<RoleBinding>,
): Promise<string> {
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${binding.metadata.name}\n`);
    printLabelsMultiline(w, 'Labels', binding.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', binding.metadata.annotations);
    w.write(LEVEL_0, 'Role:\n');
    w.write(LEVEL_1, `Kind:\t${binding.roleRef?.kind ?? ''}\n`);
    w.write(LEVEL_1, `Name:\t${binding.roleRef?.name ?? ''}\n`);
    w.write(LEVEL_0, 'Subjects:\n');
    w.write(LEVEL_1, 'Kind\tName\tNamespace\n');
    w.write(LEVEL_1, '----\t----\t---------\n');
    for (const s of binding.subjects ?? []) w.write(LEVEL_1, `${s.kind}\t${s.name}\t${s.namespace ?? ''}\n`);
  });
}
