// Events tied to the troubled pods and nodes, and the containers' logs. Events carry what the real
// emitters set: the kubelet fills source and count, the scheduler uses eventTime and series.

import { createHash } from 'node:crypto';
import { type Clock, logLines, meta, uidOf } from './fixture-builders.js';
import type { ContainerLogs, KubeObject } from './types.js';

export interface EventFixture {
  object: { kind: string; name: string; namespace?: string; apiVersion?: string; fieldPath?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** kubelet-style (source + count + first/last) or scheduler-style (eventTime + series). */
  source?: { component: string; host?: string };
  reporting?: { controller: string; instance: string; action: string };
  count?: number;
  firstAgo: number;
  lastAgo?: number;
}

/** A core/v1 Event about `e.object`, as its emitter (kubelet-style or events.k8s.io-style) records it. */
export function event(e: EventFixture, clock: Clock): KubeObject {
  const ns = e.object.namespace ?? 'default';
  const hash = createHash('sha1')
    .update(`${e.object.name}/${e.reason}/${e.message}`)
    .digest('hex')
    .slice(0, 16);
  const name = `${e.object.name}.${hash}`;
  const involvedObject = {
    kind: e.object.kind,
    ...(e.object.namespace ? { namespace: e.object.namespace } : {}),
    name: e.object.name,
    uid:
      e.object.kind === 'Node'
        ? e.object.name
        : uidOf(e.object.kind, e.object.namespace ?? '', e.object.name),
    apiVersion: e.object.apiVersion ?? 'v1',
    ...(e.object.fieldPath ? { fieldPath: e.object.fieldPath } : {}),
  };
  const base = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta('Event', name, ns, clock.ago(e.firstAgo)),
    involvedObject,
    reason: e.reason,
    message: e.message,
    type: e.type,
  };
  if (e.reporting) {
    return {
      ...base,
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      eventTime: clock.agoMicro(e.firstAgo),
      ...(e.count && e.count > 1
        ? { series: { count: e.count, lastObservedTime: clock.agoMicro(e.lastAgo ?? e.firstAgo) } }
        : {}),
      action: e.reporting.action,
      reportingComponent: e.reporting.controller,
      reportingInstance: e.reporting.instance,
    };
  }
  return {
    ...base,
    source: e.source ?? { component: 'kubelet' },
    firstTimestamp: clock.ago(e.firstAgo),
    lastTimestamp: clock.ago(e.lastAgo ?? e.firstAgo),
    count: e.count ?? 1,
    eventTime: null,
    reportingComponent: e.source?.component ?? 'kubelet',
    reportingInstance: e.source?.host ?? '',
  };
}

const kubelet = (host: string) => ({ component: 'kubelet', host });
const CRASH = {
  kind: 'Pod',
  name: 'api-6b8f9d5c7-x7k2p',
  namespace: 'default',
  fieldPath: 'spec.containers{api}',
};
const PULL = {
  kind: 'Pod',
  name: 'frontend-8f7d6c5b4-qwert',
  namespace: 'default',
  fieldPath: 'spec.containers{frontend}',
};
const FRONTEND_IMAGE = 'registry.example.com/shop/frontend:v9.9.9';

export function events(clock: Clock): KubeObject[] {
  const list: EventFixture[] = [
    {
      object: { kind: 'Pod', name: CRASH.name, namespace: 'default' },
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned default/${CRASH.name} to worker-1`,
      reporting: {
        controller: 'default-scheduler',
        instance: 'default-scheduler-control-plane',
        action: 'Binding',
      },
      firstAgo: 35 * 60,
    },
    {
      object: CRASH,
      type: 'Normal',
      reason: 'Pulled',
      message: 'Container image "registry.example.com/shop/api:2.4.0" already present on machine',
      source: kubelet('worker-1'),
      count: 8,
      firstAgo: 35 * 60,
      lastAgo: 4 * 60 + 3,
    },
    {
      object: CRASH,
      type: 'Normal',
      reason: 'Created',
      message: 'Created container: api',
      source: kubelet('worker-1'),
      count: 8,
      firstAgo: 35 * 60,
      lastAgo: 4 * 60 + 3,
    },
    {
      object: CRASH,
      type: 'Normal',
      reason: 'Started',
      message: 'Started container api',
      source: kubelet('worker-1'),
      count: 8,
      firstAgo: 35 * 60,
      lastAgo: 4 * 60 + 2,
    },
    {
      object: CRASH,
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container api in pod ${CRASH.name}_default(${uidOf('Pod', 'default', CRASH.name)})`,
      source: kubelet('worker-1'),
      count: 142,
      firstAgo: 33 * 60,
      lastAgo: 25,
    },
    {
      object: { kind: 'Pod', name: PULL.name, namespace: 'default' },
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned default/${PULL.name} to worker-1`,
      reporting: {
        controller: 'default-scheduler',
        instance: 'default-scheduler-control-plane',
        action: 'Binding',
      },
      firstAgo: 22 * 60,
    },
    {
      object: PULL,
      type: 'Normal',
      reason: 'Pulling',
      message: `Pulling image "${FRONTEND_IMAGE}"`,
      source: kubelet('worker-1'),
      count: 9,
      firstAgo: 22 * 60,
      lastAgo: 60,
    },
    {
      object: PULL,
      type: 'Warning',
      reason: 'Failed',
      message: `Failed to pull image "${FRONTEND_IMAGE}": rpc error: code = NotFound desc = failed to pull and unpack image "${FRONTEND_IMAGE}": failed to resolve reference "${FRONTEND_IMAGE}": ${FRONTEND_IMAGE}: not found`,
      source: kubelet('worker-1'),
      count: 9,
      firstAgo: 22 * 60,
      lastAgo: 60,
    },
    {
      object: PULL,
      type: 'Warning',
      reason: 'Failed',
      message: 'Error: ErrImagePull',
      source: kubelet('worker-1'),
      count: 9,
      firstAgo: 22 * 60,
      lastAgo: 60,
    },
    {
      object: PULL,
      type: 'Normal',
      reason: 'BackOff',
      message: `Back-off pulling image "${FRONTEND_IMAGE}"`,
      source: kubelet('worker-1'),
      count: 88,
      firstAgo: 22 * 60 - 5,
      lastAgo: 12,
    },
    {
      object: PULL,
      type: 'Warning',
      reason: 'Failed',
      message: 'Error: ImagePullBackOff',
      source: kubelet('worker-1'),
      count: 88,
      firstAgo: 22 * 60 - 5,
      lastAgo: 12,
    },
    {
      object: { kind: 'Pod', name: 'queue-consumer-7f9b8c6d5-zt8wq', namespace: 'default' },
      type: 'Warning',
      reason: 'FailedScheduling',
      message:
        '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      reporting: {
        controller: 'default-scheduler',
        instance: 'default-scheduler-control-plane',
        action: 'Scheduling',
      },
      count: 4,
      firstAgo: 18 * 60,
      lastAgo: 3 * 60,
    },
    {
      object: {
        kind: 'Pod',
        name: 'report-builder',
        namespace: 'default',
        fieldPath: 'spec.containers{builder}',
      },
      type: 'Normal',
      reason: 'Started',
      message: 'Started container builder',
      source: kubelet('worker-1'),
      firstAgo: 2 * 3600 - 10,
    },
    {
      object: { kind: 'Node', name: 'worker-1' },
      type: 'Warning',
      reason: 'OOMKilling',
      message:
        'Memory cgroup out of memory: Killed process 48211 (java) total-vm:2914312kB, anon-rss:524288kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:1488kB oom_score_adj:985',
      source: { component: 'kernel-monitor', host: 'worker-1' },
      firstAgo: 100 * 60,
    },
    {
      object: { kind: 'Node', name: 'worker-1' },
      type: 'Normal',
      reason: 'NodeNotSchedulable',
      message: 'Node worker-1 status is now: NodeNotSchedulable',
      source: kubelet('worker-1'),
      firstAgo: 2 * 3600,
    },
    {
      object: { kind: 'Node', name: 'worker-2' },
      type: 'Normal',
      reason: 'NodeNotReady',
      message: 'Node worker-2 status is now: NodeNotReady',
      source: { component: 'node-controller' },
      firstAgo: 1460,
    },
    {
      object: { kind: 'Deployment', name: 'api', namespace: 'default', apiVersion: 'apps/v1' },
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: 'Scaled up replica set api-6b8f9d5c7 from 0 to 3',
      reporting: { controller: 'deployment-controller', instance: '', action: '' },
      firstAgo: 35 * 60,
    },
    {
      object: { kind: 'Deployment', name: 'api', namespace: 'default', apiVersion: 'apps/v1' },
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: 'Scaled down replica set api-5d9c8b7f6 from 3 to 0',
      reporting: { controller: 'deployment-controller', instance: '', action: '' },
      firstAgo: 33 * 60,
    },
    {
      object: { kind: 'PersistentVolumeClaim', name: 'uploads', namespace: 'default' },
      type: 'Normal',
      reason: 'WaitForFirstConsumer',
      message: 'waiting for first consumer to be created before binding',
      source: { component: 'persistentvolume-controller' },
      count: 12,
      firstAgo: 3 * 3600,
      lastAgo: 100,
    },
    {
      object: { kind: 'Pod', name: 'node-exporter-w5t8r', namespace: 'monitoring' },
      type: 'Warning',
      reason: 'NodeNotReady',
      message: 'Node is not ready',
      source: { component: 'node-controller' },
      firstAgo: 1450,
    },
  ];
  return list.map((e) => {
    const ev = event(e, clock);
    if (e.object.namespace && e.object.namespace !== 'default') ev.metadata.namespace = e.object.namespace;
    return ev;
  });
}

export function logs(clock: Clock): Record<string, ContainerLogs> {
  const nginx = (ip: string) =>
    logLines(clock, 30, 47, [
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
      `${ip} - - "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.32"`,
      '10.244.1.1 - - "GET / HTTP/1.1" 200 615 "-" "Mozilla/5.0"',
      '10.244.1.1 - - "GET /static/app.js HTTP/1.1" 200 48213 "https://shop.example.com/" "Mozilla/5.0"',
      '10.244.1.1 - - "GET /api/cart HTTP/1.1" 502 157 "https://shop.example.com/" "Mozilla/5.0"',
    ]);
  const apiHealthy = logLines(clock, 20, 60, [
    '{"level":"info","msg":"starting api","version":"2.4.0"}',
    '{"level":"info","msg":"connected to database","host":"postgres.payments.svc.cluster.local"}',
    '{"level":"info","msg":"listening","addr":":8080"}',
    '{"level":"info","msg":"GET /v1/orders","status":200,"ms":12}',
  ]);
  const crash = (endAgo: number) =>
    logLines(clock, endAgo, 1, [
      '{"level":"info","msg":"starting api","version":"2.4.0"}',
      '{"level":"info","msg":"loading config","path":"/etc/api/config.yaml"}',
      '{"level":"error","msg":"connecting to database","error":"dial tcp 10.96.88.4:5432: connect: connection refused"}',
      '{"level":"fatal","msg":"giving up after 3 attempts"}',
    ]);
  return {
    'default/web-7c5ddbdf54-2xkqp/nginx': { current: nginx('10.244.1.12') },
    'default/web-7c5ddbdf54-9zt4m/nginx': { current: nginx('10.244.1.13') },
    'default/web-6d8f7c9b5-pq9rt/nginx': { current: nginx('10.244.1.9') },
    'default/api-6b8f9d5c7-h2lqs/api': { current: apiHealthy },
    'default/api-6b8f9d5c7-m8vbn/api': { current: apiHealthy },
    'default/api-6b8f9d5c7-x7k2p/api': { current: crash(2 * 60), previous: crash(4 * 60) },
    'default/report-builder/builder': {
      current: logLines(clock, 100 * 60 + 5, 300, [
        'Loading 2,400,000 order rows',
        'Building quarterly revenue report',
        'Aggregating by region',
        'java.lang.OutOfMemoryError: Java heap space',
      ]),
    },
    'default/db-migrate-x9k4t/migrate': {
      current: logLines(clock, 3 * 86_400 - 24, 5, [
        'applying 0041_add_order_index.sql',
        'applying 0042_cart_ttl.sql',
        'migrations complete: 2 applied',
      ]),
    },
    'default/checkout-5b7c9d8f6-lm4np/migrate-schema': {
      current: logLines(clock, 4 * 86_400 - 9, 2, ['schema is up to date', 'done']),
    },
    'default/checkout-5b7c9d8f6-lm4np/checkout': {
      current: logLines(clock, 40, 120, [
        'checkout service ready on :8080',
        'POST /checkout 201 88ms',
        'POST /checkout 201 91ms',
        'POST /checkout 502 3004ms upstream=payments-api',
      ]),
    },
    'default/checkout-5b7c9d8f6-lm4np/envoy': {
      current: logLines(clock, 50, 600, [
        '[info][main] starting main dispatch loop',
        '[info][upstream] cds: add 3 cluster(s)',
        '[warning][config] gRPC config stream closed: 14, upstream connect error',
      ]),
      previous: logLines(clock, 2 * 86_400, 1, [
        '[info][main] starting main dispatch loop',
        '[critical][main] error initializing configuration: listener 0.0.0.0:9901 bind: address in use',
      ]),
    },
    'payments/postgres-0/postgres': {
      current: logLines(clock, 300, 3600, [
        'database system is ready to accept connections',
        'checkpoint starting: time',
        'checkpoint complete: wrote 412 buffers (2.5%)',
      ]),
    },
  };
}
