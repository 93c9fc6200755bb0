// Cluster-scoped and namespace-level fixture objects: namespaces, nodes and their leases, storage,
// RBAC, config maps, secrets (stored, never served) and service accounts.

import { type Clock, meta, uidOf } from './fixture-builders.js';
import type { KubeObject } from './types.js';

export const NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'payments',
  'monitoring',
] as const;

const DAY = 86_400;
export const CLUSTER_AGE = 45 * DAY;

export function namespaces(clock: Clock): KubeObject[] {
  return NAMESPACES.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(
      'Namespace',
      name,
      undefined,
      clock.ago(name.startsWith('kube') || name === 'default' ? CLUSTER_AGE : 30 * DAY),
      {
        labels: { 'kubernetes.io/metadata.name': name },
      },
    ),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
}

interface NodeFixture {
  name: string;
  ip: string;
  podCIDR: string;
  roles: string[];
  ready: boolean;
  unschedulable?: boolean;
  taints?: { key: string; effect: string; timeAdded?: string }[];
  heartbeatAgo: number;
}

function node(n: NodeFixture, clock: Clock): KubeObject {
  const created = clock.ago(CLUSTER_AGE);
  const hb = clock.ago(n.heartbeatAgo);
  const since = clock.ago(CLUSTER_AGE - 30);
  const healthy = (type: string, reason: string, message: string) => ({
    type,
    status: n.ready ? 'False' : 'Unknown',
    lastHeartbeatTime: hb,
    lastTransitionTime: n.ready ? since : clock.ago(n.heartbeatAgo - 40),
    reason: n.ready ? reason : 'NodeStatusUnknown',
    message: n.ready ? message : 'Kubelet stopped posting node status.',
  });
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
  };
  for (const role of n.roles) labels[`node-role.kubernetes.io/${role}`] = '';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta('Node', n.name, undefined, created, {
      labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    }),
    spec: {
      podCIDR: n.podCIDR,
      podCIDRs: [n.podCIDR],
      providerID: `kind://docker/kubently/${n.name}`,
      ...(n.unschedulable ? { unschedulable: true } : {}),
      ...(n.taints ? { taints: n.taints } : {}),
    },
    status: {
      capacity: {
        cpu: '4',
        'ephemeral-storage': '102626232Ki',
        'hugepages-2Mi': '0',
        memory: '16374584Ki',
        pods: '110',
      },
      allocatable: {
        cpu: '4',
        'ephemeral-storage': '102626232Ki',
        'hugepages-2Mi': '0',
        memory: '16272184Ki',
        pods: '110',
      },
      conditions: [
        healthy('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        healthy('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        healthy('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        n.ready
          ? {
              type: 'Ready',
              status: 'True',
              lastHeartbeatTime: hb,
              lastTransitionTime: since,
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
            }
          : {
              ...healthy('Ready', '', ''),
              reason: 'NodeStatusUnknown',
              message: 'Kubelet stopped posting node status.',
            },
      ],
      addresses: [
        { type: 'InternalIP', address: n.ip },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: uidOf('machine', n.name).replace(/-/g, ''),
        systemUUID: uidOf('system', n.name),
        bootID: uidOf('boot', n.name),
        kernelVersion: '6.1.0-28-amd64',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: 'v1.32.2',
        kubeProxyVersion: 'v1.32.2',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      images: [
        { names: ['registry.k8s.io/etcd:3.5.16-0'], sizeBytes: 57680541 },
        { names: ['docker.io/library/nginx:1.27.3'], sizeBytes: 72080558 },
      ],
    },
  };
}

export const NODE_IPS = {
  'control-plane': '172.18.0.2',
  'worker-1': '172.18.0.3',
  'worker-2': '172.18.0.4',
} as const;

export function nodes(clock: Clock): KubeObject[] {
  return [
    node(
      {
        name: 'control-plane',
        ip: NODE_IPS['control-plane'],
        podCIDR: '10.244.0.0/24',
        roles: ['control-plane'],
        ready: true,
        heartbeatAgo: 20,
        taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
      },
      clock,
    ),
    node(
      {
        name: 'worker-1',
        ip: NODE_IPS['worker-1'],
        podCIDR: '10.244.1.0/24',
        roles: ['worker'],
        ready: true,
        unschedulable: true,
        heartbeatAgo: 15,
        taints: [
          { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: clock.ago(2 * 3600) },
        ],
      },
      clock,
    ),
    node(
      {
        name: 'worker-2',
        ip: NODE_IPS['worker-2'],
        podCIDR: '10.244.2.0/24',
        roles: ['worker'],
        ready: false,
        heartbeatAgo: 1500,
        taints: [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: clock.ago(1460) },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: clock.ago(1455) },
        ],
      },
      clock,
    ),
  ];
}

export function leases(clock: Clock): KubeObject[] {
  return (['control-plane', 'worker-1', 'worker-2'] as const).map((name) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: meta('Lease', name, 'kube-node-lease', clock.ago(CLUSTER_AGE), {
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: uidOf('Node', '', name) }],
    }),
    spec: {
      holderIdentity: name,
      leaseDurationSeconds: 40,
      renewTime: clock.agoMicro(name === 'worker-2' ? 1500 : 4),
    },
  }));
}

export function storage(clock: Clock): Record<string, KubeObject[]> {
  return {
    storageclasses: [
      {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: meta('StorageClass', 'standard', undefined, clock.ago(CLUSTER_AGE), {
          annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
        }),
        provisioner: 'rancher.io/local-path',
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'WaitForFirstConsumer',
      },
    ],
    persistentvolumes: [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: meta(
          'PersistentVolume',
          'pvc-6a1f0c2e-5b7d-4e8a-9c3f-2d1e0b9a8f7c',
          undefined,
          clock.ago(20 * DAY),
          {
            annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' },
          },
        ),
        spec: {
          capacity: { storage: '10Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: 'standard',
          volumeMode: 'Filesystem',
          claimRef: { kind: 'PersistentVolumeClaim', namespace: 'payments', name: 'data-postgres-0' },
          hostPath: {
            path: '/var/local-path-provisioner/pvc-6a1f0c2e_payments_data-postgres-0',
            type: 'DirectoryOrCreate',
          },
        },
        status: { phase: 'Bound' },
      },
    ],
    persistentvolumeclaims: [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta('PersistentVolumeClaim', 'data-postgres-0', 'payments', clock.ago(20 * DAY), {
          labels: { app: 'postgres' },
        }),
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '10Gi' } },
          storageClassName: 'standard',
          volumeMode: 'Filesystem',
          volumeName: 'pvc-6a1f0c2e-5b7d-4e8a-9c3f-2d1e0b9a8f7c',
        },
        status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta('PersistentVolumeClaim', 'uploads', 'default', clock.ago(3 * 3600)),
        spec: {
          accessModes: ['ReadWriteMany'],
          resources: { requests: { storage: '50Gi' } },
          storageClassName: 'standard',
          volumeMode: 'Filesystem',
        },
        status: { phase: 'Pending' },
      },
    ],
  };
}

export function configAndIdentity(clock: Clock): Record<string, KubeObject[]> {
  const ca = {
    'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIKubentlySimCA\n-----END CERTIFICATE-----\n',
  };
  const cm = (name: string, ns: string, data: Record<string, string>, age: number): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta('ConfigMap', name, ns, clock.ago(age)),
    data,
  });
  const sa = (name: string, ns: string, age: number): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta('ServiceAccount', name, ns, clock.ago(age)),
  });
  const secret = (name: string, ns: string, data: Record<string, string>, type = 'Opaque'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta('Secret', name, ns, clock.ago(10 * DAY)),
    type,
    data,
  });
  return {
    configmaps: [
      ...NAMESPACES.map((ns) =>
        cm('kube-root-ca.crt', ns, ca, ns === 'payments' || ns === 'monitoring' ? 30 * DAY : CLUSTER_AGE),
      ),
      cm(
        'web-config',
        'default',
        {
          'nginx.conf': 'server { listen 80; location / { root /usr/share/nginx/html; } }\n',
          LOG_LEVEL: 'info',
        },
        7 * DAY,
      ),
      cm(
        'coredns',
        'kube-system',
        {
          Corefile:
            '.:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n}\n',
        },
        CLUSTER_AGE,
      ),
      cm(
        'prometheus-config',
        'monitoring',
        { 'prometheus.yml': 'global:\n  scrape_interval: 30s\n' },
        30 * DAY,
      ),
    ],
    serviceaccounts: [
      ...NAMESPACES.map((ns) =>
        sa('default', ns, ns === 'payments' || ns === 'monitoring' ? 30 * DAY : CLUSTER_AGE),
      ),
      sa('api', 'default', 12 * DAY),
      sa('coredns', 'kube-system', CLUSTER_AGE),
      sa('prometheus', 'monitoring', 30 * DAY),
    ],
    secrets: [
      secret('api-db', 'default', { username: 'YXBp', password: 'czNjcjN0LWRvLW5vdC1sZWFr' }),
      secret('postgres-credentials', 'payments', { 'postgres-password': 'bmV2ZXItc2VydmVk' }),
      secret('ledger-signing-key', 'payments', { 'signing.pem': 'bm90LWEtcmVhbC1rZXk=' }),
      secret(
        'ledger-export-tls',
        'payments',
        { 'tls.crt': 'bm90LWEtY2VydA==', 'tls.key': 'bm90LWEta2V5' },
        'kubernetes.io/tls',
      ),
    ],
  };
}

export function rbac(clock: Clock): Record<string, KubeObject[]> {
  const at = clock.ago(30 * DAY);
  return {
    clusterroles: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: meta('ClusterRole', 'kubently-agent', undefined, at),
        rules: [
          {
            apiGroups: [''],
            resources: ['pods', 'pods/log', 'nodes', 'services', 'endpoints', 'events', 'namespaces'],
            verbs: ['get', 'list', 'watch'],
          },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: meta('ClusterRole', 'view', undefined, clock.ago(CLUSTER_AGE)),
        rules: [],
      },
    ],
    clusterrolebindings: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: meta('ClusterRoleBinding', 'kubently-agent', undefined, at),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubently-agent' },
        subjects: [{ kind: 'ServiceAccount', name: 'kubently-agent', namespace: 'kubently' }],
      },
    ],
    roles: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: meta('Role', 'pod-reader', 'default', at),
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
      },
    ],
    rolebindings: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta('RoleBinding', 'read-pods', 'default', at),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    ],
  };
}
