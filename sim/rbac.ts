// The simulated cluster's RBAC for the agent's own ServiceAccount, answered through the two self reviews an
// agent may create: SelfSubjectAccessReview (may I <verb> <resource>?) and SelfSubjectRulesReview (what may I
// do in this namespace?), shaped as kube-apiserver 1.32 answers them. Reads are still served as before; the
// rules only decide what the reviews say, so a test can give the ServiceAccount Secrets and see it reported.

import { badRequest, JSON_TYPE } from './status.js';
import type { SimResponse } from './types.js';

/** One PolicyRule of a (Cluster)Role bound to the ServiceAccount; `*` matches anything, as in RBAC. */
export interface SimRbacRule {
  verbs: string[];
  apiGroups: string[];
  /** `pods`, `pods/log`, `*`. */
  resources: string[];
}

const READ = ['get', 'list', 'watch'];

/** k8s/base/agent/rbac-cluster/clusterrole.yaml: the minimal read-only role, no Secrets, no ConfigMaps. */
export const DEFAULT_SIM_RBAC: readonly SimRbacRule[] = [
  {
    apiGroups: [''],
    resources: ['pods', 'nodes', 'services', 'endpoints', 'events', 'namespaces', 'persistentvolumes'],
    verbs: READ,
  },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'replicasets', 'daemonsets', 'statefulsets'],
    verbs: READ,
  },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: READ },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: READ },
];

/** What every authenticated user may do (the system:basic-user ClusterRole), listed by every rules review. */
const BASIC_USER_RULES: readonly SimRbacRule[] = [
  {
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
    verbs: ['create'],
  },
  { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
];

const matches = (list: readonly string[], value: string) => list.includes('*') || list.includes(value);

/** RBAC's decision: some rule names the verb, the group and the resource (with its subresource). */
export function rbacAllows(
  rules: readonly SimRbacRule[],
  verb: string,
  group: string,
  resource: string,
): boolean {
  return [...BASIC_USER_RULES, ...rules].some(
    (r) => matches(r.verbs, verb) && matches(r.apiGroups, group) && matches(r.resources, resource),
  );
}

/** Rules from a JSON file (`sim/main.ts --rbac`): an array of {verbs, apiGroups, resources} string arrays. */
export function parseRbacRules(text: string, source: string): SimRbacRule[] {
  const value: unknown = JSON.parse(text);
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (
    !Array.isArray(value) ||
    !value.every(
      (r) =>
        typeof r === 'object' &&
        r !== null &&
        strings(r.verbs) &&
        strings(r.apiGroups) &&
        strings(r.resources),
    )
  )
    throw new Error(`${source}: expected a JSON array of {verbs, apiGroups, resources} string arrays`);
  return value as SimRbacRule[];
}

/** Review bodies are small; a larger one is refused before it is parsed. */
export const MAX_REVIEW_BODY_BYTES = 64 * 1024;

export const REVIEW_PATH =
  /^\/apis\/authorization\.k8s\.io\/v1\/(selfsubjectaccessreviews|selfsubjectrulesreviews)\/?$/;

interface ReviewBody {
  spec?: {
    namespace?: unknown;
    resourceAttributes?: {
      verb?: unknown;
      group?: unknown;
      resource?: unknown;
      subresource?: unknown;
      namespace?: unknown;
    };
  };
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The answer to a POST of `kind` with `body` under `rules` (201 Created, as the apiserver answers a create). */
export function reviewSelf(kind: string, body: string, rules: readonly SimRbacRule[]): SimResponse {
  let review: ReviewBody;
  try {
    review = JSON.parse(body) as ReviewBody;
  } catch {
    return badRequest('the request body is not JSON');
  }
  if (typeof review !== 'object' || review === null) return badRequest('the request body is not an object');
  const created = (status: object, spec: object, kindName: string): SimResponse => ({
    status: 201,
    contentType: JSON_TYPE,
    body: JSON.stringify({
      kind: kindName,
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status,
    }),
  });
  if (kind === 'selfsubjectaccessreviews') {
    const a = review.spec?.resourceAttributes;
    if (!a) return badRequest('spec.resourceAttributes or spec.nonResourceAttributes is required');
    const resource = text(a.subresource) ? `${text(a.resource)}/${text(a.subresource)}` : text(a.resource);
    const allowed = rbacAllows(rules, text(a.verb), text(a.group), resource);
    return created(
      allowed
        ? { allowed, reason: 'RBAC: allowed by ClusterRoleBinding "kubently-agent-read"' }
        : { allowed },
      review.spec ?? {},
      'SelfSubjectAccessReview',
    );
  }
  const namespace = text(review.spec?.namespace);
  const resourceRules = [...BASIC_USER_RULES, ...rules].map((r) => ({
    verbs: r.verbs,
    apiGroups: r.apiGroups,
    resources: r.resources,
  }));
  return created(
    {
      resourceRules,
      nonResourceRules: [
        { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/version'] },
      ],
      incomplete: false,
    },
    { namespace },
    'SelfSubjectRulesReview',
  );
}
