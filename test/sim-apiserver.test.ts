import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import anyTest, { type TestFn } from 'ava';
import { humanDuration } from '../common/duration.js';
import { defaultFixtures } from '../sim/fixtures.js';
import { createSimHandler } from '../sim/handler.js';
import { simKubeconfigYaml } from '../sim/kubeconfig.js';
import { parseLabelSelector } from '../sim/selectors.js';
import type { SimApiserver } from '../sim/server.js';
import { startSimApiserver } from '../sim/server.js';

const run = promisify(execFile);

interface Context {
  sim: SimApiserver;
  kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
  dir: string;
}

const test = anyTest as TestFn<Context>;

// One sim and one kubectl cache for the whole file: kubectl's discovery cache makes later calls fast.
test.before(async (t) => {
  const sim = await startSimApiserver({ port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'kubently-sim-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, simKubeconfigYaml(sim.url));
  t.context = {
    sim,
    dir,
    async kubectl(...args) {
      try {
        const { stdout, stderr } = await run(
          'kubectl',
          ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
          { timeout: 20_000 },
        );
        return { stdout, stderr, code: 0 };
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; code?: number };
        return {
          stdout: e.stdout ?? '',
          stderr: e.stderr ?? '',
          code: typeof e.code === 'number' ? e.code : -1,
        };
      }
    },
  };
});

test.after.always(async (t) => {
  await t.context.sim?.close();
  await rm(t.context.dir, { recursive: true, force: true });
});

function row(output: string, name: string): string[] {
  const line = output.split('\n').find((l) => l.split(/\s+/).includes(name));
  return line ? line.trim().split(/\s{2,}/) : [];
}

test('kubectl get pods -A - prints every namespace with the troubled states', async (t) => {
  const { stdout, code } = await t.context.kubectl('get', 'pods', '-A');
  t.is(code, 0);
  t.regex(stdout.split('\n')[0]!, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  t.deepEqual(row(stdout, 'api-6b8f9d5c7-x7k2p').slice(0, 4), [
    'default',
    'api-6b8f9d5c7-x7k2p',
    '0/1',
    'CrashLoopBackOff',
  ]);
  t.regex(row(stdout, 'api-6b8f9d5c7-x7k2p')[4]!, /^7 \(4m\d*s? ago\)$/);
  t.is(row(stdout, 'frontend-8f7d6c5b4-qwert')[3], 'ImagePullBackOff');
  t.is(row(stdout, 'queue-consumer-7f9b8c6d5-zt8wq')[3], 'Pending');
  t.is(row(stdout, 'report-builder')[3], 'OOMKilled');
  t.is(row(stdout, 'db-migrate-x9k4t')[3], 'Completed');
  t.is(row(stdout, 'web-6d8f7c9b5-pq9rt')[3], 'Terminating');
  t.deepEqual(row(stdout, 'checkout-5b7c9d8f6-lm4np').slice(2, 4), ['2/2', 'Running']);
  t.is(row(stdout, 'postgres-0')[0], 'payments');
});

test('kubectl get pods -o wide - shows IP, node and the <none> cells', async (t) => {
  const { stdout } = await t.context.kubectl('get', 'pods', '-n', 'default', '-o', 'wide');
  t.regex(
    stdout.split('\n')[0]!,
    /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/,
  );
  t.deepEqual(row(stdout, 'web-7c5ddbdf54-2xkqp').slice(5), ['10.244.1.12', 'worker-1', '<none>', '<none>']);
  t.deepEqual(row(stdout, 'queue-consumer-7f9b8c6d5-zt8wq').slice(5), [
    '<none>',
    '<none>',
    '<none>',
    '<none>',
  ]);
});

test('kubectl get nodes - NotReady and SchedulingDisabled', async (t) => {
  const { stdout } = await t.context.kubectl('get', 'nodes');
  t.regex(stdout.split('\n')[0]!, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
  t.deepEqual(row(stdout, 'worker-2'), ['worker-2', 'NotReady', 'worker', '45d', 'v1.32.2']);
  t.deepEqual(row(stdout, 'worker-1').slice(0, 3), ['worker-1', 'Ready,SchedulingDisabled', 'worker']);
  t.deepEqual(row(stdout, 'control-plane').slice(0, 3), ['control-plane', 'Ready', 'control-plane']);
});

test('kubectl get deploy,svc - deployments and services of every type', async (t) => {
  const { stdout } = await t.context.kubectl('get', 'deploy,svc', '-n', 'default');
  t.deepEqual(row(stdout, 'deployment.apps/api').slice(0, 4), ['deployment.apps/api', '2/3', '3', '2']);
  t.deepEqual(row(stdout, 'service/frontend').slice(0, 5), [
    'service/frontend',
    'LoadBalancer',
    '10.96.33.90',
    '203.0.113.10',
    '80:31380/TCP',
  ]);
  t.deepEqual(row(stdout, 'service/api').slice(1, 5), [
    'NodePort',
    '10.96.77.201',
    '<none>',
    '8080:30080/TCP',
  ]);
  const headless = await t.context.kubectl('get', 'svc', 'postgres', '-n', 'payments');
  t.is(row(headless.stdout, 'postgres')[2], 'None');
});

test('kubectl describe pod - shows the crash and its Warning events', async (t) => {
  const { stdout, code } = await t.context.kubectl('describe', 'pod', 'api-6b8f9d5c7-x7k2p');
  t.is(code, 0);
  t.regex(stdout, /State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff/);
  t.regex(stdout, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+1/);
  t.regex(stdout, /DATABASE_PASSWORD:\s+<set to the key 'password' in secret 'api-db'>/);
  t.regex(stdout, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
  t.regex(
    stdout,
    /Warning\s+BackOff\s+\d+s \(x142 over 33m\)\s+kubelet\s+Back-off restarting failed container api/,
  );
});

test('kubectl describe node - conditions, taints, pods on the node and its events', async (t) => {
  const { stdout, code } = await t.context.kubectl('describe', 'node', 'worker-2');
  t.is(code, 0);
  t.regex(stdout, /Taints:\s+node\.kubernetes\.io\/unreachable:NoExecute/);
  t.regex(stdout, /Ready\s+Unknown\s+.*NodeStatusUnknown\s+Kubelet stopped posting node status\./);
  t.regex(stdout, /Non-terminated Pods:\s+\(2 in total\)/);
  t.regex(stdout, /HolderIdentity:\s+worker-2/);
  t.regex(
    stdout,
    /Normal\s+NodeNotReady\s+\S+\s+node-controller\s+Node worker-2 status is now: NodeNotReady/,
  );
});

test('kubectl get with label and field selectors', async (t) => {
  const byLabel = await t.context.kubectl('get', 'pods', '-l', 'app=api', '-o', 'name');
  t.deepEqual(byLabel.stdout.trim().split('\n'), [
    'pod/api-6b8f9d5c7-h2lqs',
    'pod/api-6b8f9d5c7-m8vbn',
    'pod/api-6b8f9d5c7-x7k2p',
  ]);
  const setBased = await t.context.kubectl(
    'get',
    'pods',
    '-A',
    '-l',
    'app in (web,postgres),!job-name',
    '-o',
    'name',
  );
  t.deepEqual(setBased.stdout.trim().split('\n'), [
    'pod/web-6d8f7c9b5-pq9rt',
    'pod/web-7c5ddbdf54-2xkqp',
    'pod/web-7c5ddbdf54-9zt4m',
    'pod/postgres-0',
  ]);
  const pending = await t.context.kubectl(
    'get',
    'pods',
    '-A',
    '--field-selector',
    'status.phase=Pending',
    '-o',
    'name',
  );
  t.deepEqual(pending.stdout.trim().split('\n'), [
    'pod/frontend-8f7d6c5b4-qwert',
    'pod/queue-consumer-7f9b8c6d5-zt8wq',
  ]);
  const bad = await t.context.kubectl('get', 'pods', '--field-selector', 'spec.bogus=x');
  t.is(bad.code, 1);
  t.regex(bad.stderr, /field label not supported: spec\.bogus/);
});

test('kubectl logs - tail, default container, and the kubelet errors', async (t) => {
  const tail = await t.context.kubectl('logs', 'api-6b8f9d5c7-x7k2p', '--tail', '2');
  t.deepEqual(tail.stdout.trim().split('\n'), [
    '{"level":"error","msg":"connecting to database","error":"dial tcp 10.96.88.4:5432: connect: connection refused"}',
    '{"level":"fatal","msg":"giving up after 3 attempts"}',
  ]);
  const multi = await t.context.kubectl('logs', 'checkout-5b7c9d8f6-lm4np');
  t.regex(multi.stderr, /Defaulted container "checkout" out of: checkout, envoy, migrate-schema \(init\)/);
  t.regex(multi.stdout, /checkout service ready on :8080/);
  const pull = await t.context.kubectl('logs', 'frontend-8f7d6c5b4-qwert');
  t.is(pull.code, 1);
  t.regex(pull.stderr, /is waiting to start: trying and failing to pull image/);
  const previous = await t.context.kubectl('logs', 'web-7c5ddbdf54-2xkqp', '--previous');
  t.regex(previous.stderr, /previous terminated container "nginx" in pod "web-7c5ddbdf54-2xkqp" not found/);
});

test('pods/log - a pod with several containers and no container named is a 400', (t) => {
  const res = t.context.sim.handler.handle(
    'GET',
    '/api/v1/namespaces/default/pods/checkout-5b7c9d8f6-lm4np/log',
  );
  t.is(res.status, 400);
  t.is(
    JSON.parse(res.body).message,
    'a container name must be specified for pod checkout-5b7c9d8f6-lm4np, choose one of: [migrate-schema checkout envoy]',
  );
  const ts = t.context.sim.handler.handle(
    'GET',
    '/api/v1/namespaces/default/pods/checkout-5b7c9d8f6-lm4np/log?container=envoy&previous=true&timestamps=true',
  );
  t.regex(ts.body, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \[info\]/);
});

test('kubectl get secrets - Forbidden as RBAC answers, in every form', async (t) => {
  const list = await t.context.kubectl('get', 'secrets');
  t.is(list.code, 1);
  t.is(list.stdout, '');
  t.is(
    list.stderr.trim(),
    'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:kubently:kubently-agent" cannot list resource "secrets" in API group "" in the namespace "default"',
  );
  const all = await t.context.kubectl('get', 'secrets', '-A');
  t.regex(all.stderr, /cannot list resource "secrets" in API group "" at the cluster scope/);
  const one = t.context.sim.handler.handle('GET', '/api/v1/namespaces/payments/secrets/postgres-credentials');
  t.is(one.status, 403);
  t.deepEqual(JSON.parse(one.body).details, { name: 'postgres-credentials', kind: 'secrets' });
});

test('write verbs are forbidden with the verb RBAC would name', async (t) => {
  const del = await t.context.kubectl('delete', 'pod', 'web-7c5ddbdf54-2xkqp');
  t.is(del.code, 1);
  t.regex(
    del.stderr,
    /pods "web-7c5ddbdf54-2xkqp" is forbidden: User ".*" cannot delete resource "pods" in API group "" in the namespace "default"/,
  );
  const create = t.context.sim.handler.handle('POST', '/apis/apps/v1/namespaces/default/deployments');
  t.is(create.status, 403);
  t.regex(JSON.parse(create.body).message, /cannot create resource "deployments" in API group "apps"/);
});

test('kubectl get pod does-not-exist - NotFound', async (t) => {
  const res = await t.context.kubectl('get', 'pod', 'does-not-exist');
  t.is(res.code, 1);
  t.is(res.stderr.trim(), 'Error from server (NotFound): pods "does-not-exist" not found');
  const raw = t.context.sim.handler.handle('GET', '/api/v1/namespaces/default/pods/x');
  t.is(
    raw.body,
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"x\\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}',
  );
});

test('kubectl get events - Warning events with their objects', async (t) => {
  const { stdout } = await t.context.kubectl(
    'get',
    'events',
    '-n',
    'default',
    '--field-selector',
    'type=Warning',
  );
  t.regex(stdout.split('\n')[0]!, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
  t.regex(stdout, /Warning\s+BackOff\s+pod\/api-6b8f9d5c7-x7k2p\s+Back-off restarting/);
  t.regex(
    stdout,
    /3m(\d+s)?\s+Warning\s+FailedScheduling\s+pod\/queue-consumer-7f9b8c6d5-zt8wq\s+0\/3 nodes are available/,
  );
  t.notRegex(stdout, /Normal/);
});

test('kubectl get of the other printed types - headers and cells', async (t) => {
  const cases: [string[], RegExp][] = [
    [['get', 'rs', '-n', 'default'], /api-6b8f9d5c7\s+3\s+3\s+2\s+35m/],
    [['get', 'ds', '-A'], /node-exporter\s+3\s+3\s+2\s+3\s+2\s+kubernetes.io\/os=linux\s+30d/],
    [['get', 'sts', '-n', 'payments'], /postgres\s+1\/1\s+20d/],
    [['get', 'ingress'], /web\s+nginx\s+shop.example.com\s+203.0.113.20\s+80, 443\s+12d/],
    [['get', 'netpol', '-n', 'payments'], /allow-api-to-postgres\s+app=postgres/],
    [['get', 'sc'], /standard \(default\)\s+rancher.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false/],
    [['get', 'pv'], /10Gi\s+RWO\s+Delete\s+Bound\s+payments\/data-postgres-0\s+standard\s+<unset>/],
    [['get', 'pvc'], /uploads\s+Pending\s+standard\s+<unset>\s+3h/],
    [['get', 'jobs'], /db-migrate\s+Complete\s+1\/1\s+24s\s+3d/],
    [['get', 'cronjobs', '-n', 'payments'], /nightly-backup\s+0 2 \* \* \*\s+<none>\s+False\s+0\s+9h/],
    [['get', 'hpa'], /web\s+Deployment\/web\s+cpu: 35%\/80%\s+2\s+10\s+2/],
    [
      ['get', 'ep', '-n', 'kube-system'],
      /kube-dns\s+10.244.0.2:53,10.244.0.3:53,10.244.0.2:53 \+ 3 more\.\.\./,
    ],
    [['get', 'ns'], /payments\s+Active\s+30d/],
    [['get', 'cm', '-n', 'default'], /web-config\s+2\s+7d/],
    [['get', 'sa', '-n', 'default'], /^api\s+0\s+12d$/m],
    [['get', 'roles'], /NAME\s+CREATED AT\npod-reader\s+\d{4}-/],
  ];
  for (const [args, expected] of cases) {
    const { stdout, stderr } = await t.context.kubectl(...args);
    t.regex(stdout, expected, `${args.join(' ')}: ${stdout}${stderr}`);
  }
});

test('kubectl get endpointslices - one slice per service, found by the service-name label', async (t) => {
  const all = await t.context.kubectl('get', 'endpointslices', '-A');
  t.is(all.code, 0, all.stderr);
  t.regex(all.stdout.split('\n')[0]!, /^NAMESPACE\s+NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
  t.regex(all.stdout, /^default\s+kubernetes\s+IPv4\s+6443\s+172\.18\.0\.2\s+45d$/m);
  // Not-ready addresses are listed too; the slice's conditions say which are ready.
  t.regex(
    all.stdout,
    /^default\s+api-[0-9a-f]{5}\s+IPv4\s+8080\s+10\.244\.1\.21,10\.244\.1\.22,10\.244\.1\.23\s+12d$/m,
  );
  t.regex(all.stdout, /^default\s+frontend-[0-9a-f]{5}\s+IPv4\s+3000\s+<unset>\s+22m$/m);
  t.regex(
    all.stdout,
    /^kube-system\s+kube-dns-[0-9a-f]{5}\s+IPv4\s+53,53,9153\s+10\.244\.0\.2,10\.244\.0\.3\s+45d$/m,
  );
  const services = JSON.parse((await t.context.kubectl('get', 'svc', '-A', '-o', 'json')).stdout) as {
    items: unknown[];
  };
  t.is(all.stdout.trim().split('\n').length - 1, services.items.length);

  const { handler } = t.context.sim;
  const list = JSON.parse(
    handler.handle(
      'GET',
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dapi',
    ).body,
  );
  t.is(list.kind, 'EndpointSliceList');
  t.is(list.apiVersion, 'discovery.k8s.io/v1');
  t.is(list.items.length, 1);
  const slice = list.items[0];
  t.is(slice.metadata.ownerReferences[0].kind, 'Service');
  t.is(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  t.deepEqual(
    slice.endpoints.map((e: { addresses: string[]; conditions: { ready: boolean } }) => [
      e.addresses[0],
      e.conditions.ready,
    ]),
    [
      ['10.244.1.21', true],
      ['10.244.1.22', true],
      ['10.244.1.23', false],
    ],
  );
  t.deepEqual(slice.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }]);
  const headless = JSON.parse(
    handler.handle(
      'GET',
      '/apis/discovery.k8s.io/v1/namespaces/payments/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dpostgres',
    ).body,
  );
  t.is(headless.items[0].metadata.labels['service.kubernetes.io/headless'], '');
  const one = await t.context.kubectl(
    'get',
    'endpointslice',
    '-n',
    'payments',
    headless.items[0].metadata.name,
  );
  t.regex(one.stdout, /postgres-[0-9a-f]{5}\s+IPv4\s+5432\s+10\.244\.1\.60\s+20d/);
});

test("kubectl get quota,limits - usage computed from the namespace's pods", async (t) => {
  const { stdout, stderr, code } = await t.context.kubectl('get', 'quota,limits', '-n', 'payments');
  t.is(code, 0, stderr);
  // postgres-0 (250m, 512Mi) + ledger-export (100m, 128Mi, limit 256Mi); payments-api pods request nothing.
  t.regex(
    stdout,
    /resourcequota\/compute\s+3d\s+persistentvolumeclaims: 1\/5, pods: 4\/20, requests\.cpu: 350m\/4, requests\.memory: 640Mi\/8Gi, services: 2\/10\s+limits\.memory: 256Mi\/16Gi/,
  );
  t.regex(stdout, /resourcequota\/best-effort\s+3d\s+pods: 2\/5/);
  t.regex(stdout, /limitrange\/payments-limits\s+\d{4}-\d\d-\d\dT/);
});

test('kubectl api-resources, api-versions and version', async (t) => {
  const resources = await t.context.kubectl('api-resources');
  t.regex(resources.stdout, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  t.regex(resources.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  t.regex(resources.stdout, /^secrets\s+v1\s+true\s+Secret$/m);
  t.regex(resources.stdout, /^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice$/m);
  const versions = await t.context.kubectl('api-versions');
  t.true(versions.stdout.split('\n').includes('autoscaling/v2'));
  t.true(versions.stdout.split('\n').includes('v1'));
  const version = await t.context.kubectl('version');
  t.regex(version.stdout, /Server Version: v1\.32\.2/);
});

test('kubectl explain - reads the OpenAPI v3 documents', async (t) => {
  const pods = await t.context.kubectl('explain', 'pods.spec.containers');
  t.is(pods.code, 0, pods.stderr);
  t.regex(pods.stdout, /KIND:\s+Pod\nVERSION:\s+v1/);
  t.regex(pods.stdout, /FIELD: containers <\[\]Container>/);
  t.regex(pods.stdout, /image\s+<string>/);
  const deploy = await t.context.kubectl('explain', 'deployments.spec');
  t.regex(deploy.stdout, /replicas\s+<integer>/);
});

test('limit and continue - chunks a list as the real server does', (t) => {
  const { handler } = t.context.sim;
  const total = handler.fixtures.objects.pods?.length ?? 0;
  t.true(total > 10);
  const first = JSON.parse(handler.handle('GET', '/api/v1/pods?limit=10').body);
  t.is(first.items.length, 10);
  t.truthy(first.metadata.continue);
  t.is(first.metadata.remainingItemCount, total - 10);
  const second = JSON.parse(
    handler.handle('GET', `/api/v1/pods?limit=100&continue=${encodeURIComponent(first.metadata.continue)}`)
      .body,
  );
  t.is(second.items.length, total - 10);
  t.is(second.metadata.continue, undefined);
  // Sorted by namespace then name, as etcd keys are: the 11th default pod comes first.
  t.is(second.items[0].metadata.name, 'web-7c5ddbdf54-9zt4m');
});

test('server-side Table - includeObject decides what each row carries', (t) => {
  const accept = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };
  const meta = JSON.parse(t.context.sim.handler.handle('GET', '/api/v1/nodes', accept).body);
  t.is(meta.kind, 'Table');
  t.deepEqual(
    meta.columnDefinitions
      .filter((c: { priority: number }) => c.priority === 1)
      .map((c: { name: string }) => c.name),
    ['Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'],
  );
  t.is(meta.rows[0].object.kind, 'PartialObjectMetadata');
  const none = JSON.parse(
    t.context.sim.handler.handle('GET', '/api/v1/nodes?includeObject=None', accept).body,
  );
  t.is(none.rows[0].object, undefined);
  const full = JSON.parse(
    t.context.sim.handler.handle('GET', '/api/v1/nodes?includeObject=Object', accept).body,
  );
  t.is(full.rows[0].object.kind, 'Node');
});

test('humanDuration - matches apimachinery', (t) => {
  const s = 1000;
  t.is(humanDuration(5 * s), '5s');
  t.is(humanDuration(119 * s), '119s');
  t.is(humanDuration(150 * s), '2m30s');
  t.is(humanDuration(10 * 60 * s), '10m');
  t.is(humanDuration(3 * 3600 * s), '3h');
  t.is(humanDuration((3 * 3600 + 15 * 60) * s), '3h15m');
  t.is(humanDuration(51 * 3600 * s), '2d3h');
  t.is(humanDuration(45 * 86400 * s), '45d');
  t.is(humanDuration((2 * 365 + 30) * 86400 * s), '2y30d');
  t.is(humanDuration(-5 * s), '<invalid>');
});

test('label selector parser - every operator', (t) => {
  t.deepEqual(
    parseLabelSelector('a=1,b==2,c!=3,d in (x, y),e notin (z),f,!g').map((r) => r.op),
    ['=', '=', '!=', 'in', 'notin', 'exists', '!exists'],
  );
});

test('fixtures - injectable clock makes AGE stable', (t) => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const handler = createSimHandler({ fixtures: defaultFixtures(now), clock: () => now + 60_000 });
  const table = JSON.parse(
    handler.handle('GET', '/api/v1/namespaces/default/pods/api-6b8f9d5c7-x7k2p', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    }).body,
  );
  t.deepEqual(table.rows[0].cells.slice(0, 5), [
    'api-6b8f9d5c7-x7k2p',
    '0/1',
    'CrashLoopBackOff',
    '7 (5m ago)',
    '36m',
  ]);
});
