// The pods of the troubled cluster, one per interesting state. Names are stable: tests rely on them.

import {
  type Clock,
  type ContainerFixture,
  type PodFixture,
  pod,
  running,
  terminated,
  waiting,
} from './fixture-builders.js';
import { NODE_IPS } from './fixtures-cluster.js';
import type { KubeObject } from './types.js';

const HOUR = 3600;
const DAY = 86_400;

const API_ENV = [
  { name: 'LOG_LEVEL', value: 'info' },
  { name: 'DATABASE_URL', value: 'postgres://postgres.payments.svc.cluster.local:5432/orders' },
  { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'api-db', key: 'password' } } },
  { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
];
const API_RESOURCES = { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } };
const API_PROBE = {
  httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
};

function w1(podIP: string) {
  return { nodeName: 'worker-1', hostIP: NODE_IPS['worker-1'], podIP };
}

function web(
  name: string,
  ip: string,
  age: number,
  clock: Clock,
  extra: Partial<PodFixture> = {},
): PodFixture {
  return {
    name,
    namespace: 'default',
    ageSeconds: age,
    labels: { app: 'web', 'pod-template-hash': name.split('-')[1] ?? '' },
    owner: { kind: 'ReplicaSet', name: name.split('-').slice(0, 2).join('-') },
    ...w1(ip),
    phase: 'Running',
    containers: [
      {
        name: 'nginx',
        image: 'nginx:1.27.3',
        ports: [{ containerPort: 80, name: 'http' }],
        resources: { requests: { cpu: '50m', memory: '64Mi' } },
        state: running(clock, age - 5),
        ready: true,
      },
    ],
    ...extra,
  };
}

function api(name: string, ip: string, clock: Clock, state: Partial<ContainerFixture>): PodFixture {
  return {
    name,
    namespace: 'default',
    ageSeconds: 35 * 60,
    labels: { app: 'api', tier: 'backend', 'pod-template-hash': '6b8f9d5c7' },
    owner: { kind: 'ReplicaSet', name: 'api-6b8f9d5c7' },
    ...w1(ip),
    phase: 'Running',
    serviceAccountName: 'api',
    containers: [
      {
        name: 'api',
        image: 'registry.example.com/shop/api:2.4.0',
        ports: [{ containerPort: 8080, name: 'http' }],
        env: API_ENV,
        resources: API_RESOURCES,
        readinessProbe: API_PROBE,
        livenessProbe: API_PROBE,
        state: running(clock, 35 * 60 - 8),
        ready: true,
        ...state,
      },
    ],
  };
}

function systemPod(
  name: string,
  node: keyof typeof NODE_IPS,
  image: string,
  clock: Clock,
  labels: Record<string, string>,
  owner?: PodFixture['owner'],
  hostNetwork = true,
): PodFixture {
  const nodeReady = node !== 'worker-2';
  return {
    name,
    namespace: 'kube-system',
    ageSeconds: 45 * DAY - 60,
    labels,
    ...(owner ? { owner } : {}),
    nodeName: node,
    hostIP: NODE_IPS[node],
    podIP: hostNetwork ? NODE_IPS[node] : `10.244.0.${name.length + 1}`,
    phase: 'Running',
    priorityClassName: 'system-node-critical',
    containers: [
      {
        name: labels.component ?? labels['k8s-app'] ?? labels.app ?? name,
        image,
        resources: { requests: { cpu: '100m' } },
        state: running(clock, 45 * DAY - 70),
        ready: nodeReady,
      },
    ],
    ...(nodeReady
      ? {}
      : { conditions: { Ready: { status: 'False', reason: 'NodeNotReady', ageSeconds: 1450 } } }),
  };
}

/** Annotations whose values exercise kubectl's YAML and JSON escaping (go-yaml v2, encoding/json). */
export const NON_ASCII_ANNOTATIONS: Record<string, string> = {
  'example.com/owner': 'Zoë Ünal — café ☕',
  'example.com/cjk': '台帳エクスポート 日本語',
  'example.com/emoji': 'ship it 🚀😀',
  'example.com/bell': 'ding\u0007dong',
  'example.com/esc': 'red \u001b[31mALERT\u001b[0m',
  'example.com/tab': 'a\tb',
  'example.com/nbsp': 'no\u00a0break',
  'example.com/nel': 'next\u0085line',
  'example.com/line-separator': 'one\u2028two',
  'example.com/bom': '\ufeffbom',
  'example.com/zero-width': 'zero\u200bwidth',
  'example.com/rtl': 'abc\u202edef',
  'example.com/trailing-space': 'ends with space ',
  'example.com/multiline': 'first line\nsecond line\n',
  'example.com/yes': 'yes',
  'example.com/number': '0123',
  'example.com/surrogate-pair': '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
};

export function pods(clock: Clock): KubeObject[] {
  const list: PodFixture[] = [
    web('web-7c5ddbdf54-2xkqp', '10.244.1.12', 6 * DAY, clock),
    web('web-7c5ddbdf54-9zt4m', '10.244.1.13', 6 * DAY, clock),
    // The previous ReplicaSet's last pod, stuck in its grace period.
    web('web-6d8f7c9b5-pq9rt', '10.244.1.9', 9 * DAY, clock, { deletionAgoSeconds: 40 }),
    // A default-container annotation naming no container: kubectl logs says so and reads the first.
    {
      ...api('api-6b8f9d5c7-h2lqs', '10.244.1.21', clock, {}),
      annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar' },
    },
    api('api-6b8f9d5c7-m8vbn', '10.244.1.22', clock, {}),
    api('api-6b8f9d5c7-x7k2p', '10.244.1.23', clock, {
      state: waiting(
        'CrashLoopBackOff',
        'back-off 5m0s restarting failed container=api pod=api-6b8f9d5c7-x7k2p_default(3f1a2b4c-0000-4000-a000-000000000001)',
      ),
      lastState: terminated(clock, 'Error', 1, 4 * 60 + 2, 4 * 60),
      ready: false,
      restartCount: 7,
    }),
    {
      name: 'frontend-8f7d6c5b4-qwert',
      namespace: 'default',
      ageSeconds: 22 * 60,
      labels: { app: 'frontend', 'pod-template-hash': '8f7d6c5b4' },
      owner: { kind: 'ReplicaSet', name: 'frontend-8f7d6c5b4' },
      ...w1('10.244.1.31'),
      phase: 'Pending',
      containers: [
        {
          name: 'frontend',
          image: 'registry.example.com/shop/frontend:v9.9.9',
          ports: [{ containerPort: 3000 }],
          state: waiting(
            'ImagePullBackOff',
            'Back-off pulling image "registry.example.com/shop/frontend:v9.9.9"',
          ),
          ready: false,
        },
      ],
    },
    {
      name: 'queue-consumer-7f9b8c6d5-zt8wq',
      namespace: 'default',
      ageSeconds: 18 * 60,
      labels: { app: 'queue-consumer', 'pod-template-hash': '7f9b8c6d5' },
      owner: { kind: 'ReplicaSet', name: 'queue-consumer-7f9b8c6d5' },
      phase: 'Pending',
      containers: [
        {
          name: 'consumer',
          image: 'registry.example.com/shop/queue-consumer:1.8.2',
          resources: { requests: { cpu: '2', memory: '4Gi' } },
          state: {},
          ready: false,
        },
      ],
      conditions: {
        PodScheduled: {
          status: 'False',
          reason: 'Unschedulable',
          message:
            '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
          ageSeconds: 18 * 60,
        },
      },
    },
    {
      name: 'report-builder',
      namespace: 'default',
      ageSeconds: 2 * HOUR,
      labels: { app: 'report-builder' },
      ...w1('10.244.1.40'),
      phase: 'Failed',
      restartPolicy: 'Never',
      containers: [
        {
          name: 'builder',
          image: 'registry.example.com/shop/report-builder:0.9.1',
          resources: { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } },
          state: terminated(clock, 'OOMKilled', 137, 2 * HOUR - 10, 100 * 60),
          ready: false,
        },
      ],
      conditions: {
        Ready: { status: 'False', reason: 'PodFailed' },
        ContainersReady: { status: 'False', reason: 'PodFailed' },
      },
    },
    {
      name: 'db-migrate-x9k4t',
      namespace: 'default',
      ageSeconds: 3 * DAY,
      labels: {
        'batch.kubernetes.io/job-name': 'db-migrate',
        'job-name': 'db-migrate',
        'batch.kubernetes.io/controller-uid': 'c0ffee00-0000-4000-a000-000000000001',
      },
      owner: { kind: 'Job', name: 'db-migrate', apiVersion: 'batch/v1' },
      ...w1('10.244.1.7'),
      phase: 'Succeeded',
      restartPolicy: 'Never',
      containers: [
        {
          name: 'migrate',
          image: 'registry.example.com/shop/api:2.4.0',
          command: ['/app/migrate', 'up'],
          env: API_ENV.slice(1, 3),
          state: terminated(clock, 'Completed', 0, 3 * DAY - 3, 3 * DAY - 24),
          ready: false,
        },
      ],
      conditions: {
        Ready: { status: 'False', reason: 'PodCompleted' },
        ContainersReady: { status: 'False', reason: 'PodCompleted' },
      },
    },
    {
      name: 'checkout-5b7c9d8f6-lm4np',
      namespace: 'default',
      ageSeconds: 4 * DAY,
      labels: { app: 'checkout', 'pod-template-hash': '5b7c9d8f6' },
      owner: { kind: 'ReplicaSet', name: 'checkout-5b7c9d8f6' },
      ...w1('10.244.1.50'),
      phase: 'Running',
      initContainers: [
        {
          name: 'migrate-schema',
          image: 'registry.example.com/shop/checkout:3.1.0',
          command: ['/app/checkout', 'migrate'],
          state: terminated(clock, 'Completed', 0, 4 * DAY - 4, 4 * DAY - 9),
          ready: true,
        },
      ],
      containers: [
        {
          name: 'checkout',
          image: 'registry.example.com/shop/checkout:3.1.0',
          ports: [{ containerPort: 8080, name: 'http' }],
          env: [
            { name: 'PAYMENTS_URL', value: 'http://payments-api.payments:8080' },
            {
              name: 'STRIPE_KEY',
              valueFrom: { secretKeyRef: { name: 'api-db', key: 'password', optional: false } },
            },
          ],
          resources: API_RESOURCES,
          state: running(clock, 4 * DAY - 10),
          ready: true,
        },
        {
          name: 'envoy',
          image: 'envoyproxy/envoy:v1.32.1',
          ports: [{ containerPort: 9901, name: 'admin' }],
          state: running(clock, 4 * DAY - 10),
          ready: true,
          restartCount: 1,
          lastState: terminated(clock, 'Error', 1, 4 * DAY - 9, 2 * DAY),
        },
      ],
    },
    // payments
    {
      name: 'postgres-0',
      namespace: 'payments',
      ageSeconds: 20 * DAY,
      labels: {
        app: 'postgres',
        'apps.kubernetes.io/pod-index': '0',
        'controller-revision-hash': 'postgres-6c9d7b8f5d',
        'statefulset.kubernetes.io/pod-name': 'postgres-0',
      },
      owner: { kind: 'StatefulSet', name: 'postgres' },
      ...w1('10.244.1.60'),
      phase: 'Running',
      containers: [
        {
          name: 'postgres',
          image: 'postgres:16.6',
          ports: [{ containerPort: 5432, name: 'postgres' }],
          env: [
            { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
            {
              name: 'POSTGRES_PASSWORD',
              valueFrom: { secretKeyRef: { name: 'postgres-credentials', key: 'postgres-password' } },
            },
          ],
          resources: { requests: { cpu: '250m', memory: '512Mi' } },
          state: running(clock, 20 * DAY - 20),
          ready: true,
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-postgres-0' } }],
    },
    ...['c8x2v', 'j4n7m'].map(
      (suffix, i): PodFixture => ({
        name: `payments-api-84c6d7f9b-${suffix}`,
        namespace: 'payments',
        ageSeconds: 8 * DAY,
        labels: { app: 'payments-api', 'pod-template-hash': '84c6d7f9b' },
        owner: { kind: 'ReplicaSet', name: 'payments-api-84c6d7f9b' },
        ...w1(`10.244.1.7${i}`),
        phase: 'Running',
        containers: [
          {
            name: 'payments-api',
            image: 'registry.example.com/payments/api:1.12.0',
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'DB_HOST', value: 'postgres' }],
            state: running(clock, 8 * DAY - 9),
            ready: true,
          },
        ],
      }),
    ),
    // Mounts a Secret and a projected volume with a secret source: describe names them, never reads them.
    {
      name: 'ledger-export',
      namespace: 'payments',
      ageSeconds: 5 * DAY,
      labels: { app: 'ledger-export', 'app.kubernetes.io/name': 'ledger', 'team-name': 'finance' },
      // Text that YAML printers must quote or escape: non-ASCII, emoji, CJK, controls, breaks.
      annotations: NON_ASCII_ANNOTATIONS,
      ...w1('10.244.1.74'),
      phase: 'Running',
      containers: [
        {
          name: 'exporter',
          image: 'registry.example.com/payments/ledger-export:2.0.1',
          resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          volumeMounts: [
            { name: 'signing-key', mountPath: '/etc/ledger/keys', readOnly: true },
            { name: 'tls', mountPath: '/etc/ledger/tls', readOnly: true },
          ],
          state: running(clock, 5 * DAY - 6),
          ready: true,
        },
      ],
      volumes: [
        { name: 'signing-key', secret: { secretName: 'ledger-signing-key', defaultMode: 256 } },
        {
          name: 'tls',
          projected: {
            sources: [
              {
                secret: {
                  name: 'ledger-export-tls',
                  items: [
                    { key: 'tls.crt', path: 'tls.crt' },
                    { key: 'tls.key', path: 'tls.key' },
                  ],
                },
              },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            ],
            defaultMode: 420,
          },
        },
      ],
    },
    // monitoring
    {
      name: 'prometheus-5d8c7b9f6-r2d2x',
      namespace: 'monitoring',
      ageSeconds: 30 * DAY,
      labels: { app: 'prometheus', 'pod-template-hash': '5d8c7b9f6' },
      owner: { kind: 'ReplicaSet', name: 'prometheus-5d8c7b9f6' },
      serviceAccountName: 'prometheus',
      ...w1('10.244.1.80'),
      phase: 'Running',
      containers: [
        {
          name: 'prometheus',
          image: 'quay.io/prometheus/prometheus:v3.1.0',
          ports: [{ containerPort: 9090 }],
          state: running(clock, 30 * DAY - 12),
          ready: true,
        },
      ],
    },
    ...(
      [
        ['control-plane', 'k7p2q'],
        ['worker-1', 'm3x9z'],
        ['worker-2', 'w5t8r'],
      ] as const
    ).map(
      ([node, suffix]): PodFixture => ({
        ...systemPod(
          `node-exporter-${suffix}`,
          node,
          'quay.io/prometheus/node-exporter:v1.8.2',
          clock,
          { app: 'node-exporter', 'controller-revision-hash': '7b6d9c8f4', 'pod-template-generation': '1' },
          { kind: 'DaemonSet', name: 'node-exporter' },
        ),
        namespace: 'monitoring',
        ageSeconds: 30 * DAY,
        priorityClassName: undefined,
        tolerations: [{ operator: 'Exists' }],
      }),
    ),
    // kube-system
    ...(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const).map((component) =>
      systemPod(
        `${component}-control-plane`,
        'control-plane',
        `registry.k8s.io/${component}:${component === 'etcd' ? '3.5.16-0' : 'v1.32.2'}`,
        clock,
        { component, tier: 'control-plane' },
        { kind: 'Node', name: 'control-plane', apiVersion: 'v1' },
      ),
    ),
    ...(['5vq8n', 'h6w2k'] as const).map(
      (suffix, i): PodFixture => ({
        ...systemPod(
          `coredns-668d6bf9bc-${suffix}`,
          'control-plane',
          'registry.k8s.io/coredns/coredns:v1.11.3',
          clock,
          { 'k8s-app': 'kube-dns', 'pod-template-hash': '668d6bf9bc' },
          { kind: 'ReplicaSet', name: 'coredns-668d6bf9bc' },
          false,
        ),
        podIP: `10.244.0.${2 + i}`,
        priorityClassName: 'system-cluster-critical',
        serviceAccountName: 'coredns',
      }),
    ),
    ...(
      [
        ['control-plane', 'b8d4f'],
        ['worker-1', 'q2w9e'],
        ['worker-2', 'z7x3c'],
      ] as const
    ).map(([node, suffix]) =>
      systemPod(
        `kube-proxy-${suffix}`,
        node,
        'registry.k8s.io/kube-proxy:v1.32.2',
        clock,
        { 'k8s-app': 'kube-proxy', 'controller-revision-hash': '64b9dbc74b', 'pod-template-generation': '1' },
        { kind: 'DaemonSet', name: 'kube-proxy' },
      ),
    ),
  ];
  return list.map((p) => pod(p, clock));
}
