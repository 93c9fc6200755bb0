// ControllerRevisions: the rollout history of daemon sets and stateful sets, as their controllers
// record it (kubectl rollout history reads them). Each revision's data is the strategic merge patch
// the controllers write: the whole pod template under spec.template with "$patch": "replace".

import { meta } from './fixture-builders.js';
import type { KubeObject } from './types.js';

interface Revision {
  hash: string;
  /** The first container's image at that revision; the owner's template otherwise. */
  image?: string;
  changeCause?: string;
}

/** Label the controllers put on their revisions (and pods) with the revision's hash. */
const HASH_LABEL: Record<string, string> = {
  DaemonSet: 'controller-revision-hash',
  StatefulSet: 'controller.kubernetes.io/hash',
};

function revisionsOf(owner: KubeObject, revisions: readonly Revision[]): KubeObject[] {
  const spec = owner.spec as {
    selector: { matchLabels: Record<string, string> };
    template: Record<string, unknown>;
  };
  const templateSpec = spec.template.spec as { containers: Record<string, unknown>[] };
  return revisions.map((r, i) => {
    const containers = templateSpec.containers.map((c, k) =>
      k === 0 && r.image ? { ...c, image: r.image } : c,
    );
    return {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: meta(
        'ControllerRevision',
        `${owner.metadata.name}-${r.hash}`,
        owner.metadata.namespace,
        owner.metadata.creationTimestamp ?? '',
        {
          labels: {
            ...spec.selector.matchLabels,
            [HASH_LABEL[owner.kind] ?? 'controller-revision-hash']: r.hash,
          },
          ...(owner.kind === 'DaemonSet' || r.changeCause
            ? {
                annotations: {
                  ...(owner.kind === 'DaemonSet'
                    ? { 'deprecated.daemonset.template.generation': String(i + 1) }
                    : {}),
                  ...(r.changeCause ? { 'kubernetes.io/change-cause': r.changeCause } : {}),
                },
              }
            : {}),
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: owner.kind,
              name: owner.metadata.name,
              uid: owner.metadata.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
      ),
      data: {
        spec: { template: { ...spec.template, spec: { ...templateSpec, containers }, $patch: 'replace' } },
      },
      revision: i + 1,
    };
  });
}

/** Revisions of the fixture daemon sets and stateful sets, oldest first; one owner has none recorded. */
export function controllerRevisions(workloads: Readonly<Record<string, KubeObject[]>>): KubeObject[] {
  const find = (resource: string, name: string) => workloads[resource]?.find((o) => o.metadata.name === name);
  const out: KubeObject[] = [];
  const nodeExporter = find('daemonsets', 'node-exporter');
  if (nodeExporter) {
    out.push(
      ...revisionsOf(nodeExporter, [
        { hash: '6b9f8d7c5', image: 'quay.io/prometheus/node-exporter:v1.8.1' },
        { hash: '7d4c9b8f6', changeCause: 'bump node-exporter to v1.8.2' },
      ]),
    );
  }
  const postgres = find('statefulsets', 'postgres');
  if (postgres) out.push(...revisionsOf(postgres, [{ hash: '6c9d7b8f5d' }]));
  return out;
}
