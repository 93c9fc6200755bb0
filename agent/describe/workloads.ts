// Deployment, ReplicaSet, DaemonSet and StatefulSet describers.

import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { type DescribeContext, listAll, nsPath } from './context.js';
import { describeEvents, searchEvents } from './events.js';
import {
  controllerOf,
  controllerUid,
  formatLabelSelector,
  formatLabels,
  intOrString,
  printAnnotationsMultiline,
  printLabelsMultiline,
  rfc1123z,
  type Stored,
  selectorString,
} from './format.js';
import { describePodTemplate } from './pod.js';
import { LEVEL_0, LEVEL_1, tabbed } from './prefix-writer.js';
import { canonicalQuantity } from './quantity.js';

interface PodCounts {
  running: number;
  waiting: number;
  succeeded: number;
  failed: number;
}

/** getPodStatusForController: pods matching the selector and controlled by `uid`, by phase. */
async function podStatusForController(
  ctx: DescribeContext,
  namespace: string,
  selector: string,
  uid: string | undefined,
): Promise<PodCounts> {
  const pods = await listAll<Pod>(ctx, nsPath(namespace, 'pods'), { labelSelector: selector });
  const counts: PodCounts = { running: 0, waiting: 0, succeeded: 0, failed: 0 };
  for (const p of pods) {
    if (controllerUid(p) !== uid) continue;
    const phase = p.status?.phase;
    if (phase === 'Running') counts.running++;
    else if (phase === 'Pending') counts.waiting++;
    else if (phase === 'Succeeded') counts.succeeded++;
    else if (phase === 'Failed') counts.failed++;
  }
  return counts;
}

const podsStatusLine = (c: PodCounts) =>
  `${c.running} Running / ${c.waiting} Waiting / ${c.succeeded} Succeeded / ${c.failed} Failed`;

function eventRef(obj: Stored<unknown>, kind: string) {
  return { name: obj.metadata.name, namespace: obj.metadata.namespace ?? '', kind, uid: obj.metadata.uid };
}

/** apiequality.Semantic.DeepEqual over JSON: empty and missing maps, lists and strings are equal. */
function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) =>
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) =>
      semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    );
  }
  return a === b;
}

function withoutHash(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const labels = { ...(template?.metadata?.labels ?? {}) };
  delete labels['pod-template-hash'];
  return { ...template, metadata: { ...(template?.metadata ?? {}), labels } };
}

/** deploymentutil.GetAllReplicaSetsInChunks: all old replica sets and the new one, by creation time. */
async function replicaSetsOf(
  ctx: DescribeContext,
  d: Stored<Deployment>,
): Promise<{ old: Stored<ReplicaSet>[]; new: Stored<ReplicaSet> | undefined }> {
  const selector = selectorString(d.spec?.selector) ?? '';
  const all = await listAll<Stored<ReplicaSet>>(
    ctx,
    nsPath(d.metadata.namespace ?? '', 'replicasets', 'apps/v1'),
    {
      labelSelector: selector,
    },
  );
  const owned = all.filter((rs) => controllerUid(rs) === d.metadata.uid);
  const created = (rs: Stored<ReplicaSet>) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
  owned.sort(
    (a, b) =>
      created(a) - created(b) ||
      (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0),
  );
  const target = withoutHash(d.spec?.template);
  const newRs = owned.find((rs) => semanticEqual(withoutHash(rs.spec?.template), target));
  return { old: owned.filter((rs) => rs !== newRs), new: newRs };
}

function rsList(list: Stored<ReplicaSet>[]): string {
  const s = list
    .map(
      (rs) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`,
    )
    .join(', ');
  return s === '' ? '<none>' : s;
}

export async function describeDeployment(ctx: DescribeContext, d: Stored<Deployment>): Promise<string> {
  const [events, rss] = await Promise.all([
    searchEvents(ctx, eventRef(d, 'Deployment')),
    replicaSetsOf(ctx, d).catch((err) => {
      if (ctx.signal.aborted) throw err;
      return { old: [], new: undefined };
    }),
  ]);
  const spec: Partial<NonNullable<Deployment['spec']>> = d.spec ?? {};
  const st = d.status ?? {};
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${d.metadata.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${d.metadata.namespace}\n`);
    w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(d.metadata.creationTimestamp)}\n`);
    printLabelsMultiline(w, 'Labels', d.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', d.metadata.annotations);
    w.write(LEVEL_0, `Selector:\t${selectorString(spec.selector) ?? ''}\n`);
    w.write(
      LEVEL_0,
      `Replicas:\t${spec.replicas ?? 0} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable\n`,
    );
    w.write(LEVEL_0, `StrategyType:\t${spec.strategy?.type ?? ''}\n`);
    w.write(LEVEL_0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
    const ru = spec.strategy?.rollingUpdate;
    if (ru)
      w.write(
        LEVEL_0,
        `RollingUpdateStrategy:\t${intOrString(ru.maxUnavailable)} max unavailable, ${intOrString(ru.maxSurge)} max surge\n`,
      );
    describePodTemplate(spec.template, w);
    const conditions = st.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tReason\n');
      w.write(LEVEL_1, '----\t------\t------\n');
      for (const c of conditions) w.write(LEVEL_1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
    }
    if (rss.old.length > 0 || rss.new) {
      w.write(LEVEL_0, `OldReplicaSets:\t${rsList(rss.old)}\n`);
      w.write(LEVEL_0, `NewReplicaSet:\t${rsList(rss.new ? [rss.new] : [])}\n`);
    }
    describeEvents(events, w, ctx.now);
  });
}

export async function describeReplicaSet(ctx: DescribeContext, rs: Stored<ReplicaSet>): Promise<string> {
  const selector = selectorString(rs.spec?.selector) ?? '';
  const [counts, events] = await Promise.all([
    podStatusForController(ctx, rs.metadata.namespace ?? '', selector, rs.metadata.uid).then(
      (c) => ({ ok: true as const, c }),
      (err: unknown) => {
        if (ctx.signal.aborted) throw err;
        return { ok: false as const, err };
      },
    ),
    searchEvents(ctx, eventRef(rs, 'ReplicaSet')),
  ]);
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${rs.metadata.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${rs.metadata.namespace}\n`);
    w.write(LEVEL_0, `Selector:\t${formatLabelSelector(rs.spec?.selector)}\n`);
    printLabelsMultiline(w, 'Labels', rs.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', rs.metadata.annotations);
    const controlledBy = controllerOf(rs);
    if (controlledBy) w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
    w.write(LEVEL_0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 0} desired\n`);
    w.write(LEVEL_0, 'Pods Status:\t');
    if (counts.ok) w.write(LEVEL_0, `${podsStatusLine(counts.c)}\n`);
    else w.write(LEVEL_0, `error in fetching pods: ${(counts.err as Error).message}\n`);
    describePodTemplate(rs.spec?.template, w);
    const conditions = rs.status?.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tReason\n');
      w.write(LEVEL_1, '----\t------\t------\n');
      for (const c of conditions) w.write(LEVEL_1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
    }
    describeEvents(events, w, ctx.now);
  });
}

export async function describeDaemonSet(ctx: DescribeContext, ds: Stored<DaemonSet>): Promise<string> {
  const selector = selectorString(ds.spec?.selector) ?? '';
  const [counts, events] = await Promise.all([
    podStatusForController(ctx, ds.metadata.namespace ?? '', selector, ds.metadata.uid),
    searchEvents(ctx, eventRef(ds, 'DaemonSet')),
  ]);
  const st: Partial<NonNullable<DaemonSet['status']>> = ds.status ?? {};
  return tabbed((w) => {
    // kubectl 1.32 prints no Namespace line for daemon sets.
    w.write(LEVEL_0, `Name:\t${ds.metadata.name}\n`);
    w.write(LEVEL_0, `Selector:\t${selector}\n`);
    w.write(LEVEL_0, `Node-Selector:\t${formatLabels(ds.spec?.template?.spec?.nodeSelector)}\n`);
    printLabelsMultiline(w, 'Labels', ds.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', ds.metadata.annotations);
    w.write(LEVEL_0, `Desired Number of Nodes Scheduled: ${st.desiredNumberScheduled ?? 0}\n`);
    w.write(LEVEL_0, `Current Number of Nodes Scheduled: ${st.currentNumberScheduled ?? 0}\n`);
    w.write(LEVEL_0, `Number of Nodes Scheduled with Up-to-date Pods: ${st.updatedNumberScheduled ?? 0}\n`);
    w.write(LEVEL_0, `Number of Nodes Scheduled with Available Pods: ${st.numberAvailable ?? 0}\n`);
    w.write(LEVEL_0, `Number of Nodes Misscheduled: ${st.numberMisscheduled ?? 0}\n`);
    w.write(LEVEL_0, `Pods Status:\t${podsStatusLine(counts)}\n`);
    describePodTemplate(ds.spec?.template, w);
    describeEvents(events, w, ctx.now);
  });
}

export async function describeStatefulSet(ctx: DescribeContext, ss: Stored<StatefulSet>): Promise<string> {
  const selector = selectorString(ss.spec?.selector) ?? '';
  const [counts, events] = await Promise.all([
    podStatusForController(ctx, ss.metadata.namespace ?? '', selector, ss.metadata.uid),
    searchEvents(ctx, eventRef(ss, 'StatefulSet')),
  ]);
  const spec: Partial<NonNullable<StatefulSet['spec']>> = ss.spec ?? {};
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${ss.metadata.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${ss.metadata.namespace}\n`);
    w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(ss.metadata.creationTimestamp)}\n`);
    w.write(LEVEL_0, `Selector:\t${selector}\n`);
    printLabelsMultiline(w, 'Labels', ss.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', ss.metadata.annotations);
    w.write(LEVEL_0, `Replicas:\t${spec.replicas ?? 0} desired | ${ss.status?.replicas ?? 0} total\n`);
    w.write(LEVEL_0, `Update Strategy:\t${spec.updateStrategy?.type ?? ''}\n`);
    const ru = spec.updateStrategy?.rollingUpdate;
    if (ru && ru.partition !== undefined && ru.partition !== null) {
      w.write(LEVEL_1, `Partition:\t${ru.partition}\n`);
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null)
        w.write(LEVEL_1, `MaxUnavailable:\t${intOrString(ru.maxUnavailable)}\n`);
    }
    w.write(LEVEL_0, `Pods Status:\t${podsStatusLine(counts)}\n`);
    describePodTemplate(spec.template, w);
    const templates = spec.volumeClaimTemplates ?? [];
    if (templates.length === 0) w.write(LEVEL_0, 'Volume Claims:\t<none>\n');
    else {
      w.write(LEVEL_0, 'Volume Claims:\n');
      for (const pvc of templates) {
        w.write(LEVEL_1, `Name:\t${pvc.metadata?.name ?? ''}\n`);
        const sc =
          pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ??
          pvc.spec?.storageClassName ??
          '';
        w.write(LEVEL_1, `StorageClass:\t${sc}\n`);
        printLabelsMultiline(w, 'Labels', pvc.metadata?.labels, '  ');
        printLabelsMultiline(w, 'Annotations', pvc.metadata?.annotations, '  ');
        const storage = pvc.spec?.resources?.requests?.storage;
        w.write(LEVEL_1, `Capacity:\t${storage === undefined ? '<default>' : canonicalQuantity(storage)}\n`);
        w.write(LEVEL_1, `Access Modes:\t[${(pvc.spec?.accessModes ?? []).join(' ')}]\n`);
      }
    }
    describeEvents(events, w, ctx.now);
  });
}
