// The Kubernetes resource types Kubently knows by name. The parser resolves aliases through it,
// the agent builds API paths from it and the simulated apiserver serves discovery from it.
// Types that no preset allows (secrets, configmaps, ...) are listed too, so that a command naming
// them is understood and then denied by policy with a reason, not rejected as gibberish.

export interface ResourceType {
  /** Canonical plural name, the policy's vocabulary: 'pods', 'deployments'. */
  resource: string;
  singular: string;
  kind: string;
  /** '' is the core group. */
  group: string;
  version: string;
  namespaced: boolean;
  shortNames: readonly string[];
  /** Category membership as kubectl's `all` expands it. */
  categories: readonly string[];
  verbs: readonly string[];
}

const READ = ['get', 'list', 'watch'] as const;

function rt(
  resource: string,
  singular: string,
  kind: string,
  group: string,
  version: string,
  namespaced: boolean,
  shortNames: string[] = [],
  categories: string[] = [],
): ResourceType {
  return { resource, singular, kind, group, version, namespaced, shortNames, categories, verbs: READ };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  rt('pods', 'pod', 'Pod', '', 'v1', true, ['po'], ['all']),
  rt('nodes', 'node', 'Node', '', 'v1', false, ['no']),
  rt('services', 'service', 'Service', '', 'v1', true, ['svc'], ['all']),
  rt('endpoints', 'endpoints', 'Endpoints', '', 'v1', true, ['ep']),
  rt('events', 'event', 'Event', '', 'v1', true, ['ev']),
  rt('namespaces', 'namespace', 'Namespace', '', 'v1', false, ['ns']),
  rt('persistentvolumes', 'persistentvolume', 'PersistentVolume', '', 'v1', false, ['pv']),
  rt('persistentvolumeclaims', 'persistentvolumeclaim', 'PersistentVolumeClaim', '', 'v1', true, ['pvc']),
  rt('configmaps', 'configmap', 'ConfigMap', '', 'v1', true, ['cm']),
  rt('secrets', 'secret', 'Secret', '', 'v1', true),
  rt('serviceaccounts', 'serviceaccount', 'ServiceAccount', '', 'v1', true, ['sa']),
  rt(
    'replicationcontrollers',
    'replicationcontroller',
    'ReplicationController',
    '',
    'v1',
    true,
    ['rc'],
    ['all'],
  ),
  rt('deployments', 'deployment', 'Deployment', 'apps', 'v1', true, ['deploy'], ['all']),
  rt('replicasets', 'replicaset', 'ReplicaSet', 'apps', 'v1', true, ['rs'], ['all']),
  rt('daemonsets', 'daemonset', 'DaemonSet', 'apps', 'v1', true, ['ds'], ['all']),
  rt('statefulsets', 'statefulset', 'StatefulSet', 'apps', 'v1', true, ['sts'], ['all']),
  rt('jobs', 'job', 'Job', 'batch', 'v1', true, [], ['all']),
  rt('cronjobs', 'cronjob', 'CronJob', 'batch', 'v1', true, ['cj'], ['all']),
  rt(
    'horizontalpodautoscalers',
    'horizontalpodautoscaler',
    'HorizontalPodAutoscaler',
    'autoscaling',
    'v2',
    true,
    ['hpa'],
    ['all'],
  ),
  rt('ingresses', 'ingress', 'Ingress', 'networking.k8s.io', 'v1', true, ['ing']),
  rt('networkpolicies', 'networkpolicy', 'NetworkPolicy', 'networking.k8s.io', 'v1', true, ['netpol']),
  rt('storageclasses', 'storageclass', 'StorageClass', 'storage.k8s.io', 'v1', false, ['sc']),
  rt('ingressclasses', 'ingressclass', 'IngressClass', 'networking.k8s.io', 'v1', false),
  rt('endpointslices', 'endpointslice', 'EndpointSlice', 'discovery.k8s.io', 'v1', true),
  rt('resourcequotas', 'resourcequota', 'ResourceQuota', '', 'v1', true, ['quota']),
  rt('limitranges', 'limitrange', 'LimitRange', '', 'v1', true, ['limits']),
  rt('poddisruptionbudgets', 'poddisruptionbudget', 'PodDisruptionBudget', 'policy', 'v1', true, ['pdb']),
  rt('priorityclasses', 'priorityclass', 'PriorityClass', 'scheduling.k8s.io', 'v1', false, ['pc']),
  rt(
    'customresourcedefinitions',
    'customresourcedefinition',
    'CustomResourceDefinition',
    'apiextensions.k8s.io',
    'v1',
    false,
    ['crd', 'crds'],
  ),
  rt('roles', 'role', 'Role', 'rbac.authorization.k8s.io', 'v1', true),
  rt('rolebindings', 'rolebinding', 'RoleBinding', 'rbac.authorization.k8s.io', 'v1', true),
  rt('clusterroles', 'clusterrole', 'ClusterRole', 'rbac.authorization.k8s.io', 'v1', false),
  rt(
    'clusterrolebindings',
    'clusterrolebinding',
    'ClusterRoleBinding',
    'rbac.authorization.k8s.io',
    'v1',
    false,
  ),
];

/**
 * The API groups Kubernetes 1.32 serves itself (kube-apiserver, kube-aggregator, and metrics-server's
 * `metrics.k8s.io`), from `kubectl api-versions` of a 1.32 control plane. Their types are built in, never
 * custom resources, so a policy's `customResources.groups` glob (even `*`) never reaches them: a built-in
 * type is readable only under its own name in the policy's resource lists. CRD groups such as
 * `gateway.networking.k8s.io` are not in this list and stay custom.
 */
export const KUBERNETES_API_GROUPS: ReadonlySet<string> = new Set([
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'metrics.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

/**
 * Whether an API group is Kubernetes' own: the core group, any group without a dot (apps, batch, policy,
 * autoscaling, ...; a CRD's group must hold one) or one of {@link KUBERNETES_API_GROUPS}.
 */
export function isBuiltInGroup(group: string): boolean {
  return !group.includes('.') || KUBERNETES_API_GROUPS.has(group.toLowerCase());
}

/** `pods/log` is a subresource the agent reads for `logs`; the RBAC and policy vocabulary name it so. */
export const POD_LOG_SUBRESOURCE = 'pods/log';

const byName = new Map<string, ResourceType>();
for (const type of RESOURCE_TYPES) {
  for (const name of [type.resource, type.singular, type.kind.toLowerCase(), ...type.shortNames]) {
    byName.set(name, type);
  }
}

/**
 * Resolves what a user typed (`po`, `Pods`, `deployments.apps`, `deployments.v1.apps`) to a known type.
 * Returns undefined for unknown names; the caller decides how to reject.
 */
export function resolveResourceType(typed: string): ResourceType | undefined {
  const lower = typed.toLowerCase();
  const direct = byName.get(lower);
  if (direct) return direct;
  const dot = lower.indexOf('.');
  if (dot <= 0) return undefined;
  const name = lower.slice(0, dot);
  const rest = lower.slice(dot + 1);
  const type = byName.get(name);
  if (!type) return undefined;
  // resource.group, resource.version.group, or resource.version. (core, e.g. secrets.v1.)
  const candidates = new Set([type.group, `${type.version}.${type.group}`, `${type.version}.`]);
  if (type.group === '') candidates.add(type.version);
  return candidates.has(rest) ? type : undefined;
}

/** Path of the collection on the API server, e.g. /apis/apps/v1/namespaces/default/deployments. */
export function collectionPath(type: ResourceType, namespace: string | null): string {
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  return type.namespaced && namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${type.resource}`
    : `${base}/${type.resource}`;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}
