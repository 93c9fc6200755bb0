// The security guide's rules as functions over rendered objects. Each returns the violations it finds
// (empty when the manifests comply), so tests can also feed mutated objects and expect failures.

import type {
  V1Container,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
  V1PodSpec,
  V1PolicyRule,
} from '@kubernetes/client-node';
import { type K8sObject, objectId } from './k8s-render.js';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'] as const;
export const NON_ROOT_ID = 65534;

export interface PodTemplate {
  owner: K8sObject;
  labels: Record<string, string>;
  spec: V1PodSpec;
}

export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects
    .filter((o) => (WORKLOAD_KINDS as readonly string[]).includes(o.kind))
    .map((owner) => {
      const template = (
        owner.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: V1PodSpec } }
      ).template;
      return { owner, labels: template.metadata?.labels ?? {}, spec: template.spec };
    });
}

function containers(spec: V1PodSpec): V1Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

export function checkSecurityContexts(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { owner, spec } of podTemplates(objects)) {
    const id = objectId(owner);
    const pod = spec.securityContext ?? {};
    if (pod.runAsNonRoot !== true) problems.push(`${id}: pod runAsNonRoot is not true`);
    if (pod.runAsUser !== NON_ROOT_ID) problems.push(`${id}: pod runAsUser is not ${NON_ROOT_ID}`);
    if (pod.runAsGroup !== NON_ROOT_ID) problems.push(`${id}: pod runAsGroup is not ${NON_ROOT_ID}`);
    if (pod.seccompProfile?.type !== 'RuntimeDefault')
      problems.push(`${id}: pod seccomp is not RuntimeDefault`);
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push(`${id}: uses a host namespace`);
    for (const v of spec.volumes ?? []) if (v.hostPath) problems.push(`${id}: hostPath volume ${v.name}`);
    for (const c of containers(spec)) {
      const sc = c.securityContext ?? {};
      const where = `${id}/${c.name}`;
      if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && pod.runAsNonRoot !== true))
        problems.push(`${where}: runAsNonRoot is not true`);
      if ((sc.runAsUser ?? pod.runAsUser) !== NON_ROOT_ID) problems.push(`${where}: runs as another user`);
      if ((sc.runAsGroup ?? pod.runAsGroup) !== NON_ROOT_ID) problems.push(`${where}: runs as another group`);
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (sc.privileged) problems.push(`${where}: privileged`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
      if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
      if ((sc.capabilities?.add ?? []).length > 0) problems.push(`${where}: adds capabilities`);
      if (sc.seccompProfile && sc.seccompProfile.type !== 'RuntimeDefault')
        problems.push(`${where}: overrides seccomp`);
    }
  }
  return problems;
}

/** Containers without an endpoint to probe, and why they are exempt. */
export const PROBE_EXEMPT: Record<string, string> = {
  'config-reloader': 'the NATS reloader has no health endpoint; the kubelet restarts it when it exits',
};

export function checkProbesAndResources(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { owner, spec } of podTemplates(objects)) {
    for (const c of containers(spec)) {
      const where = `${objectId(owner)}/${c.name}`;
      const { requests = {}, limits = {} } = c.resources ?? {};
      for (const r of ['cpu', 'memory'])
        if (!requests[r] || !limits[r]) problems.push(`${where}: no ${r} request and limit`);
      // A Job's container runs to completion: there is nothing to restart or route traffic to.
      if (owner.kind === 'Job' || PROBE_EXEMPT[c.name]) continue;
      if (!c.livenessProbe) problems.push(`${where}: no liveness probe`);
      if (!c.readinessProbe) problems.push(`${where}: no readiness probe`);
    }
  }
  return problems;
}

export function checkImagesPinned(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { owner, spec } of podTemplates(objects)) {
    for (const c of containers(spec)) {
      const image = c.image ?? '';
      const tag = /^(?:.*\/)?[^/:@]+(?::([^/@]+))?(?:@sha256:[0-9a-f]{64})?$/.exec(image);
      const pinned = image.includes('@sha256:') || (tag?.[1] !== undefined && tag[1] !== 'latest');
      if (!pinned) problems.push(`${objectId(owner)}/${c.name}: image ${image} is not pinned`);
      if (c.imagePullPolicy === 'Always' && !pinned)
        problems.push(`${objectId(owner)}/${c.name}: floating pull`);
    }
  }
  return problems;
}

const SECRETISH_NAME = /(PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|AUTH)/i;

/** Secrets are referenced, never rendered; no secret value sits in env, args or a ConfigMap. */
export function checkNoInlineSecrets(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) if (o.kind === 'Secret') problems.push(`${objectId(o)}: Secret rendered inline`);
  for (const { owner, spec } of podTemplates(objects)) {
    for (const c of containers(spec)) {
      const where = `${objectId(owner)}/${c.name}`;
      const secretEnv = new Set<string>();
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) secretEnv.add(e.name);
        else if (e.value !== undefined && SECRETISH_NAME.test(e.name) && !e.name.endsWith('_FILE'))
          problems.push(`${where}: ${e.name} has an inline value`);
      }
      const argv = [...(c.command ?? []), ...(c.args ?? [])];
      for (const arg of argv) {
        if (/requirepass|--pass(word)?\b|^-a$|--token|--user=.+:/.test(arg))
          problems.push(`${where}: credential flag on the command line: ${arg}`);
        for (const name of secretEnv)
          if (arg.includes(`$(${name})`)) problems.push(`${where}: secret ${name} expanded into argv`);
      }
    }
  }
  for (const o of objects.filter((x) => x.kind === 'ConfigMap')) {
    for (const [key, value] of Object.entries((o.data as Record<string, string> | undefined) ?? {})) {
      if (/^\s*requirepass\s/m.test(value))
        problems.push(`${objectId(o)}:${key}: requirepass in a ConfigMap`);
      if (/(password|token)\s*[:=]\s*(?!\$)["']?[^\s"'$]{6,}/i.test(value))
        problems.push(`${objectId(o)}:${key}: literal password or token`);
    }
  }
  return problems;
}

export function checkAutomount(objects: K8sObject[], allowedComponents: readonly string[]): string[] {
  const problems: string[] = [];
  for (const { owner, labels, spec } of podTemplates(objects)) {
    const allowed = allowedComponents.includes(labels['app.kubernetes.io/component'] ?? '');
    if (spec.automountServiceAccountToken !== allowed)
      problems.push(
        `${objectId(owner)}: automountServiceAccountToken is ${spec.automountServiceAccountToken}`,
      );
  }
  for (const sa of objects.filter((o) => o.kind === 'ServiceAccount'))
    if (sa.automountServiceAccountToken !== false) problems.push(`${objectId(sa)}: automounts its token`);
  return problems;
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Every workload with more than one replica has a PDB over its pods and spreads across nodes. */
export function checkReplicated(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  for (const { owner, labels, spec } of podTemplates(objects)) {
    if (((owner.spec as { replicas?: number }).replicas ?? 1) < 2) continue;
    const id = objectId(owner);
    const pdb = pdbs.find(
      (p) =>
        p.metadata.namespace === owner.metadata.namespace &&
        matches(
          (p.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels,
          labels,
        ),
    );
    if (!pdb) problems.push(`${id}: no PodDisruptionBudget`);
    const anti = spec.affinity?.podAntiAffinity;
    const terms = [
      ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
    ];
    const spreads = terms.some(
      (t) => t.topologyKey === 'kubernetes.io/hostname' && matches(t.labelSelector?.matchLabels, labels),
    );
    if (!spreads) problems.push(`${id}: no podAntiAffinity over its own pods by host`);
  }
  return problems;
}

export const PSS_LABELS = ['enforce', 'audit', 'warn'].map((mode) => `pod-security.kubernetes.io/${mode}`);

export function checkNamespaces(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const ns of objects.filter((o) => o.kind === 'Namespace'))
    for (const label of PSS_LABELS)
      if (ns.metadata.labels?.[label] !== 'restricted')
        problems.push(`${objectId(ns)}: ${label} is not restricted`);
  return problems;
}

export function checkIngresses(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    const id = objectId(ing);
    const spec = ing.spec as {
      tls?: { hosts?: string[]; secretName?: string }[];
      rules?: { host?: string }[];
    };
    const tlsHosts = new Set((spec.tls ?? []).filter((t) => t.secretName).flatMap((t) => t.hosts ?? []));
    if (tlsHosts.size === 0) problems.push(`${id}: no TLS`);
    for (const rule of spec.rules ?? [])
      if (!rule.host || !tlsHosts.has(rule.host))
        problems.push(`${id}: host ${rule.host ?? '*'} is not under TLS`);
    const a = ing.metadata.annotations ?? {};
    for (const key of [
      'nginx.ingress.kubernetes.io/ssl-redirect',
      'nginx.ingress.kubernetes.io/force-ssl-redirect',
    ])
      if (a[key] !== 'true') problems.push(`${id}: ${key} is not "true"`);
  }
  return problems;
}

/** RBAC rules as sorted `group/resource:verb` strings, for exact comparison. */
export function ruleTriples(rules: V1PolicyRule[]): string[] {
  return rules
    .flatMap((r) =>
      (r.apiGroups ?? ['']).flatMap((g) =>
        (r.resources ?? []).flatMap((res) => r.verbs.map((v) => `${g === '' ? 'core' : g}/${res}:${v}`)),
      ),
    )
    .sort();
}

export function checkRbac(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const role of objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
    const id = objectId(role);
    if (role.aggregationRule) problems.push(`${id}: aggregates other roles`);
    for (const r of (role.rules as V1PolicyRule[] | undefined) ?? []) {
      const all = [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs, ...(r.resourceNames ?? [])];
      if (all.some((x) => x.includes('*'))) problems.push(`${id}: wildcard in ${JSON.stringify(r)}`);
      if ((r.nonResourceURLs ?? []).length > 0) problems.push(`${id}: grants non-resource URLs`);
      if ((r.resources ?? []).some((x) => x.split('/')[0] === 'secrets'))
        problems.push(`${id}: grants secrets`);
      if (r.verbs.some((v) => !['get', 'list', 'watch'].includes(v)))
        problems.push(`${id}: grants ${r.verbs}`);
    }
  }
  return problems;
}

/** A NetworkPolicy summarised as `direction peer port` strings, for exact comparison. */
export function policyFlows(np: V1NetworkPolicy): string[] {
  const peer = (p: V1NetworkPolicyPeer): string => {
    const sel = (s?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] }) =>
      s === undefined
        ? undefined
        : [
            ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
            ...(s.matchExpressions ?? []).map((e) => JSON.stringify(e)),
          ]
            .sort()
            .join(',') || '*';
    const parts: string[] = [];
    if (p.ipBlock) parts.push(`ip:${p.ipBlock.cidr}`);
    const ns = sel(p.namespaceSelector);
    if (ns !== undefined) parts.push(`ns:${ns}`);
    const pod = sel(p.podSelector);
    if (pod !== undefined) parts.push(`pod:${pod}`);
    return parts.join(' ');
  };
  const ports = (ps?: V1NetworkPolicyPort[]) =>
    (ps ?? [undefined]).map((p) => (p ? `${p.protocol ?? 'TCP'}/${p.port}` : 'any'));
  const flows: string[] = [];
  // Rendered YAML says `from`; client-node's type calls it `_from`.
  for (const rule of np.spec?.ingress ?? [])
    for (const from of (rule as { from?: V1NetworkPolicyPeer[] }).from ?? [{}])
      for (const port of ports(rule.ports)) flows.push(`in ${peer(from) || 'anywhere'} ${port}`);
  for (const rule of np.spec?.egress ?? [])
    for (const to of rule.to ?? [{}])
      for (const port of ports(rule.ports)) flows.push(`out ${peer(to) || 'anywhere'} ${port}`);
  return flows.sort();
}

/** Every namespace we create is default-deny for both directions. */
export function checkDefaultDeny(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
    const deny = objects.find((o) => {
      const np = o as unknown as V1NetworkPolicy & K8sObject;
      return (
        o.kind === 'NetworkPolicy' &&
        o.metadata.namespace === ns.metadata.name &&
        Object.keys(np.spec?.podSelector ?? { x: 1 }).length === 0 &&
        ['Ingress', 'Egress'].every((t) => np.spec?.policyTypes?.includes(t)) &&
        policyFlows(np).length === 0
      );
    });
    if (!deny) problems.push(`${objectId(ns)}: no default-deny NetworkPolicy`);
  }
  return problems;
}
