// The agent resolves custom resource types through discovery and judges the group discovery names with
// its own policy: a bare name the gateway could not place is read only when that group is allowed, a
// policy reload applies at once, and unknown names cannot make every command read discovery again.

import test, { type ExecutionContext } from 'ava';
import { createExecutor } from '../agent/executor.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { createLogger } from '../common/logger.js';
import { startSim, writeKubeconfig } from '../harness/sim.js';

async function stand(t: ExecutionContext, allowed: Set<string>) {
  const sim = await startSim(t);
  const kubeconfig = await writeKubeconfig(t, sim.url);
  const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath: kubeconfig }));
  t.teardown(() => kube.close());
  let clock = Date.now();
  const executor = createExecutor({
    kube,
    log: createLogger({ level: 'silent' }),
    limits: { maxOutputBytes: 1 << 20 },
    allowsCustomGroup: (group) => allowed.has(group) || allowed.has('*'),
    now: () => clock,
  });
  const run = (line: string) =>
    executor.execute(
      parseCommandRequest(
        { command: line },
        {
          id: 'c1',
          clusterId: 'sim',
          identity: 'test',
          sessionId: null,
          timeoutMs: 10_000,
          customResources: true,
        },
      ),
      AbortSignal.timeout(10_000),
    );
  const reads = (prefix: string) => sim.log.filter((r) => r.path.startsWith(prefix)).length;
  return { sim, run, reads, advance: (ms: number) => (clock += ms) };
}

test('custom resources - a bare name is read only when the group discovery names for it is allowed', async (t) => {
  const allowed = new Set(['cert-manager.io']);
  const { run, reads } = await stand(t, allowed);
  const ok = await run('get cert -A');
  t.is(ok.status, 'success');
  t.regex(ok.output, /ledger-export-tls/);
  // The cluster owner narrows the agent's policy: the next command is judged by it, nothing is read.
  allowed.clear();
  allowed.add('*.example.com');
  const before = reads('/apis/cert-manager.io/v1/');
  for (const line of ['get cert -A', 'describe Certificate web-tls', 'get certificates.cert-manager.io']) {
    const denied = await run(line);
    t.is(denied.status, 'denied', line);
    t.regex(denied.error ?? '', /API group cert-manager\.io .*custom_group_not_allowed/, line);
    t.is(denied.output, '');
  }
  t.is(reads('/apis/cert-manager.io/v1/'), before, 'no certificate was read once the group was taken away');
});

test('custom resources - a category expands to its members, each judged; an unknown name is not found', async (t) => {
  const { run } = await stand(t, new Set(['cert-manager.io']));
  const category = await run('get cert-manager -A -o name');
  t.is(category.status, 'success');
  t.is(
    category.output,
    'certificate.cert-manager.io/web-tls\ncertificate.cert-manager.io/ledger-export-tls\n',
  );
  const unknown = await run('get secretz');
  t.is(unknown.status, 'failure');
  t.is(unknown.error, 'error: the server doesn\'t have a resource type "secretz"');
});

test('custom resources - a built-in type outside the catalog is never custom, whatever the globs say', async (t) => {
  const { run } = await stand(t, new Set(['*']));
  // Leases are served by Kubernetes itself (coordination.k8s.io): '*' means CRDs, never the apiserver's own types.
  const lease = await run('get leases -n kube-node-lease');
  t.is(lease.status, 'denied');
  t.regex(lease.error ?? '', /leases\.coordination\.k8s\.io, a built-in type.*resource_not_allowed/);
  // A group without a dot is never a CRD's either.
  const builtIn = await run('get controllerrevisions -A');
  t.is(builtIn.status, 'denied');
  t.regex(builtIn.error ?? '', /controllerrevisions\.apps, a built-in type.*resource_not_allowed/);
  t.is((await run('get cert -A -o name')).status, 'success', 'a CRD of a dotted group still passes');
});

test('custom resources - misses read discovery again at most once per interval', async (t) => {
  const { run, reads, advance } = await stand(t, new Set(['*']));
  t.is((await run('get cert -A')).status, 'success');
  const groupLists = () => reads('/apis') - reads('/apis/');
  const afterFirst = groupLists();
  t.is((await run('get widgetz')).status, 'failure');
  t.is(groupLists(), afterFirst + 1, 'the first miss reads discovery again');
  for (let i = 0; i < 20; i++) t.is((await run(`get widgetz${i}`)).status, 'failure');
  t.is(groupLists(), afterFirst + 1, 'a flood of misses does not');
  advance(10_001);
  t.is((await run('get widgetz')).status, 'failure');
  t.is(groupLists(), afterFirst + 2, 'after the interval a miss reads it again');
});
