// A ResourceQuota pair and a LimitRange for the payments namespace. Quota usage is computed from the
// fixture pods, claims and services, as the quota controller would, so it stays true when they change.

import { type Clock, meta } from './fixture-builders.js';
import type { KubeObject } from './types.js';

const DAY = 86_400;
const NAMESPACE = 'payments';

/** Millicores of a cpu quantity ('100m', '2', '0.5'). */
function millicores(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

function bytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`fixture quantity not understood: ${q}`);
  return Number(m[1]) * (m[2] ? (BINARY[m[2]] as number) : 1);
}

/** The canonical form the apiserver stores: '350m', '2', '640Mi', '1Gi', '0'. */
function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function formatBytes(n: number): string {
  for (const suffix of ['Gi', 'Mi', 'Ki']) {
    const unit = BINARY[suffix] as number;
    if (n !== 0 && n % unit === 0) return `${n / unit}${suffix}`;
  }
  return String(n);
}

interface PodShape {
  spec: {
    containers: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[];
  };
  status: { phase: string; qosClass?: string };
}

function sum(pods: PodShape[], kind: 'requests' | 'limits', resource: 'cpu' | 'memory'): number {
  let total = 0;
  for (const p of pods)
    for (const c of p.spec.containers) {
      const q = c.resources?.[kind]?.[resource];
      if (q !== undefined) total += resource === 'cpu' ? millicores(q) : bytes(q);
    }
  return total;
}

export function quotasAndLimits(
  clock: Clock,
  objects: Record<string, KubeObject[]>,
): { resourcequotas: KubeObject[]; limitranges: KubeObject[] } {
  const inNs = (resource: string) =>
    (objects[resource] ?? []).filter((o) => o.metadata.namespace === NAMESPACE);
  // Terminal pods no longer count against a quota.
  const pods = (inNs('pods') as unknown as PodShape[]).filter(
    (p) => p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed',
  );
  const compute = {
    pods: '20',
    'requests.cpu': '4',
    'requests.memory': '8Gi',
    'limits.memory': '16Gi',
    persistentvolumeclaims: '5',
    services: '10',
  };
  const computeUsed = {
    pods: String(pods.length),
    'requests.cpu': formatCpu(sum(pods, 'requests', 'cpu')),
    'requests.memory': formatBytes(sum(pods, 'requests', 'memory')),
    'limits.memory': formatBytes(sum(pods, 'limits', 'memory')),
    persistentvolumeclaims: String(inNs('persistentvolumeclaims').length),
    services: String(inNs('services').length),
  };
  const bestEffort = { pods: '5' };
  const quota = (
    name: string,
    hard: Record<string, string>,
    used: Record<string, string>,
    scopes?: string[],
  ) => ({
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: meta('ResourceQuota', name, NAMESPACE, clock.ago(3 * DAY)),
    spec: { hard, ...(scopes ? { scopes } : {}) },
    status: { hard, used },
  });
  return {
    resourcequotas: [
      quota('compute', compute, computeUsed),
      quota(
        'best-effort',
        bestEffort,
        { pods: String(pods.filter((p) => p.status.qosClass === 'BestEffort').length) },
        ['BestEffort'],
      ),
    ],
    limitranges: [
      {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: meta('LimitRange', 'payments-limits', NAMESPACE, clock.ago(3 * DAY)),
        spec: {
          // One resource per item: kubectl prints an item's resources in Go map order, which is random.
          limits: [
            {
              type: 'Container',
              max: { memory: '2Gi' },
              min: { memory: '16Mi' },
              default: { memory: '512Mi' },
              defaultRequest: { memory: '128Mi' },
              maxLimitRequestRatio: { memory: '4' },
            },
            { type: 'Pod', max: { cpu: '4' } },
            { type: 'PersistentVolumeClaim', max: { storage: '50Gi' }, min: { storage: '1Gi' } },
          ],
        },
      },
    ],
  };
}
