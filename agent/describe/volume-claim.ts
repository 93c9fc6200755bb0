// PersistentVolumeClaim describer, as kubectl 1.32's describePersistentVolumeClaim: the claim, the pods
// that mount it or own it ("Used By"), its conditions and events.

import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { type DescribeContext, listAll, nsPath } from './context.js';
import { describeEvents, eventsAbout } from './events.js';
import { printAnnotationsMultiline, printLabelsMultiline, rfc1123z, type Stored, since } from './format.js';
import { LEVEL_0, LEVEL_1, type PrefixWriter, tabbed } from './prefix-writer.js';
import { canonicalQuantity } from './quantity.js';

/** storageutil.GetAccessModesAsString: the short forms in a fixed order, duplicates dropped. */
export function accessModesString(modes: readonly string[] | undefined): string {
  const has = new Set(modes ?? []);
  return (
    [
      ['ReadWriteOnce', 'RWO'],
      ['ReadOnlyMany', 'ROX'],
      ['ReadWriteMany', 'RWX'],
      ['ReadWriteOncePod', 'RWOP'],
    ] as const
  )
    .filter(([mode]) => has.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** getPodsForPVC: pods whose volumes name the claim, then owner pods not already listed. */
function podsUsing(pvc: Stored<PersistentVolumeClaim>, pods: Stored<Pod>[]): Stored<Pod>[] {
  const using: Stored<Pod>[] = [];
  for (const pod of pods) {
    for (const v of pod.spec?.volumes ?? [])
      if (v.persistentVolumeClaim && v.persistentVolumeClaim.claimName === pvc.metadata.name) using.push(pod);
  }
  for (const ref of pvc.metadata.ownerReferences ?? []) {
    if (ref.kind !== 'Pod') continue;
    const owner = pods.find((p) => p.metadata.uid === ref.uid);
    if (owner && !using.some((p) => p.metadata.uid === owner.metadata.uid)) using.push(owner);
  }
  return using;
}

/** printPodsMultiline: names sorted, one per line under the title. */
function printPods(w: PrefixWriter, title: string, pods: Stored<Pod>[]): void {
  w.write(LEVEL_0, `${title}:\t`);
  if (pods.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const names = pods.map((p) => p.metadata.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [i, name] of names.entries()) w.write(LEVEL_0, i === 0 ? `${name}\n` : `\t${name}\n`);
}

export async function describePersistentVolumeClaim(
  ctx: DescribeContext,
  pvc: Stored<PersistentVolumeClaim>,
): Promise<string> {
  const md = pvc.metadata;
  const namespace = md.namespace ?? '';
  // kubectl fails the whole describe when it cannot list the namespace's pods; so does this.
  const [pods, events] = await Promise.all([
    listAll<Stored<Pod>>(ctx, nsPath(namespace, 'pods')),
    eventsAbout(ctx, pvc, 'PersistentVolumeClaim'),
  ]);
  const spec: Partial<NonNullable<PersistentVolumeClaim['spec']>> = pvc.spec ?? {};
  const st: NonNullable<PersistentVolumeClaim['status']> = pvc.status ?? {};
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${md.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${namespace}\n`);
    const storageClass =
      md.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? spec.storageClassName ?? '';
    w.write(LEVEL_0, `StorageClass:\t${storageClass}\n`);
    w.write(
      LEVEL_0,
      md.deletionTimestamp
        ? `Status:\tTerminating (lasts ${since(md.deletionTimestamp, ctx.now)})\n`
        : `Status:\t${st.phase ?? ''}\n`,
    );
    w.write(LEVEL_0, `Volume:\t${spec.volumeName ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `Finalizers:\t[${(md.finalizers ?? []).join(' ')}]\n`);
    // Capacity and access modes come from the status once a volume is bound, as kubectl prints them.
    const bound = Boolean(spec.volumeName);
    const capacity =
      bound && st.capacity?.storage !== undefined ? canonicalQuantity(st.capacity.storage) : '';
    w.write(LEVEL_0, `Capacity:\t${bound ? capacity || '0' : ''}\n`);
    w.write(LEVEL_0, `Access Modes:\t${bound ? accessModesString(st.accessModes) : ''}\n`);
    if (spec.volumeMode) w.write(LEVEL_0, `VolumeMode:\t${spec.volumeMode}\n`);
    if (spec.dataSource) {
      w.write(LEVEL_0, 'DataSource:\n');
      if (spec.dataSource.apiGroup != null) w.write(LEVEL_1, `APIGroup:\t${spec.dataSource.apiGroup}\n`);
      w.write(LEVEL_1, `Kind:\t${spec.dataSource.kind}\n`);
      w.write(LEVEL_1, `Name:\t${spec.dataSource.name}\n`);
    }
    printPods(w, 'Used By', podsUsing(pvc, pods));
    const conditions = st.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n');
      w.write(LEVEL_1, 'Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n');
      w.write(LEVEL_1, '----\t------\t-----------------\t------------------\t------\t-------\n');
      for (const c of conditions) {
        w.write(
          LEVEL_1,
          `${c.type} \t${c.status} \t${rfc1123z(c.lastProbeTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`,
        );
      }
    }
    describeEvents(events, w, ctx.now);
  });
}
