// What the MCP tools tell a model about the caller: the clusters it may use and, per cluster policy, the verbs
// and resource types it may read. A model that knows the boundary up front asks for what it may have instead
// of learning it one denial at a time. Bounded: a caller with thousands of clusters gets a count and a pointer.

import type { Verb } from '../../common/command/types.js';
import { type Policy, policyForCluster } from '../../common/policy/index.js';

/** Cluster names listed in one description; the rest are counted (list_clusters has them all). */
export const MAX_LISTED_CLUSTERS = 40;
/** Resource names listed for one verb before the rest are counted. */
const MAX_LISTED_RESOURCES = 40;
/** The verbs whose policy entry lists resource types (the others, such as version, read none). */
const READING_VERBS: ReadonlySet<Verb> = new Set([
  'get',
  'describe',
  'logs',
  'events',
  'explain',
  'top',
  'rollout',
]);

function resourcesOf(p: Policy, verb: Verb): string {
  const rule = p.resources.get(verb);
  if (rule === undefined || rule === 'any') return 'any resource type except secrets';
  const names = [...rule].sort();
  const shown = names.slice(0, MAX_LISTED_RESOURCES).join(', ');
  return names.length > MAX_LISTED_RESOURCES
    ? `${shown} and ${names.length - MAX_LISTED_RESOURCES} more`
    : shown;
}

/** One cluster policy's verbs with their resources, a line each (`- get: pods, services`). */
function verbLines(p: Policy): string {
  return [...p.verbs]
    .sort()
    .map((verb) => (READING_VERBS.has(verb) ? `- ${verb}: ${resourcesOf(p, verb)}` : `- ${verb}`))
    .join('\n');
}

function clusterList(ids: readonly string[]): string {
  const shown = ids.slice(0, MAX_LISTED_CLUSTERS).join(', ');
  return ids.length > MAX_LISTED_CLUSTERS
    ? `${shown} and ${ids.length - MAX_LISTED_CLUSTERS} more (list_clusters names them all)`
    : shown;
}

/**
 * The caller's boundary in prose: for each group of clusters that share a policy, the verbs and the resource
 * types each may read. `clusters` are the caller's visible clusters (ClusterAccess.visible).
 */
export function policySummary(policy: Policy, clusters: readonly string[]): string {
  if (clusters.length === 0)
    return 'You may use no cluster yet: list_clusters shows clusters as their agents connect.';
  const groups = new Map<string, string[]>();
  for (const id of clusters) {
    const lines = verbLines(policyForCluster(policy, id));
    const group = groups.get(lines);
    if (group) group.push(id);
    else groups.set(lines, [id]);
  }
  const parts: string[] = [];
  let listed = 0;
  for (const [lines, ids] of groups) {
    if (listed >= MAX_LISTED_CLUSTERS) {
      parts.push('Other clusters have other policies: validate_command tells what one allows.');
      break;
    }
    listed += Math.min(ids.length, MAX_LISTED_CLUSTERS);
    parts.push(`On ${clusterList(ids)} you may run:\n${lines}`);
  }
  parts.push(
    'Secrets are never readable. Output formats: the default table, -o wide, -o json, -o yaml, -o name. ' +
      'Write verbs (apply, delete, edit, exec, ...) and flags that change the target (--kubeconfig, --context, ' +
      '--as, --server, ...) are always refused.' +
      ([...groups.keys()].some((lines) => lines.includes('- rollout:'))
        ? ' rollout takes status (with --watch=false) and history only.'
        : ''),
  );
  return parts.join('\n\n');
}
