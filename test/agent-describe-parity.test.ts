// Byte-for-byte parity of the agent's in-process `describe` with real kubectl 1.32, both run
// against the same simulated kube-apiserver.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { describe, type KubeReader, kubeReaderOf } from '../agent/describe/index.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import type { Command } from '../common/command/types.js';
import { resolveResourceType } from '../common/resources.js';
import { escapeTerminal } from '../common/terminal.js';
import { normalizeAges } from '../harness/kubectl.js';
import { simKubeconfigYaml } from '../sim/kubeconfig.js';
import { type SimApiserver, startSimApiserver } from '../sim/server.js';

const run = promisify(execFile);

let sim: SimApiserver;
let dir: string;
let kubeconfig: string;
let cacheDir: string;
let reader: KubeReader;
let closeClient = () => {};

// One sim for the file (ava hooks cannot register teardowns, so test.after.always closes it).
test.before(async () => {
  sim = await startSimApiserver({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'kubently-describe-'));
  kubeconfig = join(dir, 'kubeconfig');
  cacheDir = join(dir, 'kubectl-cache');
  await writeFile(kubeconfig, simKubeconfigYaml(sim.url), { mode: 0o600 });
  const client = await createKubeClient(
    await loadKubeAccess({ inCluster: false, kubeconfigPath: kubeconfig }),
  );
  closeClient = () => client.close();
  reader = kubeReaderOf(client);
});

test.after.always(async () => {
  closeClient();
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The Command the parser would produce for `kubectl describe <args>` (the subset these cases use). */
function commandOf(args: string[]): Command {
  let namespace = 'default';
  let allNamespaces = false;
  let label: string | undefined;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-n') namespace = args[++i] as string;
    else if (a === '-A') allNamespaces = true;
    else if (a === '-l') label = args[++i] as string;
    else positional.push(a);
  }
  const resourceOf = (typed: string) => resolveResourceType(typed)?.resource ?? typed;
  const first = positional[0] as string;
  const targets = first.includes('/')
    ? positional.map((p) => {
        const [type, name] = p.split('/') as [string, string];
        return { resource: resourceOf(type), group: '', names: [name] };
      })
    : first.split(',').map((type) => ({ resource: resourceOf(type), group: '', names: positional.slice(1) }));
  return {
    id: 'parity',
    clusterId: 'sim',
    verb: 'describe',
    targets,
    namespace: allNamespaces ? null : namespace,
    allNamespaces,
    selectors: label ? { label } : {},
    output: 'table',
    flags: {},
    timeoutMs: 10_000,
    sessionId: null,
    identity: 'test',
    argv: ['describe', ...args],
  };
}

interface KubectlRun {
  stdout: string;
  stderr: string;
  code: number;
  startedAt: number;
  endedAt: number;
}

async function kubectl(args: string[]): Promise<KubectlRun> {
  const startedAt = Date.now();
  try {
    const { stdout, stderr } = await run(
      'kubectl',
      ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, 'describe', ...args],
      {
        env: { ...process.env, TZ: 'UTC' },
      },
    );
    // The agent escapes the C0 and C1 controls kubectl leaves raw (BEL, NEL, CSI in annotations): the
    // expected page is kubectl's with that escaping, which changes nothing else.
    return { stdout: escapeTerminal(stdout), stderr, code: 0, startedAt, endedAt: Date.now() };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return {
      stdout: escapeTerminal(e.stdout),
      stderr: e.stderr,
      code: e.code,
      startedAt,
      endedAt: Date.now(),
    };
  }
}

const second = (ms: number) => Math.floor(ms / 1000);

/**
 * Runs kubectl and describe() on the same sim. The sim's timestamps are whole seconds, so when
 * kubectl starts and ends within one second, describe() with `now` inside that second must produce
 * the very same ages: such a run is compared byte for byte with no normalization at all.
 */
async function compare(
  args: string[],
): Promise<{ exact: boolean; ours: { output: string; error: string | null }; theirs: KubectlRun }> {
  for (let attempt = 0; attempt < 4; attempt++) {
    // Start early in a second, so kubectl's ~100 ms rarely crosses into the next one.
    const ms = Date.now() % 1000;
    if (ms > 300) await new Promise((r) => setTimeout(r, 1000 - ms + 5));
    const theirs = await kubectl(args);
    if (second(theirs.startedAt) !== second(theirs.endedAt)) continue;
    const ours = await describe(reader, commandOf(args), AbortSignal.timeout(10_000), () => theirs.startedAt);
    return { exact: true, ours, theirs };
  }
  const theirs = await kubectl(args);
  const ours = await describe(reader, commandOf(args), AbortSignal.timeout(10_000), () => theirs.endedAt);
  return { exact: false, ours, theirs };
}

/** `shows`: lines kubectl must print, so a case cannot pass by both sides printing '<none>'. */
const CASES: { title: string; args: string[]; shows?: RegExp[] }[] = [
  { title: 'a crash-looping pod with repeated events', args: ['pod', 'api-6b8f9d5c7-x7k2p'] },
  {
    title: 'a multi-container pod with an init container and secret env refs',
    args: ['pod', 'checkout-5b7c9d8f6-lm4np'],
  },
  { title: 'a pod in ImagePullBackOff', args: ['pod', 'frontend-8f7d6c5b4-qwert'] },
  { title: 'an unschedulable pending pod', args: ['pod', 'queue-consumer-7f9b8c6d5-zt8wq'] },
  { title: 'a terminating pod', args: ['pod', 'web-6d8f7c9b5-pq9rt'] },
  { title: 'an OOM-killed pod', args: ['pod', 'report-builder'] },
  { title: 'a stateful pod with a PVC and a secret env ref', args: ['pod', 'postgres-0', '-n', 'payments'] },
  { title: 'a NotReady node with taints, lease and pods', args: ['node', 'worker-2'] },
  { title: 'a cordoned node', args: ['node', 'worker-1'] },
  { title: 'all nodes', args: ['nodes'] },
  { title: 'a deployment with unavailable replicas and an old replica set', args: ['deployment', 'api'] },
  { title: 'a deployment whose pods cannot pull their image', args: ['deploy', 'frontend'] },
  { title: 'a replica set', args: ['rs', 'api-6b8f9d5c7'] },
  { title: 'a daemon set with an unavailable pod', args: ['ds', 'node-exporter', '-n', 'monitoring'] },
  { title: 'a stateful set with volume claim templates', args: ['sts', 'postgres', '-n', 'payments'] },
  { title: 'a load-balancer service', args: ['svc', 'frontend'] },
  { title: 'a multi-port service', args: ['svc', 'kube-dns', '-n', 'kube-system'] },
  {
    title: 'a service with ready endpoints from its EndpointSlice',
    args: ['svc', 'web'],
    shows: [/^Endpoints:\s+10\.244\.1\.12:80,10\.244\.1\.13:80$/m],
  },
  {
    title: 'a headless service',
    args: ['svc', '-n', 'payments', 'postgres'],
    shows: [/^Endpoints:\s+10\.244\.1\.60:5432$/m],
  },
  {
    title: 'a service with an unnamed port',
    args: ['svc', 'payments-api', '-n', 'payments'],
    shows: [/^Endpoints:\s+10\.244\.1\.70:8080,10\.244\.1\.71:8080$/m],
  },
  {
    title: 'a service with a not-ready endpoint',
    args: ['svc', 'api'],
    shows: [/^Endpoints:\s+10\.244\.1\.21:8080,10\.244\.1\.22:8080$/m],
  },
  { title: 'a namespace', args: ['namespace', 'default'] },
  {
    title: 'a namespace with resource quotas and a limit range',
    args: ['ns', 'payments'],
    shows: [/^ {2}Scopes:\s+BestEffort$/m, /^ {2}requests\.cpu\s+350m\s+4$/m, /^ Container\s+memory\s+16Mi/m],
  },
  {
    title: 'a pod mounting a secret volume and a projected secret',
    args: ['pod', 'ledger-export', '-n', 'payments'],
    shows: [
      /^ {4}SecretName:\s+ledger-signing-key$/m,
      /^ {4}SecretName:\s+ledger-export-tls$/m,
      /^ {6}\/etc\/ledger\/keys from signing-key \(ro\)$/m,
    ],
  },
  {
    title: 'an ingress with TLS and two backends',
    args: ['ingress', 'web'],
    shows: [/\/api\s+api:8080 \(10\.244\.1\.21:8080,10\.244\.1\.22:8080\)$/m],
  },
  { title: 'endpoints with many addresses', args: ['endpoints', 'kube-dns', '-n', 'kube-system'] },
  { title: 'every pod of a namespace', args: ['pods'] },
  { title: 'pods chosen by label selector', args: ['pod', '-l', 'app=api'] },
  { title: 'pods by label across all namespaces', args: ['pods', '-A', '-l', 'tier=backend'] },
  { title: 'two types in one command', args: ['deploy/web', 'svc/web'] },
  { title: 'pods whose names start with the given name', args: ['pod', 'web'] },
  { title: 'a pod that does not exist', args: ['pod', 'no-such-pod'] },
  { title: 'one found and one missing pod', args: ['pod', 'report-builder', 'no-such-pod'] },
];

for (const c of CASES) {
  test.serial(`describe parity - ${c.title}: kubectl describe ${c.args.join(' ')}`, async (t) => {
    const { exact, ours, theirs } = await compare(c.args);
    const kubectlError = theirs.stderr.trim() === '' ? null : theirs.stderr.trim();
    if (exact) {
      t.is(ours.output, theirs.stdout);
    } else {
      t.log('kubectl crossed a second boundary on every attempt; ages compared normalized');
      t.is(normalizeAges(ours.output), normalizeAges(theirs.stdout));
    }
    t.is(ours.error, theirs.code === 0 ? null : kubectlError);
    t.true(ours.output.length > 0 || ours.error !== null);
    for (const line of c.shows ?? []) t.regex(theirs.stdout, line);
  });
}

test.serial("describe parity - an event, whose describer is kubectl's generic one", async (t) => {
  const list = await reader.getJson<{ items: { metadata: { name: string } }[] }>(
    '/api/v1/namespaces/default/events',
  );
  const name = list.items[0]?.metadata.name as string;
  const { exact, ours, theirs } = await compare(['event', name]);
  t.true(theirs.stdout.includes('Involved Object:'));
  t.is(
    exact ? ours.output : normalizeAges(ours.output),
    exact ? theirs.stdout : normalizeAges(theirs.stdout),
  );
  t.is(ours.error, null);
});

test.serial("describe parity - the NotFound error is kubectl's text", async (t) => {
  const ours = await describe(reader, commandOf(['pod', 'no-such-pod']), AbortSignal.timeout(10_000));
  t.is(ours.error, 'Error from server (NotFound): pods "no-such-pod" not found');
  t.is(ours.output, '');
});

test.serial(
  'describe - never reads a Secret, even for pods whose env or volumes refer to secrets',
  async (t) => {
    const before = sim.requests;
    const result = await describe(reader, commandOf(['pods', '-A']), AbortSignal.timeout(10_000));
    const paths = sim.log.slice(-(sim.requests - before)).map((r) => r.path);
    t.true(result.output.includes("<set to the key 'password' in secret 'api-db'>"));
    // A mounted secret is named, its data never shown (the sim stores it, RBAC forbids reading it).
    t.regex(result.output, /SecretName:\s+ledger-signing-key\n/);
    t.false(result.output.includes('bm90LWEtcmVhbC1rZXk='));
    t.true(paths.length > 0);
    t.deepEqual(
      paths.filter((p) => p.includes('/secrets')),
      [],
    );
  },
);

test.serial('describe - fetches what kubectl fetches for a node, in parallel', async (t) => {
  const before = sim.requests;
  await describe(reader, commandOf(['node', 'worker-2']), AbortSignal.timeout(10_000));
  const paths = sim.log.slice(-(sim.requests - before)).map((r) => decodeURIComponent(r.path));
  t.true(
    paths.some(
      (p) =>
        p.startsWith('/api/v1/pods?') &&
        p.includes('fieldSelector=spec.nodeName=worker-2,status.phase!=Succeeded,status.phase!=Failed'),
    ),
  );
  t.true(
    paths.some((p) =>
      p.startsWith('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-2'),
    ),
  );
  t.is(
    paths.filter((p) => p.startsWith('/api/v1/events?') && p.includes('involvedObject.kind=Node')).length,
    2,
  );
});
