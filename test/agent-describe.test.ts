// Unit tests of the describe building blocks and of describe() against hand-made objects.

import test from 'ava';
import { humanDuration } from '../agent/describe/format.js';
import { camelSplit, smartLabel } from '../agent/describe/generic.js';
import { describe, type KubeReader } from '../agent/describe/index.js';
import { formatEndpointSlices } from '../agent/describe/network.js';
import { podRequestsAndLimits } from '../agent/describe/node.js';
import { computeQos } from '../agent/describe/pod.js';
import { addQuantity, canonicalQuantity, formatQuantity, parseQuantity } from '../agent/describe/quantity.js';
import { TabWriter } from '../agent/printers/tabwriter.js';
import type { Command } from '../common/command/types.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString().replace('.000Z', 'Z');

function tab(text: string): string {
  const w = new TabWriter();
  w.write(text);
  return w.finish();
}

test('tab writer - aligns a column block with two spaces of padding, as Go tabwriter', (t) => {
  t.is(tab('a:\tb\nlonger:\tc\n'), 'a:       b\nlonger:  c\n');
});

test('tab writer - a line without tabs ends the column block', (t) => {
  t.is(tab('x:\t1\nHeader\nlonglonglong:\t2\n'), 'x:  1\nHeader\nlonglonglong:  2\n');
});

test('tab writer - pads an empty trailing cell, leaving trailing spaces as kubectl does', (t) => {
  t.is(tab('key:\t\nlong-key:\tv\n'), 'key:       \nlong-key:  v\n');
});

test('tab writer - nested column blocks get their own widths', (t) => {
  t.is(tab('A\tB\tC\nAAAA\tB\n'), 'A     B  C\nAAAA  B\n');
});

test('quantity - prints the canonical form kubectl prints', (t) => {
  const cases: [string, string][] = [
    ['0.5', '500m'],
    ['2000m', '2'],
    ['1.5Gi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['1000', '1k'],
    ['128974848', '128974848'],
    ['1e3', '1e3'],
    ['100', '100'],
    ['0', '0'],
    ['512', '512'],
  ];
  for (const [input, expected] of cases) t.is(canonicalQuantity(input), expected, input);
});

test('quantity - a sum keeps the first operand format unless it is zero', (t) => {
  t.is(formatQuantity(addQuantity(parseQuantity('100m'), parseQuantity('250m'))), '350m');
  t.is(formatQuantity(addQuantity(parseQuantity('1Gi'), parseQuantity('512Mi'))), '1536Mi');
  t.is(formatQuantity(addQuantity(parseQuantity('0'), parseQuantity('128Mi'))), '128Mi');
  t.is(formatQuantity(addQuantity(parseQuantity('1'), parseQuantity('500m'))), '1500m');
});

test('human duration - follows apimachinery HumanDuration', (t) => {
  const cases: [number, string][] = [
    [5, '5s'],
    [119, '119s'],
    [150, '2m30s'],
    [600, '10m'],
    [3 * 3600 + 900, '3h15m'],
    [10 * 3600, '10h'],
    [2 * 86400 + 3 * 3600, '2d3h'],
    [45 * 86400, '45d'],
    [3 * 365 * 86400 + 30 * 86400, '3y30d'],
  ];
  for (const [s, expected] of cases) t.is(humanDuration(s * 1000), expected, String(s));
});

test('generic describer - turns JSON keys into kubectl labels', (t) => {
  t.deepEqual(camelSplit('PDFLoader'), ['PDF', 'Loader']);
  t.is(smartLabel('involvedObject'), 'Involved Object');
  t.is(smartLabel('apiVersion'), 'API Version');
  t.is(smartLabel('uid'), 'UID');
  t.is(smartLabel('firstTimestamp'), 'First Timestamp');
  t.is(smartLabel('some.key'), 'some.key');
});

test('endpoint slices - three ready addresses then a count, not-ready endpoints skipped', (t) => {
  const endpoint = (ip: string, ready = true) => ({ addresses: [ip], conditions: { ready } });
  const slice = {
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 80 }],
    endpoints: [
      endpoint('10.0.0.1'),
      endpoint('10.0.0.2', false),
      endpoint('10.0.0.3'),
      endpoint('10.0.0.4'),
      endpoint('10.0.0.5'),
    ],
  };
  t.is(formatEndpointSlices([], new Set(['http'])), '<none>');
  t.is(formatEndpointSlices([slice], new Set(['http'])), '10.0.0.1:80,10.0.0.3:80,10.0.0.4:80 + 1 more...');
  t.is(formatEndpointSlices([slice], new Set(['other'])), '');
});

test('pod resources - init containers count as a maximum, restartable ones as a sum', (t) => {
  const pod = {
    spec: {
      containers: [{ name: 'app', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
      initContainers: [
        { name: 'init', resources: { requests: { cpu: '500m' } } },
        { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } },
      ],
    },
  };
  const { reqs } = podRequestsAndLimits(pod);
  t.is(formatQuantity(reqs.cpu ?? parseQuantity('0')), '500m');
  t.is(formatQuantity(reqs.memory ?? parseQuantity('0')), '64Mi');
});

test('pod QoS - guaranteed only when cpu and memory limits equal requests everywhere', (t) => {
  const res = (requests: Record<string, string>, limits: Record<string, string>) => ({
    spec: { containers: [{ name: 'app', resources: { requests, limits } }] },
  });
  t.is(computeQos({ spec: { containers: [{ name: 'app' }] } }), 'BestEffort');
  t.is(computeQos(res({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })), 'Guaranteed');
  t.is(computeQos(res({ cpu: '500m' }, { cpu: '1', memory: '1Gi' })), 'Burstable');
});

// describe() against a reader that serves hand-made objects and records every path it is asked for.

interface FakeApi {
  reader: KubeReader;
  paths: string[];
}

function fakeApi(objects: Record<string, unknown>): FakeApi {
  const paths: string[] = [];
  return {
    paths,
    reader: {
      async getJson<T>(path: string, query?: Record<string, string>): Promise<T> {
        paths.push(query ? `${path}?${new URLSearchParams(query)}` : path);
        if (path in objects) return objects[path] as T;
        if (path.endsWith('/events') || path.endsWith('/pods')) return { items: [], metadata: {} } as T;
        const name = path.split('/').pop();
        throw Object.assign(new Error(`pods "${name}" not found`), { statusCode: 404, reason: 'NotFound' });
      },
    },
  };
}

function command(resource: string, names: string[], extra: Partial<Command> = {}): Command {
  return {
    id: 'c1',
    clusterId: 'test',
    verb: 'describe',
    targets: [{ resource, group: '', names }],
    namespace: 'default',
    allNamespaces: false,
    selectors: {},
    output: 'table',
    flags: {},
    timeoutMs: 5_000,
    sessionId: null,
    identity: 'tester',
    argv: ['describe', resource, ...names],
    ...extra,
  };
}

function podObject(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: ago(600) },
    spec: {
      nodeName: 'node-a',
      containers: [
        {
          name: 'app',
          image: 'app:1',
          env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } }],
          volumeMounts: [{ name: 'creds', mountPath: '/etc/creds', readOnly: true }],
        },
      ],
      volumes: [{ name: 'creds', secret: { secretName: 'db-creds' } }],
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.5',
      podIP: '10.1.0.7',
      podIPs: [{ ip: '10.1.0.7' }],
      qosClass: 'BestEffort',
    },
  };
}

const EVENTS = {
  items: [
    {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container\n',
      count: 5,
      firstTimestamp: ago(600),
      lastTimestamp: ago(30),
      source: { component: 'kubelet' },
    },
    {
      type: 'Normal',
      reason: 'Scheduled',
      message: 'assigned',
      count: 1,
      firstTimestamp: ago(700),
      lastTimestamp: ago(700),
      source: { component: 'default-scheduler' },
    },
  ],
  metadata: {},
};

test('describe - a pod mounting a secret shows only references and never reads the Secret', async (t) => {
  const api = fakeApi({ '/api/v1/namespaces/default/pods/web': podObject('web') });
  const result = await describe(api.reader, command('pods', ['web']), AbortSignal.timeout(5_000), () => NOW);
  t.is(result.error, null);
  t.true(
    result.output.includes(
      "      DB_PASSWORD:  <set to the key 'password' in secret 'db-creds'>  Optional: false\n",
    ),
  );
  t.true(
    result.output.includes(
      '    Type:        Secret (a volume populated by a Secret)\n    SecretName:  db-creds\n    Optional:    false\n',
    ),
  );
  t.true(result.output.includes('      /etc/creds from creds (ro)\n'));
  t.true(result.output.endsWith('Tolerations:     <none>\nEvents:          <none>\n'));
  t.deepEqual(
    api.paths.filter((p) => p.includes('secret')),
    [],
  );
});

test('describe - events are oldest first with kubectl ages and repeat counts', async (t) => {
  const api = fakeApi({
    '/api/v1/namespaces/default/pods/web': podObject('web'),
    '/api/v1/namespaces/default/events': EVENTS,
  });
  const result = await describe(api.reader, command('pods', ['web']), AbortSignal.timeout(5_000), () => NOW);
  const events = result.output.slice(result.output.indexOf('Events:'));
  t.is(
    events,
    'Events:\n' +
      '  Type     Reason     Age                From               Message\n' +
      '  ----     ------     ----               ----               -------\n' +
      '  Normal   Scheduled  11m                default-scheduler  assigned\n' +
      '  Warning  BackOff    30s (x5 over 10m)  kubelet            Back-off restarting failed container\n',
  );
  const eventsQuery = api.paths.find((p) => p.startsWith('/api/v1/namespaces/default/events?')) ?? '';
  t.is(
    new URLSearchParams(eventsQuery.split('?')[1]).get('fieldSelector'),
    'involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=uid-web',
  );
});

test('describe - several objects are separated as kubectl separates them', async (t) => {
  const api = fakeApi({
    '/api/v1/namespaces/default/pods': { items: [podObject('a'), podObject('b')], metadata: {} },
  });
  const result = await describe(api.reader, command('pods', []), AbortSignal.timeout(5_000), () => NOW);
  const parts = result.output.split('Events:          <none>\n');
  t.is(parts.length, 3);
  t.regex(parts[0] ?? '', /^Name: +a\n/);
  t.regex(parts[1] ?? '', /^\n\nName: +b\n/);
  t.is(parts[2], '');
  t.true(api.paths.some((p) => p.startsWith('/api/v1/namespaces/default/pods?') && p.includes('limit=500')));
});

test('describe - a missing object gives kubectl NotFound text', async (t) => {
  const api = fakeApi({ '/api/v1/namespaces/default/pods': { items: [], metadata: {} } });
  const result = await describe(
    api.reader,
    command('pods', ['ghost']),
    AbortSignal.timeout(5_000),
    () => NOW,
  );
  t.is(result.output, '');
  t.is(result.error, 'Error from server (NotFound): pods "ghost" not found');
});

test('describe - a resource without a describer is refused with a reason', async (t) => {
  const api = fakeApi({});
  const result = await describe(api.reader, command('secrets', ['x']), AbortSignal.timeout(5_000), () => NOW);
  t.is(result.error, 'describe is not supported for secrets');
  t.deepEqual(api.paths, []);
});

test('describe - an aborted command rejects instead of returning partial output', async (t) => {
  const controller = new AbortController();
  const reader: KubeReader = {
    getJson: (_path, _query, signal) =>
      new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () =>
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
        );
      }),
  };
  const pending = describe(reader, command('pods', ['web']), controller.signal, () => NOW);
  controller.abort();
  await t.throwsAsync(pending, { name: 'AbortError' });
});
