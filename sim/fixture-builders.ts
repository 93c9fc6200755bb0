// Builders that fill in what the real control plane adds to every object (uid, resourceVersion,
// default tolerations, the service-account volume, conditions...), so fixtures.ts reads as data.

import { createHash } from 'node:crypto';
import type { KubeObject, LogLine, ObjectMeta } from './types.js';

/** Timestamps relative to the sim's start, second precision as the apiserver stores them. */
export interface Clock {
  ago(seconds: number): string;
  /** MicroTime (events.k8s.io eventTime, series.lastObservedTime). */
  agoMicro(seconds: number): string;
  now: number;
}

export function fixtureClock(now: number): Clock {
  const base = Math.floor(now / 1000) * 1000;
  return {
    now,
    ago: (seconds) => new Date(base - seconds * 1000).toISOString().replace('.000Z', 'Z'),
    agoMicro: (seconds) => new Date(base - seconds * 1000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'),
  };
}

/** Deterministic uid, so tests and parity runs see the same values on every start. */
export function uidOf(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function meta(
  kind: string,
  name: string,
  namespace: string | undefined,
  created: string,
  extra: Partial<ObjectMeta> = {},
): ObjectMeta {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    uid: uidOf(kind, namespace ?? '', name),
    creationTimestamp: created,
    ...extra,
  };
}

export interface ContainerFixture {
  name: string;
  image: string;
  ports?: { containerPort: number; name?: string; protocol?: string }[];
  env?: Record<string, unknown>[];
  resources?: Record<string, unknown>;
  command?: string[];
  args?: string[];
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  /** Mounts of the pod's own volumes; the service-account token mount is always added after them. */
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  /** The container's state as the kubelet reports it. */
  state: Record<string, unknown>;
  lastState?: Record<string, unknown>;
  ready: boolean;
  restartCount?: number;
}

export interface PodFixture {
  name: string;
  namespace: string;
  ageSeconds: number;
  labels: Record<string, string>;
  owner?: { kind: string; name: string; apiVersion?: string };
  nodeName?: string;
  podIP?: string;
  hostIP?: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  serviceAccountName?: string;
  containers: ContainerFixture[];
  initContainers?: ContainerFixture[];
  /** Overrides of the computed conditions, by type. */
  conditions?: Record<string, { status: string; reason?: string; message?: string; ageSeconds?: number }>;
  deletionAgoSeconds?: number;
  priorityClassName?: string;
  qosClass?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Record<string, unknown>[];
  volumes?: Record<string, unknown>[];
  annotations?: Record<string, string>;
}

const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

function containerSpec(c: ContainerFixture, tokenVolume: string): Record<string, unknown> {
  return {
    name: c.name,
    image: c.image,
    ...(c.command ? { command: c.command } : {}),
    ...(c.args ? { args: c.args } : {}),
    ...(c.ports ? { ports: c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) } : {}),
    ...(c.env ? { env: c.env } : {}),
    resources: c.resources ?? {},
    ...(c.livenessProbe ? { livenessProbe: c.livenessProbe } : {}),
    ...(c.readinessProbe ? { readinessProbe: c.readinessProbe } : {}),
    volumeMounts: [
      ...(c.volumeMounts ?? []),
      { name: tokenVolume, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: c.image.endsWith(':latest') ? 'Always' : 'IfNotPresent',
  };
}

function containerStatus(c: ContainerFixture, pod: PodFixture, _clock: Clock): Record<string, unknown> {
  const running = 'running' in c.state;
  const pulled = !(
    'waiting' in c.state && /Image|ErrImage/.test(String((c.state.waiting as { reason?: string }).reason))
  );
  return {
    name: c.name,
    state: c.state,
    lastState: c.lastState ?? {},
    ready: c.ready,
    restartCount: c.restartCount ?? 0,
    image: c.image.includes('/') || c.image.includes('.') ? c.image : `docker.io/library/${c.image}`,
    imageID: pulled
      ? `docker.io/library/${c.name}@sha256:${createHash('sha256').update(c.image).digest('hex')}`
      : '',
    ...(pulled && pod.nodeName
      ? { containerID: `containerd://${createHash('sha256').update(`${pod.name}/${c.name}`).digest('hex')}` }
      : {}),
    started: running,
  };
}

export function pod(p: PodFixture, clock: Clock): KubeObject {
  const created = clock.ago(p.ageSeconds);
  const tokenVolume = `kube-api-access-${uidOf(p.namespace, p.name).slice(0, 5)}`;
  const scheduled = p.nodeName !== undefined;
  const allReady = p.containers.every((c) => c.ready);
  const initDone = (p.initContainers ?? []).every((c) => 'terminated' in c.state);
  const startAge = p.ageSeconds - 1;
  const conditionAge = (t: string) => p.conditions?.[t]?.ageSeconds ?? startAge;
  const cond = (type: string, status: boolean) => {
    const o = p.conditions?.[type];
    return {
      type,
      status: o?.status ?? (status ? 'True' : 'False'),
      lastProbeTime: null,
      lastTransitionTime: clock.ago(conditionAge(type)),
      ...(o?.reason
        ? { reason: o.reason }
        : !status && (type === 'Ready' || type === 'ContainersReady')
          ? {
              reason: 'ContainersNotReady',
              message: `containers with unready status: [${p.containers
                .filter((c) => !c.ready)
                .map((c) => c.name)
                .join(' ')}]`,
            }
          : {}),
      ...(o?.message ? { message: o.message } : {}),
    };
  };
  const terminal = p.phase === 'Succeeded' || p.phase === 'Failed';
  const conditions = scheduled
    ? [
        cond('PodReadyToStartContainers', !terminal),
        cond('Initialized', initDone),
        cond('Ready', allReady),
        cond('ContainersReady', allReady),
        cond('PodScheduled', true),
      ]
    : [cond('PodScheduled', false)];
  const labels = p.labels;
  const ownerRefs = p.owner
    ? [
        {
          apiVersion: p.owner.apiVersion ?? 'apps/v1',
          kind: p.owner.kind,
          name: p.owner.name,
          uid: uidOf(p.owner.kind, p.namespace, p.owner.name),
          controller: true,
          blockOwnerDeletion: true,
        },
      ]
    : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('Pod', p.name, p.namespace, created, {
      labels,
      ...(p.annotations ? { annotations: p.annotations } : {}),
      ...(ownerRefs ? { ownerReferences: ownerRefs } : {}),
      ...(p.owner && p.owner.kind === 'ReplicaSet' ? { generateName: `${p.owner.name}-` } : {}),
      ...(p.deletionAgoSeconds !== undefined
        ? { deletionTimestamp: clock.ago(p.deletionAgoSeconds), deletionGracePeriodSeconds: 30 }
        : {}),
    } as Partial<ObjectMeta>),
    spec: {
      volumes: [
        ...(p.volumes ?? []),
        {
          name: tokenVolume,
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [
                    { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                  ],
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
      ...(p.initContainers
        ? { initContainers: p.initContainers.map((c) => containerSpec(c, tokenVolume)) }
        : {}),
      containers: p.containers.map((c) => containerSpec(c, tokenVolume)),
      restartPolicy: p.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}),
      serviceAccountName: p.serviceAccountName ?? 'default',
      serviceAccount: p.serviceAccountName ?? 'default',
      ...(p.nodeName ? { nodeName: p.nodeName } : {}),
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [...(p.tolerations ?? []), ...DEFAULT_TOLERATIONS],
      ...(p.priorityClassName ? { priorityClassName: p.priorityClassName } : {}),
      priority: p.priorityClassName ? 2000001000 : 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: p.phase,
      conditions,
      ...(p.hostIP ? { hostIP: p.hostIP, hostIPs: [{ ip: p.hostIP }] } : {}),
      ...(p.podIP ? { podIP: p.podIP, podIPs: [{ ip: p.podIP }] } : {}),
      ...(scheduled ? { startTime: clock.ago(startAge) } : {}),
      ...(p.initContainers && scheduled
        ? { initContainerStatuses: p.initContainers.map((c) => containerStatus(c, p, clock)) }
        : {}),
      ...(scheduled ? { containerStatuses: p.containers.map((c) => containerStatus(c, p, clock)) } : {}),
      qosClass: p.qosClass ?? (p.containers.some((c) => c.resources) ? 'Burstable' : 'BestEffort'),
    },
  };
}

/** Log lines spaced `stepSeconds` apart, the last one `endAgoSeconds` before the sim's start. */
export function logLines(
  clock: Clock,
  endAgoSeconds: number,
  stepSeconds: number,
  texts: string[],
): LogLine[] {
  return texts.map((text, i) => {
    const at = endAgoSeconds + (texts.length - 1 - i) * stepSeconds;
    const t = clock.agoMicro(at).replace(/(\.\d{6})Z$/, `$1${String(100 + i * 37).padStart(3, '0')}Z`);
    return { time: t, text };
  });
}

export function running(clock: Clock, startedAgoSeconds: number): Record<string, unknown> {
  return { running: { startedAt: clock.ago(startedAgoSeconds) } };
}

export function terminated(
  clock: Clock,
  reason: string,
  exitCode: number,
  startedAgo: number,
  finishedAgo: number,
): Record<string, unknown> {
  return {
    terminated: {
      exitCode,
      reason,
      startedAt: clock.ago(startedAgo),
      finishedAt: clock.ago(finishedAgo),
      containerID: `containerd://${createHash('sha256').update(`${reason}${startedAgo}`).digest('hex')}`,
    },
  };
}

export function waiting(reason: string, message?: string): Record<string, unknown> {
  return { waiting: { reason, ...(message ? { message } : {}) } };
}
