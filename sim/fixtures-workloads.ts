// Controllers owning the fixture pods: their status agrees with the pods (api has one unavailable
// replica, frontend and queue-consumer none available), as a real cluster's controllers would report.

import { type Clock, meta } from './fixture-builders.js';
import type { KubeObject } from './types.js';

const DAY = 86_400;

interface WorkloadFixture {
  name: string;
  namespace: string;
  ageSeconds: number;
  labels: Record<string, string>;
  containers: { name: string; image: string }[];
  replicas: number;
  ready: number;
  updated?: number;
  available?: number;
  /** Current and older ReplicaSet hashes, newest first. */
  hashes?: string[];
  /** Age of the current ReplicaSet when the last rollout was recent. */
  rolloutAgeSeconds?: number;
  /** Per ReplicaSet (as `hashes`): the first container's image then, and the change-cause annotation. */
  history?: { image?: string; changeCause?: string }[];
  /** The rollout stalled past progressDeadlineSeconds (Progressing False, ProgressDeadlineExceeded). */
  deadlineExceeded?: boolean;
}

function template(w: WorkloadFixture, hash?: string, image?: string) {
  return {
    metadata: { labels: { ...w.labels, ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: {
      containers: w.containers.map((c, i) => ({
        ...c,
        ...(i === 0 && image ? { image } : {}),
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      })),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  };
}

function deployment(w: WorkloadFixture, clock: Clock): KubeObject[] {
  const available = w.available ?? w.ready;
  const unavailable = w.replicas - available;
  const hashes = w.hashes ?? [];
  const deploy: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('Deployment', w.name, w.namespace, clock.ago(w.ageSeconds), {
      labels: w.labels,
      annotations: { 'deployment.kubernetes.io/revision': String(hashes.length) },
      generation: hashes.length,
    }),
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: w.labels },
      template: template(w),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: hashes.length,
      replicas: w.replicas,
      updatedReplicas: w.updated ?? w.replicas,
      readyReplicas: w.ready || undefined,
      availableReplicas: available || undefined,
      ...(unavailable > 0 ? { unavailableReplicas: unavailable } : {}),
      conditions: [
        unavailable > 0
          ? {
              type: 'Available',
              status: 'False',
              lastUpdateTime: clock.ago(20 * 60),
              lastTransitionTime: clock.ago(20 * 60),
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            }
          : {
              type: 'Available',
              status: 'True',
              lastUpdateTime: clock.ago(w.ageSeconds - 30),
              lastTransitionTime: clock.ago(w.ageSeconds - 30),
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
            },
        w.deadlineExceeded
          ? {
              type: 'Progressing',
              status: 'False',
              lastUpdateTime: clock.ago(60),
              lastTransitionTime: clock.ago(60),
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${w.name}-${hashes[0]}" has timed out progressing.`,
            }
          : {
              type: 'Progressing',
              status: 'True',
              lastUpdateTime: clock.ago(w.ageSeconds - 30),
              lastTransitionTime: clock.ago(w.ageSeconds),
              reason: 'NewReplicaSetAvailable',
              message: `ReplicaSet "${w.name}-${hashes[0]}" has successfully progressed.`,
            },
      ],
    },
  };
  const sets = hashes.map((hash, i): KubeObject => {
    const current = i === 0;
    const replicas = current ? w.replicas : 0;
    const past = w.history?.[i];
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta(
        'ReplicaSet',
        `${w.name}-${hash}`,
        w.namespace,
        clock.ago(current ? (w.rolloutAgeSeconds ?? w.ageSeconds) : w.ageSeconds),
        {
          labels: { ...w.labels, 'pod-template-hash': hash },
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(w.replicas),
            'deployment.kubernetes.io/max-replicas': String(w.replicas + 1),
            'deployment.kubernetes.io/revision': String(hashes.length - i),
            ...(past?.changeCause ? { 'kubernetes.io/change-cause': past.changeCause } : {}),
          },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: w.name,
              uid: deploy.metadata.uid ?? '',
              controller: true,
            },
          ],
        },
      ),
      spec: {
        replicas,
        selector: { matchLabels: { ...w.labels, 'pod-template-hash': hash } },
        template: template(w, hash, past?.image),
      },
      status: current
        ? {
            replicas,
            fullyLabeledReplicas: replicas,
            ...(w.ready ? { readyReplicas: w.ready } : {}),
            ...(available ? { availableReplicas: available } : {}),
            observedGeneration: 1,
          }
        : { replicas: 0, observedGeneration: 2 },
    };
  });
  return [deploy, ...sets];
}

export function workloads(clock: Clock): Record<string, KubeObject[]> {
  const deploys = [
    deployment(
      {
        name: 'web',
        namespace: 'default',
        ageSeconds: 12 * DAY,
        labels: { app: 'web' },
        containers: [{ name: 'nginx', image: 'nginx:1.27.3' }],
        replicas: 2,
        ready: 2,
        hashes: ['7c5ddbdf54', '6d8f7c9b5'],
        rolloutAgeSeconds: 6 * DAY,
        history: [
          { changeCause: 'kubectl set image deployment/web nginx=nginx:1.27.3 --record=true' },
          { image: 'nginx:1.26.2' },
        ],
      },
      clock,
    ),
    deployment(
      {
        name: 'api',
        namespace: 'default',
        ageSeconds: 12 * DAY,
        labels: { app: 'api', tier: 'backend' },
        containers: [{ name: 'api', image: 'registry.example.com/shop/api:2.4.0' }],
        replicas: 3,
        ready: 2,
        hashes: ['6b8f9d5c7', '5d9c8b7f6'],
        rolloutAgeSeconds: 35 * 60,
        history: [
          { changeCause: 'image api:2.4.0 — rollout café ☕' },
          { image: 'registry.example.com/shop/api:2.3.9', changeCause: 'initial deploy' },
        ],
      },
      clock,
    ),
    deployment(
      {
        name: 'frontend',
        namespace: 'default',
        ageSeconds: 22 * 60,
        labels: { app: 'frontend' },
        containers: [{ name: 'frontend', image: 'registry.example.com/shop/frontend:v9.9.9' }],
        replicas: 1,
        ready: 0,
        hashes: ['8f7d6c5b4'],
      },
      clock,
    ),
    deployment(
      {
        name: 'queue-consumer',
        namespace: 'default',
        ageSeconds: 18 * 60,
        labels: { app: 'queue-consumer' },
        containers: [{ name: 'consumer', image: 'registry.example.com/shop/queue-consumer:1.8.2' }],
        replicas: 1,
        ready: 0,
        hashes: ['7f9b8c6d5'],
        deadlineExceeded: true,
      },
      clock,
    ),
    deployment(
      {
        name: 'checkout',
        namespace: 'default',
        ageSeconds: 4 * DAY,
        labels: { app: 'checkout' },
        containers: [
          { name: 'checkout', image: 'registry.example.com/shop/checkout:3.1.0' },
          { name: 'envoy', image: 'envoyproxy/envoy:v1.32.1' },
        ],
        replicas: 1,
        ready: 1,
        hashes: ['5b7c9d8f6'],
      },
      clock,
    ),
    deployment(
      {
        name: 'payments-api',
        namespace: 'payments',
        ageSeconds: 8 * DAY,
        labels: { app: 'payments-api' },
        containers: [{ name: 'payments-api', image: 'registry.example.com/payments/api:1.12.0' }],
        replicas: 2,
        ready: 2,
        hashes: ['84c6d7f9b'],
      },
      clock,
    ),
    deployment(
      {
        name: 'prometheus',
        namespace: 'monitoring',
        ageSeconds: 30 * DAY,
        labels: { app: 'prometheus' },
        containers: [{ name: 'prometheus', image: 'quay.io/prometheus/prometheus:v3.1.0' }],
        replicas: 1,
        ready: 1,
        hashes: ['5d8c7b9f6'],
      },
      clock,
    ),
    deployment(
      {
        name: 'coredns',
        namespace: 'kube-system',
        ageSeconds: 45 * DAY,
        labels: { 'k8s-app': 'kube-dns' },
        containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.3' }],
        replicas: 2,
        ready: 2,
        hashes: ['668d6bf9bc'],
      },
      clock,
    ),
  ];
  const daemonset = (
    name: string,
    namespace: string,
    labels: Record<string, string>,
    image: string,
    age: number,
  ): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta('DaemonSet', name, namespace, clock.ago(age), { labels, generation: 1 }),
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name, image }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ operator: 'Exists' }],
        },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status: {
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      desiredNumberScheduled: 3,
      numberReady: 2,
      observedGeneration: 1,
      updatedNumberScheduled: 3,
      numberAvailable: 2,
      numberUnavailable: 1,
    },
  });
  return {
    deployments: deploys.map((d) => d[0] as KubeObject),
    replicasets: deploys.flatMap((d) => d.slice(1)),
    daemonsets: [
      daemonset(
        'node-exporter',
        'monitoring',
        { app: 'node-exporter' },
        'quay.io/prometheus/node-exporter:v1.8.2',
        30 * DAY,
      ),
      daemonset(
        'kube-proxy',
        'kube-system',
        { 'k8s-app': 'kube-proxy' },
        'registry.k8s.io/kube-proxy:v1.32.2',
        45 * DAY,
      ),
    ],
    statefulsets: [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: meta('StatefulSet', 'postgres', 'payments', clock.ago(20 * DAY), {
          labels: { app: 'postgres' },
          generation: 1,
        }),
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'postgres' } },
          serviceName: 'postgres',
          template: {
            metadata: { labels: { app: 'postgres' } },
            spec: { containers: [{ name: 'postgres', image: 'postgres:16.6' }] },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
            },
          ],
          podManagementPolicy: 'OrderedReady',
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        },
        status: {
          observedGeneration: 1,
          replicas: 1,
          readyReplicas: 1,
          currentReplicas: 1,
          updatedReplicas: 1,
          currentRevision: 'postgres-6c9d7b8f5d',
          updateRevision: 'postgres-6c9d7b8f5d',
          collisionCount: 0,
          availableReplicas: 1,
        },
      },
    ],
    jobs: [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: meta('Job', 'db-migrate', 'default', clock.ago(3 * DAY), {
          labels: { 'job-name': 'db-migrate' },
        }),
        spec: {
          parallelism: 1,
          completions: 1,
          backoffLimit: 6,
          selector: {
            matchLabels: { 'batch.kubernetes.io/controller-uid': 'c0ffee00-0000-4000-a000-000000000001' },
          },
          template: {
            metadata: { labels: { 'job-name': 'db-migrate' } },
            spec: {
              containers: [{ name: 'migrate', image: 'registry.example.com/shop/api:2.4.0' }],
              restartPolicy: 'Never',
            },
          },
        },
        status: {
          conditions: [
            {
              type: 'SuccessCriteriaMet',
              status: 'True',
              lastProbeTime: clock.ago(3 * DAY - 24),
              lastTransitionTime: clock.ago(3 * DAY - 24),
            },
            {
              type: 'Complete',
              status: 'True',
              lastProbeTime: clock.ago(3 * DAY - 24),
              lastTransitionTime: clock.ago(3 * DAY - 24),
            },
          ],
          startTime: clock.ago(3 * DAY),
          completionTime: clock.ago(3 * DAY - 24),
          succeeded: 1,
          terminating: 0,
          ready: 0,
        },
      },
    ],
    cronjobs: [
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: meta('CronJob', 'nightly-backup', 'payments', clock.ago(20 * DAY)),
        spec: {
          schedule: '0 2 * * *',
          concurrencyPolicy: 'Forbid',
          suspend: false,
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  containers: [{ name: 'backup', image: 'postgres:16.6' }],
                  restartPolicy: 'OnFailure',
                },
              },
            },
          },
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1,
        },
        status: { lastScheduleTime: clock.ago(9 * 3600), lastSuccessfulTime: clock.ago(9 * 3600 - 95) },
      },
    ],
    horizontalpodautoscalers: [
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: meta('HorizontalPodAutoscaler', 'web', 'default', clock.ago(12 * DAY)),
        spec: {
          scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
          minReplicas: 2,
          maxReplicas: 10,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
            },
          ],
        },
        status: {
          currentReplicas: 2,
          desiredReplicas: 2,
          currentMetrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', current: { averageValue: '17m', averageUtilization: 35 } },
            },
          ],
        },
      },
    ],
    replicationcontrollers: [],
  };
}
