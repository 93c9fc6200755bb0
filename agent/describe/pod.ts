// describePod, DescribePodTemplate and the pod QoS class.

import type {
  Event,
  Pod,
  PodSpec as PodSpecV130,
  PodStatus,
  PodTemplateSpec,
  ResourceRequirements,
  TopologySpreadConstraint,
} from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { describeContainers, describeResources, type EnvResolver } from './containers.js';
import { type DescribeContext, getObject, nsPath } from './context.js';
import { describeEvents, searchEvents } from './events.js';
import {
  controllerOf,
  formatLabelSelector,
  printAnnotationsMultiline,
  printLabelsMultiline,
  printTolerationsMultiline,
  rfc1123z,
  since,
} from './format.js';
import { LEVEL_0, LEVEL_1, type PrefixWriter, tabbed } from './prefix-writer.js';
import { addQuantity, cmpQuantity, parseQuantity, type ResourceList } from './quantity.js';
import { describeVolumes } from './volumes.js';

/** kubernetes-types follows 1.30; describe follows kubectl 1.32, which prints pod-level resources. */
type PodSpec = PodSpecV130 & { resources?: ResourceRequirements };

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** qos.ComputePodQOS over cpu and memory of all containers and init containers. */
export function computeQos(pod: Pod): string {
  const requests: ResourceList = {};
  const limits: ResourceList = {};
  let guaranteed = true;
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of all) {
    for (const [name, raw] of Object.entries(c.resources?.requests ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parseQuantity(raw);
      if (q.mant > 0n) requests[name] = requests[name] ? addQuantity(q, requests[name]) : q;
    }
    const found = new Set<string>();
    for (const [name, raw] of Object.entries(c.resources?.limits ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parseQuantity(raw);
      if (q.mant > 0n) {
        found.add(name);
        limits[name] = limits[name] ? addQuantity(q, limits[name]) : q;
      }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of Object.entries(requests)) {
      const lim = limits[name];
      if (!lim || cmpQuantity(lim, req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && Object.keys(requests).length === Object.keys(limits).length
    ? 'Guaranteed'
    : 'Burstable';
}

/** EnvValueRetriever: client-go's scheme converts only metadata.name and metadata.namespace. */
function envResolver(pod: Pod): EnvResolver {
  return (e) => {
    const path = e.valueFrom?.fieldRef?.fieldPath;
    if (path === 'metadata.name') return pod.metadata?.name ?? '';
    if (path === 'metadata.namespace') return pod.metadata?.namespace ?? '';
    return '';
  };
}

function describeTopologySpreadConstraints(
  tscs: TopologySpreadConstraint[] | undefined,
  w: PrefixWriter,
  space: string,
): void {
  if (!tscs || tscs.length === 0) return;
  const sorted = [...tscs].sort((a, b) =>
    a.topologyKey < b.topologyKey ? -1 : a.topologyKey > b.topologyKey ? 1 : 0,
  );
  w.write(LEVEL_0, `${space}Topology Spread Constraints:\t`);
  sorted.forEach((t, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, space);
      w.write(LEVEL_0, '\t');
    }
    let s = `${t.topologyKey}:${t.whenUnsatisfiable} when max skew ${t.maxSkew} is exceeded`;
    if (t.labelSelector) s += ` for selector ${formatLabelSelector(t.labelSelector)}`;
    w.write(LEVEL_0, `${s}\n`);
  });
}

export function renderPod(pod: Pod, events: Event[] | null, now: number): string {
  const spec: Partial<PodSpec> = pod.spec ?? {};
  const status: PodStatus = pod.status ?? {};
  const md: ObjectMeta = pod.metadata ?? {};
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${md.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    if (spec.priority !== undefined && spec.priority !== null)
      w.write(LEVEL_0, `Priority:\t${spec.priority}\n`);
    if (spec.priorityClassName) w.write(LEVEL_0, `Priority Class Name:\t${spec.priorityClassName}\n`);
    if (spec.runtimeClassName) w.write(LEVEL_0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
    if (spec.serviceAccountName) w.write(LEVEL_0, `Service Account:\t${spec.serviceAccountName}\n`);
    w.write(LEVEL_0, spec.nodeName ? `Node:\t${spec.nodeName}/${status.hostIP ?? ''}\n` : 'Node:\t<none>\n');
    if (status.startTime) w.write(LEVEL_0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    if (md.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
      w.write(LEVEL_0, `Status:\tTerminating (lasts ${since(md.deletionTimestamp, now)})\n`);
      w.write(LEVEL_0, `Termination Grace Period:\t${md.deletionGracePeriodSeconds ?? 0}s\n`);
    } else {
      w.write(LEVEL_0, `Status:\t${status.phase ?? ''}\n`);
    }
    if (status.reason) w.write(LEVEL_0, `Reason:\t${status.reason}\n`);
    if (status.message) w.write(LEVEL_0, `Message:\t${status.message}\n`);
    const seccomp = spec.securityContext?.seccompProfile;
    if (seccomp) {
      w.write(LEVEL_0, `SeccompProfile:\t${seccomp.type ?? ''}\n`);
      if (seccomp.type === 'Localhost')
        w.write(LEVEL_0, `LocalhostProfile:\t${seccomp.localhostProfile ?? ''}\n`);
    }
    w.write(LEVEL_0, `IP:\t${status.podIP ?? ''}\n`);
    const ips = status.podIPs ?? [];
    if (ips.length === 0) w.write(LEVEL_0, 'IPs:\t<none>\n');
    else {
      w.write(LEVEL_0, 'IPs:\n');
      for (const ip of ips) w.write(LEVEL_1, `IP:\t${ip.ip}\n`);
    }
    const controlledBy = controllerOf(pod);
    if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
    if (status.nominatedNodeName) w.write(LEVEL_0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
    if (spec.resources) {
      w.write(LEVEL_0, 'Resources:\n');
      describeResources(spec.resources, w, LEVEL_1);
    }
    const resolve = envResolver(pod);
    if ((spec.initContainers ?? []).length > 0) {
      describeContainers(
        'Init Containers',
        spec.initContainers ?? [],
        status.initContainerStatuses,
        resolve,
        w,
        '',
      );
    }
    describeContainers('Containers', spec.containers ?? [], status.containerStatuses, resolve, w, '');
    if ((spec.ephemeralContainers ?? []).length > 0) {
      describeContainers(
        'Ephemeral Containers',
        spec.ephemeralContainers ?? [],
        status.ephemeralContainerStatuses,
        resolve,
        w,
        '',
      );
    }
    const conditions = status.conditions ?? [];
    if ((spec.readinessGates ?? []).length > 0) {
      w.write(LEVEL_0, 'Readiness Gates:\n  Type\tStatus\n');
      for (const g of spec.readinessGates ?? []) {
        const c = conditions.find((x) => x.type === g.conditionType);
        w.write(LEVEL_1, `${g.conditionType} \t${c ? c.status : '<none>'} \n`);
      }
    }
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\n');
      for (const c of conditions) w.write(LEVEL_1, `${c.type} \t${c.status} \n`);
    }
    describeVolumes(spec.volumes, w, '');
    w.write(LEVEL_0, `QoS Class:\t${status.qosClass || computeQos(pod)}\n`);
    printLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
    printTolerationsMultiline(w, 'Tolerations', spec.tolerations);
    describeTopologySpreadConstraints(spec.topologySpreadConstraints, w, '');
    if (events) describeEvents(events, w, now);
  });
}

export async function describePod(ctx: DescribeContext, pod: Pod): Promise<string> {
  const md: ObjectMeta = pod.metadata ?? {};
  const mirrorUid = md.annotations?.[MIRROR_POD_ANNOTATION];
  const events = await searchEvents(ctx, {
    name: md.name ?? '',
    namespace: md.namespace ?? '',
    uid: mirrorUid ?? md.uid,
  });
  return renderPod(pod, events, ctx.now);
}

export function getPod(ctx: DescribeContext, namespace: string, name: string): Promise<Pod> {
  return getObject<Pod>(ctx, nsPath(namespace, `pods/${encodeURIComponent(name)}`));
}

/** DescribePodTemplate, shared by deployments, replica sets, daemon sets and stateful sets. */
export function describePodTemplate(template: PodTemplateSpec | undefined, w: PrefixWriter): void {
  w.write(LEVEL_0, 'Pod Template:\n');
  if (!template) {
    w.write(LEVEL_1, '<unset>');
    return;
  }
  const md: ObjectMeta = template.metadata ?? {};
  const spec: Partial<PodSpec> = template.spec ?? {};
  printLabelsMultiline(w, '  Labels', md.labels);
  if (Object.keys(md.annotations ?? {}).length > 0)
    printAnnotationsMultiline(w, '  Annotations', md.annotations);
  if (spec.serviceAccountName) w.write(LEVEL_1, `Service Account:\t${spec.serviceAccountName}\n`);
  if ((spec.initContainers ?? []).length > 0)
    describeContainers('Init Containers', spec.initContainers ?? [], undefined, undefined, w, '  ');
  describeContainers('Containers', spec.containers ?? [], undefined, undefined, w, '  ');
  describeVolumes(spec.volumes, w, '  ');
  describeTopologySpreadConstraints(spec.topologySpreadConstraints, w, '  ');
  if (spec.priorityClassName) w.write(LEVEL_1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabelsMultiline(w, '  Node-Selectors', spec.nodeSelector);
  printTolerationsMultiline(w, '  Tolerations', spec.tolerations);
}
