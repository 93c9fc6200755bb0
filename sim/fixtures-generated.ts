// A namespace of many pods (20,000 of about 2.5 KB each by default), made on demand: only the pods a
// request reads are built, so the sim stays small while the agent under test sees a huge namespace,
// paged with `limit`/`continue` as the real apiserver pages it.

import { type Clock, meta, pod, running } from './fixture-builders.js';
import type { KubeObject, SimFixtures } from './types.js';

/** Pods of one namespace, in name order; `at(i)` builds the i-th when it is read. */
export interface GeneratedPods {
  namespace: string;
  count: number;
  nameAt(i: number): string;
  at(i: number): KubeObject;
  /** The index of the pod with this name, or -1. */
  indexOf(name: string): number;
}

export const GENERATED_POD_PREFIX = 'load-';

export function generatedPods(namespace: string, count: number, clock: Clock): GeneratedPods {
  const width = String(Math.max(count - 1, 0)).length;
  const nameAt = (i: number) => `${GENERATED_POD_PREFIX}${String(i).padStart(width, '0')}`;
  return {
    namespace,
    count,
    nameAt,
    indexOf(name) {
      const digits = name.slice(GENERATED_POD_PREFIX.length);
      if (!name.startsWith(GENERATED_POD_PREFIX) || digits.length !== width || !/^\d+$/.test(digits))
        return -1;
      const i = Number(digits);
      return i < count ? i : -1;
    },
    at(i) {
      const name = nameAt(i);
      const group = `shard-${i % 16}`;
      return pod(
        {
          name,
          namespace,
          ageSeconds: 3 * 86_400 + (i % 3_600),
          labels: { app: 'load', shard: group, 'pod-template-hash': '5d9c7b8f6' },
          owner: { kind: 'ReplicaSet', name: 'load-5d9c7b8f6' },
          nodeName: `worker-${(i % 3) + 1}`,
          podIP: `10.248.${Math.floor(i / 250) % 256}.${(i % 250) + 2}`,
          hostIP: `192.168.10.${(i % 3) + 11}`,
          phase: 'Running',
          containers: [
            {
              name: 'worker',
              image: 'registry.example.com/load/worker:1.4.2',
              ports: [{ containerPort: 8080, name: 'http' }],
              env: [{ name: 'SHARD', value: group }],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              state: running(clock, 3 * 86_400),
              ready: true,
            },
          ],
        },
        clock,
      );
    },
  };
}

/**
 * Adds a namespace of `count` generated pods to `fixtures` (and the Namespace object itself).
 * Generated pods are served in lists, by name and through selectors; they have no events and no logs.
 */
export function addGeneratedNamespace(
  fixtures: SimFixtures,
  clock: Clock,
  namespace = 'big',
  count = 20_000,
): void {
  fixtures.generated = {
    pods: [...(fixtures.generated?.pods ?? []), generatedPods(namespace, count, clock)],
  };
  fixtures.objects.namespaces = [
    ...(fixtures.objects.namespaces ?? []),
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta('Namespace', namespace, undefined, clock.ago(4 * 86_400), {
        labels: { 'kubernetes.io/metadata.name': namespace },
      }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    },
  ];
}
