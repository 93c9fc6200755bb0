// NodeDescriber: conditions, capacity, the node's lease, its non-terminated pods and their share.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeSpec, NodeStatus, NodeSystemInfo, Pod } from 'kubernetes-types/core/v1.js';
import { type DescribeContext, getObject, listAll } from './context.js';
import { describeEvents, searchEvents } from './events.js';
import {
  printAnnotationsMultiline,
  printLabelsMultiline,
  printTaintsMultiline,
  rfc1123z,
  since,
  sortedKeys,
  sortStrings,
} from './format.js';
import { errorText, isApiError } from './kube-reader.js';
import { LEVEL_0, LEVEL_1, type PrefixWriter, tabbed } from './prefix-writer.js';
import {
  addResourceList,
  formatQuantity,
  maxResourceList,
  parseQuantity,
  parseResourceList,
  type Quantity,
  quantityMilliValue,
  quantityValue,
  type ResourceList,
  ZERO,
} from './quantity.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries<string>(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v !== '') roles.add(v);
  }
  return sortStrings([...roles]);
}

/** resourcehelper.PodRequestsAndLimits: containers summed, init containers as a maximum, plus overhead. */
export function podRequestsAndLimits(pod: Pod): { reqs: ResourceList; limits: ResourceList } {
  const of = (kind: 'requests' | 'limits') => {
    const total: ResourceList = {};
    for (const c of pod.spec?.containers ?? [])
      addResourceList(total, parseResourceList(c.resources?.[kind]));
    const restartable: ResourceList = {};
    const initMax: ResourceList = {};
    for (const c of pod.spec?.initContainers ?? []) {
      let r = parseResourceList(c.resources?.[kind]);
      if (c.restartPolicy === 'Always') {
        addResourceList(total, r);
        addResourceList(restartable, r);
        r = restartable;
      } else {
        const tmp: ResourceList = {};
        addResourceList(tmp, r);
        addResourceList(tmp, restartable);
        r = tmp;
      }
      maxResourceList(initMax, r);
    }
    maxResourceList(total, initMax);
    return total;
  };
  const reqs = of('requests');
  const limits = of('limits');
  const overhead = parseResourceList(pod.spec?.overhead);
  addResourceList(reqs, overhead);
  for (const [name, q] of Object.entries(overhead)) {
    if (limits[name]) addResourceList(limits, { [name]: q });
  }
  return { reqs, limits };
}

/** Go's int64(float64): truncation; NaN and infinities become math.MinInt64 on amd64. */
function percent(part: number, whole: number): string {
  const f = (part / whole) * 100;
  return Number.isFinite(f) ? String(Math.trunc(f)) : '-9223372036854775808';
}

const get = (list: ResourceList, name: string): Quantity => list[name] ?? ZERO;

function describeNodeResource(pods: Pod[], node: Node, w: PrefixWriter, now: number): void {
  w.write(LEVEL_0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(LEVEL_1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(LEVEL_1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const capacity = parseResourceList(node.status?.capacity);
  const allocatableRaw = parseResourceList(node.status?.allocatable);
  const allocatable = Object.keys(allocatableRaw).length > 0 ? allocatableRaw : capacity;
  const allocCpu = quantityMilliValue(get(allocatable, 'cpu'));
  const allocMem = quantityValue(get(allocatable, 'memory'));
  const allocEph = quantityValue(get(allocatable, 'ephemeral-storage'));
  const reqs: ResourceList = {};
  const limits: ResourceList = {};
  for (const pod of pods) {
    const pl = podRequestsAndLimits(pod);
    addResourceList(reqs, pl.reqs);
    addResourceList(limits, pl.limits);
    const cells = [
      [get(pl.reqs, 'cpu'), true],
      [get(pl.limits, 'cpu'), true],
      [get(pl.reqs, 'memory'), false],
      [get(pl.limits, 'memory'), false],
    ] as const;
    const text = cells
      .map(
        ([q, isCpu]) =>
          `${formatQuantity(q)} (${isCpu ? percent(quantityMilliValue(q), allocCpu) : percent(quantityValue(q), allocMem)}%)`,
      )
      .join('\t');
    w.write(
      LEVEL_1,
      `${pod.metadata?.namespace}\t${pod.metadata?.name}\t\t${text}\t${since(pod.metadata?.creationTimestamp, now)}\n`,
    );
  }
  w.write(LEVEL_0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(LEVEL_1, 'Resource\tRequests\tLimits\n');
  w.write(LEVEL_1, '--------\t--------\t------\n');
  const share = (q: Quantity, whole: number, milli: boolean) =>
    whole === 0
      ? '0'
      : String(Math.trunc(((milli ? quantityMilliValue(q) : quantityValue(q)) / whole) * 100));
  const row = (name: string, whole: number, milli: boolean) => {
    const r = get(reqs, name);
    const l = get(limits, name);
    w.write(
      LEVEL_1,
      `${name}\t${formatQuantity(r)} (${share(r, whole, milli)}%)\t${formatQuantity(l)} (${share(l, whole, milli)}%)\n`,
    );
  };
  row('cpu', allocCpu, true);
  row('memory', allocMem, false);
  row('ephemeral-storage', allocEph, false);
  const names = sortedKeys(allocatable);
  for (const name of names.filter((n) => n.startsWith('hugepages-')))
    row(name, quantityValue(get(allocatable, name)), false);
  const standard = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);
  for (const name of names.filter((n) => !n.startsWith('hugepages-') && !standard.has(n))) {
    w.write(LEVEL_1, `${name}\t${formatQuantity(get(reqs, name))}\t${formatQuantity(get(limits, name))}\n`);
  }
}

export async function describeNode(ctx: DescribeContext, node: Node): Promise<string> {
  const md = node.metadata ?? {};
  const name = md.name ?? '';
  const fieldSelector = `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed`;
  const [pods, lease, byUid, byName] = await Promise.all([
    listAll<Pod>(ctx, '/api/v1/pods', { fieldSelector }).then(
      (items): Pod[] | null => items,
      (err: unknown) => {
        if (isApiError(err) && err.statusCode === 403) return null;
        throw err;
      },
    ),
    getObject<Lease>(
      ctx,
      `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(name)}`,
    ).then(
      (l) => ({ lease: l as Lease | null, error: null }),
      (err: unknown) => {
        if (ctx.signal.aborted) throw err;
        return { lease: null, error: errorText(err) };
      },
    ),
    searchEvents(ctx, { name, namespace: '', kind: 'Node', uid: md.uid }),
    searchEvents(ctx, { name, namespace: '', kind: 'Node', uid: name }),
  ]);
  const spec: NodeSpec = node.spec ?? {};
  const st: NodeStatus = node.status ?? {};
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${name}\n`);
    const roles = nodeRoles(node);
    w.write(LEVEL_0, `Roles:\t${roles.length > 0 ? roles.join(',') : '<none>'}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(md.creationTimestamp)}\n`);
    printTaintsMultiline(w, 'Taints', spec.taints);
    w.write(LEVEL_0, `Unschedulable:\t${spec.unschedulable === true}\n`);
    if (lease.lease) {
      const ls = lease.lease.spec ?? {};
      w.write(LEVEL_0, 'Lease:\n');
      w.write(LEVEL_1, `HolderIdentity:\t${ls.holderIdentity ?? '<unset>'}\n`);
      w.write(LEVEL_1, `AcquireTime:\t${ls.acquireTime ? rfc1123z(ls.acquireTime) : '<unset>'}\n`);
      w.write(LEVEL_1, `RenewTime:\t${ls.renewTime ? rfc1123z(ls.renewTime) : '<unset>'}\n`);
    } else {
      w.write(LEVEL_0, `Lease:\tFailed to get lease: ${lease.error}\n`);
    }
    const conditions = st.conditions ?? [];
    if (conditions.length > 0) {
      w.write(
        LEVEL_0,
        'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n',
      );
      w.write(LEVEL_1, '----\t------\t-----------------\t------------------\t------\t-------\n');
      for (const c of conditions) {
        w.write(
          LEVEL_1,
          `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`,
        );
      }
    }
    w.write(LEVEL_0, 'Addresses:\n');
    for (const a of st.addresses ?? []) w.write(LEVEL_1, `${a.type}:\t${a.address}\n`);
    for (const [title, list] of [
      ['Capacity', st.capacity],
      ['Allocatable', st.allocatable],
    ] as const) {
      const keys = sortedKeys(list);
      if (keys.length === 0) continue;
      w.write(LEVEL_0, `${title}:\n`);
      for (const k of keys) w.write(LEVEL_0, `  ${k}:\t${formatQuantity(parseQuantity(list?.[k]))}\n`);
    }
    const info: Partial<NodeSystemInfo> = st.nodeInfo ?? {};
    w.write(LEVEL_0, 'System Info:\n');
    w.write(LEVEL_0, `  Machine ID:\t${info.machineID ?? ''}\n`);
    w.write(LEVEL_0, `  System UUID:\t${info.systemUUID ?? ''}\n`);
    w.write(LEVEL_0, `  Boot ID:\t${info.bootID ?? ''}\n`);
    w.write(LEVEL_0, `  Kernel Version:\t${info.kernelVersion ?? ''}\n`);
    w.write(LEVEL_0, `  OS Image:\t${info.osImage ?? ''}\n`);
    w.write(LEVEL_0, `  Operating System:\t${info.operatingSystem ?? ''}\n`);
    w.write(LEVEL_0, `  Architecture:\t${info.architecture ?? ''}\n`);
    w.write(LEVEL_0, `  Container Runtime Version:\t${info.containerRuntimeVersion ?? ''}\n`);
    w.write(LEVEL_0, `  Kubelet Version:\t${info.kubeletVersion ?? ''}\n`);
    w.write(LEVEL_0, `  Kube-Proxy Version:\t${info.kubeProxyVersion ?? ''}\n`);
    if (spec.podCIDR) w.write(LEVEL_0, `PodCIDR:\t${spec.podCIDR}\n`);
    if ((spec.podCIDRs ?? []).length > 0) w.write(LEVEL_0, `PodCIDRs:\t${spec.podCIDRs?.join(',')}\n`);
    if (spec.providerID) w.write(LEVEL_0, `ProviderID:\t${spec.providerID}\n`);
    if (pods) describeNodeResource(pods, node, w, ctx.now);
    else w.write(LEVEL_0, 'Pods:\tnot authorized\n');
    describeEvents([...byUid, ...byName], w, ctx.now);
  });
}
