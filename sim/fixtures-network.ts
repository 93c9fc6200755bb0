// Services of every type, their endpoints and endpoint slices, an ingress and network policies.

import { type Clock, meta } from './fixture-builders.js';
import { endpointSlicesOf } from './fixtures-endpoint-slices.js';
import type { KubeObject } from './types.js';

const DAY = 86_400;

interface ServiceFixture {
  name: string;
  namespace: string;
  ageSeconds: number;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  clusterIP: string;
  ports: { name?: string; port: number; targetPort: number | string; protocol?: string; nodePort?: number }[];
  selector?: Record<string, string>;
  loadBalancerIP?: string;
  /** Ready addresses (pod IP, pod name, node) and not-ready ones. */
  ready: [string, string, string][];
  notReady?: [string, string, string][];
  annotations?: Record<string, string>;
}

function service(s: ServiceFixture, clock: Clock): KubeObject[] {
  const created = clock.ago(s.ageSeconds);
  const ports = s.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' }));
  const svc: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('Service', s.name, s.namespace, created, {
      ...(s.selector
        ? { labels: { app: s.name } }
        : { labels: { component: 'apiserver', provider: 'kubernetes' } }),
      ...(s.annotations ? { annotations: s.annotations } : {}),
    }),
    spec: {
      ports,
      ...(s.selector ? { selector: s.selector } : {}),
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      type: s.type,
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ...(s.type !== 'ClusterIP' ? { externalTrafficPolicy: 'Cluster' } : {}),
      ...(s.type === 'LoadBalancer' ? { allocateLoadBalancerNodePorts: true } : {}),
    },
    status: { loadBalancer: s.loadBalancerIP ? { ingress: [{ ip: s.loadBalancerIP, ipMode: 'VIP' }] } : {} },
  };
  const address = ([ip, podName, nodeName]: [string, string, string]) => ({
    ip,
    ...(podName
      ? { nodeName, targetRef: { kind: 'Pod', namespace: s.namespace, name: podName, uid: '' } }
      : {}),
  });
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta(
      'Endpoints',
      s.name,
      s.namespace,
      created,
      s.selector
        ? { labels: { app: s.name } }
        : { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    ),
    ...(s.ready.length || s.notReady?.length
      ? {
          subsets: [
            {
              ...(s.ready.length ? { addresses: s.ready.map(address) } : {}),
              ...(s.notReady?.length ? { notReadyAddresses: s.notReady.map(address) } : {}),
              ports: ports.map((p) => ({
                ...(p.name ? { name: p.name } : {}),
                port: typeof p.targetPort === 'number' ? p.targetPort : 8080,
                protocol: p.protocol,
              })),
            },
          ],
        }
      : {}),
  };
  return [svc, endpoints];
}

export function network(clock: Clock): Record<string, KubeObject[]> {
  const pairs = [
    service(
      {
        name: 'kubernetes',
        namespace: 'default',
        ageSeconds: 45 * DAY,
        type: 'ClusterIP',
        clusterIP: '10.96.0.1',
        ports: [{ name: 'https', port: 443, targetPort: 6443 }],
        ready: [['172.18.0.2', '', '']],
      },
      clock,
    ),
    service(
      {
        name: 'web',
        namespace: 'default',
        ageSeconds: 12 * DAY,
        type: 'ClusterIP',
        clusterIP: '10.96.120.15',
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 80 }],
        ready: [
          ['10.244.1.12', 'web-7c5ddbdf54-2xkqp', 'worker-1'],
          ['10.244.1.13', 'web-7c5ddbdf54-9zt4m', 'worker-1'],
        ],
      },
      clock,
    ),
    service(
      {
        name: 'api',
        namespace: 'default',
        ageSeconds: 12 * DAY,
        type: 'NodePort',
        clusterIP: '10.96.77.201',
        selector: { app: 'api' },
        ports: [{ name: 'http', port: 8080, targetPort: 8080, nodePort: 30080 }],
        ready: [
          ['10.244.1.21', 'api-6b8f9d5c7-h2lqs', 'worker-1'],
          ['10.244.1.22', 'api-6b8f9d5c7-m8vbn', 'worker-1'],
        ],
        notReady: [['10.244.1.23', 'api-6b8f9d5c7-x7k2p', 'worker-1']],
      },
      clock,
    ),
    service(
      {
        name: 'frontend',
        namespace: 'default',
        ageSeconds: 22 * 60,
        type: 'LoadBalancer',
        clusterIP: '10.96.33.90',
        selector: { app: 'frontend' },
        loadBalancerIP: '203.0.113.10',
        ports: [{ name: 'http', port: 80, targetPort: 3000, nodePort: 31380 }],
        ready: [],
      },
      clock,
    ),
    service(
      {
        name: 'checkout',
        namespace: 'default',
        ageSeconds: 4 * DAY,
        type: 'ClusterIP',
        clusterIP: '10.96.54.12',
        selector: { app: 'checkout' },
        ports: [{ name: 'http', port: 8080, targetPort: 8080 }],
        ready: [['10.244.1.50', 'checkout-5b7c9d8f6-lm4np', 'worker-1']],
      },
      clock,
    ),
    service(
      {
        name: 'postgres',
        namespace: 'payments',
        ageSeconds: 20 * DAY,
        type: 'ClusterIP',
        clusterIP: 'None',
        // Characters encoding/json leaves raw and go-yaml's reader refuses: kubectl -o yaml fails on them.
        annotations: {
          'example.com/del': 'del\u007fete',
          'example.com/c1': 'csi\u009bx',
          'example.com/fffe': 'x\ufffey',
        },
        selector: { app: 'postgres' },
        ports: [{ name: 'postgres', port: 5432, targetPort: 5432 }],
        ready: [['10.244.1.60', 'postgres-0', 'worker-1']],
      },
      clock,
    ),
    service(
      {
        name: 'payments-api',
        namespace: 'payments',
        ageSeconds: 8 * DAY,
        type: 'ClusterIP',
        clusterIP: '10.96.88.4',
        selector: { app: 'payments-api' },
        ports: [{ port: 8080, targetPort: 8080 }],
        ready: [
          ['10.244.1.70', 'payments-api-84c6d7f9b-c8x2v', 'worker-1'],
          ['10.244.1.71', 'payments-api-84c6d7f9b-j4n7m', 'worker-1'],
        ],
      },
      clock,
    ),
    service(
      {
        name: 'prometheus',
        namespace: 'monitoring',
        ageSeconds: 30 * DAY,
        type: 'ClusterIP',
        clusterIP: '10.96.9.90',
        selector: { app: 'prometheus' },
        ports: [{ name: 'web', port: 9090, targetPort: 9090 }],
        ready: [['10.244.1.80', 'prometheus-5d8c7b9f6-r2d2x', 'worker-1']],
      },
      clock,
    ),
    service(
      {
        name: 'kube-dns',
        namespace: 'kube-system',
        ageSeconds: 45 * DAY,
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: 53 },
          { name: 'metrics', port: 9153, targetPort: 9153 },
        ],
        ready: [
          ['10.244.0.2', 'coredns-668d6bf9bc-5vq8n', 'control-plane'],
          ['10.244.0.3', 'coredns-668d6bf9bc-h6w2k', 'control-plane'],
        ],
      },
      clock,
    ),
  ];
  const services = pairs.map((p) => p[0] as KubeObject);
  const endpoints = pairs.map((p) => p[1] as KubeObject);
  return {
    services,
    endpoints,
    endpointslices: endpointSlicesOf(services, endpoints),
    ingresses: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: meta('Ingress', 'web', 'default', clock.ago(12 * DAY), {
          annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' },
        }),
        spec: {
          ingressClassName: 'nginx',
          tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                  {
                    path: '/api',
                    pathType: 'Prefix',
                    backend: { service: { name: 'api', port: { number: 8080 } } },
                  },
                ],
              },
            },
          ],
        },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.20' }] } },
      },
    ],
    networkpolicies: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('NetworkPolicy', 'default-deny-ingress', 'payments', clock.ago(20 * DAY), {
          generation: 1,
        }),
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('NetworkPolicy', 'allow-api-to-postgres', 'payments', clock.ago(20 * DAY), {
          generation: 1,
        }),
        spec: {
          podSelector: { matchLabels: { app: 'postgres' } },
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { app: 'payments-api' } } }],
              ports: [{ protocol: 'TCP', port: 5432 }],
            },
          ],
          policyTypes: ['Ingress'],
        },
      },
    ],
  };
}
