// Attacks on the troubleshoot preset: rollout history, --sort-by, custom resources by API group and the
// parser's rollout subcommands. Each secret planted in the simulated apiserver must never be printed, and
// every write spelling must be refused before it reaches an agent.

import test, { type ExecutionContext } from 'ava';
import { createExecutor } from '../agent/executor.js';
import type { CommandExecutor } from '../agent/executor-types.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import { REDACTED, redactTokens } from '../agent/redact.js';
import type { VerbContext } from '../agent/verbs/context.js';
import { createDocumentCache } from '../agent/verbs/document-cache.js';
import { createTypeResolver } from '../agent/verbs/resolve-type.js';
import { isQuantity, valueLess } from '../agent/verbs/sort-by.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { createLogger } from '../common/logger.js';
import { checkCommand, parsePolicy } from '../common/policy/index.js';
import { collectionPath } from '../common/resources.js';
import { startSimWithExecutor } from '../harness/sim.js';
import { fixtureClock, pod, running } from '../sim/fixture-builders.js';
import { defaultFixtures } from '../sim/fixtures.js';
import type { KubeObject } from '../sim/types.js';

const CONTEXT = { id: 'a', clusterId: 'c', identity: 'i', sessionId: null, timeoutMs: 10_000 };
const PASSWORD = 'rollout-literal-db-password';
const TOKEN = 'rollout-literal-api-token';

async function run(executor: CommandExecutor, line: string) {
  const command = parseCommandRequest({ command: line }, CONTEXT);
  return executor.execute(command, AbortSignal.timeout(10_000));
}

/** Runs each line: every one succeeds and its output holds none of `hidden`. */
async function expectHidden(
  t: ExecutionContext,
  executor: CommandExecutor,
  lines: readonly string[],
  hidden: readonly string[],
): Promise<void> {
  for (const line of lines) {
    const result = await run(executor, line);
    t.is(result.status, 'success', `${line}: ${result.error}`);
    for (const secret of hidden) t.false(result.output.includes(secret), `${line} shows ${secret}`);
  }
}

type Template = { spec: { containers: { env?: unknown[] }[] } };

/** Literal credentials in the env of every container of a pod template. */
function plant(template: Template): void {
  for (const c of template.spec.containers)
    c.env = [...(c.env ?? []), { name: 'DB_PASSWORD', value: PASSWORD }, { name: 'API_TOKEN', value: TOKEN }];
}

test('attack - rollout history --revision shows a revision template with its env values redacted', async (t) => {
  const fixtures = defaultFixtures(Date.now());
  const sets = fixtures.objects.replicasets ?? [];
  const webSets = sets.filter(
    (rs) => rs.metadata.name.startsWith('web-') && rs.metadata.namespace === 'default',
  );
  t.true(webSets.length > 0);
  for (const rs of webSets) plant((rs.spec as { template: Template }).template);
  const revisions = fixtures.objects.controllerrevisions ?? [];
  const exporter = revisions.filter((r: KubeObject) => r.metadata.name.startsWith('node-exporter-'));
  t.true(exporter.length > 0);
  for (const r of exporter) plant((r.data as { spec: { template: Template } }).spec.template);
  const { executor } = await startSimWithExecutor(t, { maxOutputBytes: 4 << 20 }, { fixtures });
  for (const line of [
    'rollout history deploy/web --revision=1',
    'rollout history deploy/web --revision=2',
    'rollout history ds/node-exporter -n monitoring --revision=1',
  ]) {
    const result = await run(executor, line);
    t.is(result.status, 'success', `${line}: ${result.error}`);
    t.false(result.output.includes(PASSWORD), `${line} shows the password`);
    t.false(result.output.includes(TOKEN), `${line} shows the token`);
    t.true(result.output.includes(REDACTED), line);
  }
});

/** The default fixtures plus one running pod per name in `namespace`, with `secret` in its env and annotations. */
function withPods(namespace: string, pods: readonly { name: string; secret?: string }[]) {
  const now = Date.now();
  const clock = fixtureClock(now);
  const fixtures = defaultFixtures(now);
  for (const { name, secret } of pods) {
    const env = secret === undefined ? [] : [{ name: 'DB_PASSWORD', value: secret }];
    const annotations: Record<string, string> =
      secret === undefined ? {} : { 'example.com/api-token': secret };
    fixtures.objects.pods?.push(
      pod(
        {
          name,
          namespace,
          ageSeconds: 600,
          labels: { app: namespace },
          nodeName: 'worker-1',
          phase: 'Running',
          annotations,
          containers: [{ name: 'app', image: 'app:1', env, state: running(clock, 500), ready: true }],
        },
        clock,
      ),
    );
  }
  return fixtures;
}

/** Two pods whose names sort one way and whose literal passwords sort the other way (or the same). */
const podsWithPasswords = (first: string, second: string) =>
  withPods('oracle', [
    { name: 'oracle-a', secret: first },
    { name: 'oracle-b', secret: second },
  ]);

test('attack - --sort-by on a redacted field does not order objects by the hidden value', async (t) => {
  const outputs = new Map<string, string[]>();
  for (const [label, first, second] of [
    ['ascending', 'aaa-secret', 'zzz-secret'],
    ['descending', 'zzz-secret', 'aaa-secret'],
  ] as const) {
    const { executor } = await startSimWithExecutor(
      t,
      { maxOutputBytes: 4 << 20 },
      { fixtures: podsWithPasswords(first, second) },
    );
    const seen: string[] = [];
    for (const line of [
      'get pods -n oracle --sort-by=.spec.containers[0].env[0].value',
      `get pods -n oracle "--sort-by={.metadata.annotations['example.com/api-token']}"`,
      'get pods -n oracle -o name --sort-by=.spec.containers[0].env[0].value',
      "get pods -n oracle -o name '--sort-by={.metadata.annotations.example\\.com/api-token}'",
      // One Table per named object: kubectl sorts the Tables themselves by the path.
      'get pods oracle-b oracle-a -n oracle --sort-by=.rows[0].object.spec.containers[0].env[0].value',
    ]) {
      const result = await run(executor, line);
      t.is(result.error, null, `${line}: ${result.error}`);
      t.false(result.output.includes('-secret'), line);
      seen.push(result.output.replace(/\d+[smhd]\b/g, 'AGE'));
    }
    outputs.set(label, seen);
  }
  t.deepEqual(outputs.get('ascending'), outputs.get('descending'));
});

const TEMPLATE_TOKEN = 'template-annotation-token';

test('attack - pod templates (deployment, revision, cronjob, job) show no credential annotations or env values', async (t) => {
  const fixtures = defaultFixtures(Date.now());
  type Annotated = { metadata?: { annotations?: Record<string, string> } } & Template;
  const leak = (template: Annotated) => {
    template.metadata = {
      ...template.metadata,
      annotations: { ...template.metadata?.annotations, 'example.com/api-token': TEMPLATE_TOKEN },
    };
    plant(template);
  };
  /** The spec of the fixture object `name` of `resource`; the test fails if it is gone. */
  const specOf = <T>(resource: string, name: string): T => {
    const found = fixtures.objects[resource]?.find((o) => o.metadata.name === name);
    if (found === undefined) throw new Error(`fixture ${resource}/${name} is missing`);
    return found.spec as T;
  };
  leak(specOf<{ template: Annotated }>('deployments', 'web').template);
  for (const rs of fixtures.objects.replicasets ?? [])
    if (rs.metadata.name.startsWith('web-')) leak((rs.spec as { template: Annotated }).template);
  type CronJobSpec = { jobTemplate: { spec: { template: Annotated } } };
  leak(specOf<CronJobSpec>('cronjobs', 'nightly-backup').jobTemplate.spec.template);
  leak(specOf<{ template: Annotated }>('jobs', 'report-generator').template);
  const { executor } = await startSimWithExecutor(t, { maxOutputBytes: 4 << 20 }, { fixtures });
  const lines = [
    'describe deploy web',
    'get deploy web -o yaml',
    'get rs -o json',
    'rollout history deploy/web --revision=2',
    'describe cronjob nightly-backup -n payments',
    'get cronjobs -A -o yaml',
    'describe job report-generator',
    'get job report-generator -o json',
  ];
  await expectHidden(t, executor, lines, [TEMPLATE_TOKEN, PASSWORD, TOKEN]);
});

test('attack - --sort-by on quantity-shaped strings with huge exponents is cheap and exact', (t) => {
  // Object names and label values may look like quantities: kubectl compares two such strings as
  // quantities. Scaling 1e999999999 to 1 would hold the agent's only thread for tens of seconds.
  t.false(valueLess('1e999999999', '2'));
  t.true(valueLess('2', '1e999999999'));
  t.true(valueLess('1e-999999999', '2'));
  t.true(valueLess('-1e999999999', '-2'));
  t.false(valueLess('1e999999999', '1e999999999'));
  t.true(valueLess('1e999999998', '1e999999999'));
  t.true(valueLess('999e999999996', '1e999999999'));
  t.true(valueLess('0.5', '1Ki'));
  t.true(valueLess('100m', '1'));
  t.false(valueLess('1000m', '1'));
  t.true(valueLess('0', '1e-999999999'));
});

test('attack - get --sort-by orders objects named like huge quantities', async (t) => {
  const names = ['1e999999999', '2', '1e-999999999', '3e999999998'];
  const fixtures = withPods(
    'quantities',
    names.map((name) => ({ name })),
  );
  const { executor } = await startSimWithExecutor(t, { maxOutputBytes: 4 << 20 }, { fixtures });
  for (const line of [
    'get pods -n quantities -o name --sort-by=.metadata.name',
    'get pods -n quantities --no-headers --sort-by=.metadata.name',
  ]) {
    const result = await run(executor, line);
    t.is(result.error, null, line);
    t.deepEqual(
      result.output
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^pod\//, '').split(' ')[0]),
      ['1e-999999999', '2', '3e999999998', '1e999999999'],
      line,
    );
  }
});

/** A Certificate whose spec nests `depth` levels with `width` keys at the bottom (a few hundred KB of JSON). */
function nestedCertificate(
  fixtures: ReturnType<typeof defaultFixtures>,
  name: string,
  depth: number,
  width: number,
) {
  const certificates = fixtures.objects.certificates ?? [];
  const cert = structuredClone(certificates[0]) as KubeObject;
  cert.metadata = { ...cert.metadata, name, uid: `${name}-uid` };
  let deep: Record<string, unknown> = Object.fromEntries(
    Array.from({ length: width }, (_, i) => [`k${i}`, i]),
  );
  for (let i = 0; i < depth; i++) deep = { n: deep };
  (cert.spec as Record<string, unknown>).deep = deep;
  certificates.push(cert);
}

test('attack - a custom resource nested hundreds of levels deep is refused before it is printed', async (t) => {
  const fixtures = defaultFixtures(Date.now());
  // Printed with kubectl's indentation these would be hundreds of MB (gigabytes of heap for YAML).
  nestedCertificate(fixtures, 'wide-deep', 300, 20_000);
  nestedCertificate(fixtures, 'deep', 3_000, 1);
  const { kubeconfig } = await startSimWithExecutor(t, { maxOutputBytes: 786_432 }, { fixtures });
  const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath: kubeconfig }));
  t.teardown(() => kube.close());
  const executor = createExecutor({
    kube,
    log: createLogger({ level: 'silent' }),
    limits: { maxOutputBytes: 786_432 },
    allowsCustomGroup: (group) => group === 'cert-manager.io',
  });
  const custom = (line: string) =>
    executor.execute(
      parseCommandRequest({ command: line }, { ...CONTEXT, customResources: true }),
      AbortSignal.timeout(10_000),
    );
  for (const name of ['wide-deep', 'deep']) {
    for (const line of [
      `get cert ${name} -n default -o json`,
      `get cert ${name} -n default -o yaml`,
      'get cert -n default -o yaml',
      `describe cert ${name} -n default`,
    ]) {
      const result = await custom(line);
      t.is(result.status, 'failure', line);
      t.regex(result.error ?? '', /error: Certificate "(wide-)?deep" nests too deeply to print/, line);
    }
  }
  // The others are still described; names and tables are cheap whatever the nesting.
  const described = await custom('describe cert -n default');
  t.regex(described.output, /Name:\s+web-tls/);
  t.is((await custom('get cert -n default -o name')).status, 'success');
  t.regex((await custom('get cert -n default')).output, /wide-deep/);
});

const OPTED_IN = parsePolicy(
  `extends: troubleshoot
customResources: {groups: [cert-manager.io, "*.example.com"]}
clusters:
  prod:
    customResources: {groups: [cert-manager.io]}
`,
  'attack-troubleshoot',
);

test('attack - writes, templates, ConfigMaps without the opt-in and narrowed groups are refused at the gateway', (t) => {
  const cases: [line: string, cluster: string, rule: string][] = [
    ['rollout restart deploy/web', 'dev', 'verb_not_allowed'],
    ['rollout RESTART deploy/web', 'dev', 'verb_not_allowed'],
    ['rollout -n default undo deploy/web', 'dev', 'verb_not_allowed'],
    ['rollout --namespace=x pause deploy/web', 'dev', 'verb_not_allowed'],
    ['rollout Resume deploy/web', 'dev', 'verb_not_allowed'],
    ['rollout status deploy/web --watch=false --dry-run=server', 'dev', 'forbidden_flag'],
    ['rollout status deploy/web --watch=false --DRY_RUN', 'dev', 'forbidden_flag'],
    ['rollout status -f web.yaml --watch=false', 'dev', 'forbidden_flag'],
    ['rollout status deploy/web --watch=false --server-side', 'dev', 'unknown_flag'],
    ['rollout history deploy/web --to-revision=1', 'dev', 'unknown_flag'],
    ['rollout status restart --watch=false', 'dev', 'unknown_resource'],
    ['rollout Status deploy/web --watch=false', 'dev', 'unknown_subcommand'],
    ['rollout history secret/x', 'dev', 'unsupported_resource'],
    ['top secrets', 'dev', 'unsupported_resource'],
    ['top pods --sort-by=.metadata.annotations', 'dev', 'invalid_flag_value'],
    ['get configmaps', 'dev', 'resource_not_allowed'],
    ['get ConfigMap', 'dev', 'resource_not_allowed'],
    ['describe cm x', 'dev', 'resource_not_allowed'],
    ['get configmaps.v1.', 'dev', 'resource_not_allowed'],
    ['get SECRETS', 'dev', 'secret_forbidden'],
    ['get cert,Secret', 'dev', 'secret_forbidden'],
    ['get secrets.example.com', 'dev', 'unknown_resource'],
    ['get configmaps.example.com', 'dev', 'unknown_resource'],
    ['get ｓecrets', 'dev', 'non_ascii'],
    ['get widgets.example.com', 'prod', 'custom_group_not_allowed'],
    ['get widgets.v1.example.com', 'prod', 'custom_group_not_allowed'],
    ['get widgets.apps', 'dev', 'unknown_resource'],
    ['get leases.coordination.k8s.io', 'dev', 'resource_not_allowed'],
    ['get cert -o jsonpath={.items}', 'dev', 'forbidden_output'],
    ['get cert -o custom-columns=A:.spec', 'dev', 'forbidden_output'],
    ['get cert --template={{.}}', 'dev', 'forbidden_flag'],
    ['get pods --sort-by={range .items[*]}{.metadata.name}{end}', 'dev', 'invalid_flag_value'],
    ['get pods --sort-by={.spec..name}', 'dev', 'invalid_flag_value'],
    ['get all --raw=/api/v1/secrets', 'dev', 'forbidden_flag'],
  ];
  for (const [line, cluster, rule] of cases) {
    const d = checkCommand(OPTED_IN, { command: line }, { ...CONTEXT, clusterId: cluster });
    t.false(d.allowed, line);
    if (!d.allowed) t.is(d.rule, rule, `${line}: ${d.reason}`);
  }
  // A bare name on the narrowed cluster passes the gateway; the agent judges the group discovery names.
  t.true(checkCommand(OPTED_IN, { command: 'get widgets' }, { ...CONTEXT, clusterId: 'prod' }).allowed);
});

/** A verb context whose apiserver answers only `documents` (by exact path), for the type resolver. */
function discoveryContext(documents: Record<string, unknown>): VerbContext {
  return {
    kube: {
      get: async (path: string) => ({ body: JSON.stringify(documents[path] ?? {}) }),
      release: () => {},
    },
    cache: createDocumentCache(60_000),
    signal: new AbortController().signal,
    now: Date.now,
  } as unknown as VerbContext;
}

test('attack - discovery names with dot segments never become the path a custom type is read from', async (t) => {
  // An aggregated API in an allowed group answering discovery with a version or a plural that a URL
  // resolves away (`..`, `%2e%2e`): read as given, `sneaky` would list core Secrets.
  const documents: Record<string, unknown> = {
    '/api': { versions: ['v1'] },
    '/apis': {
      groups: [
        {
          name: 'evil.example.com',
          versions: [{ groupVersion: 'evil.example.com/v1/../../../api/v1', version: 'v1' }],
        },
        { name: 'odd.example.com', versions: [{ groupVersion: 'odd.example.com/v1', version: 'v1' }] },
      ],
    },
    '/api/v1': { resources: [] },
    '/apis/evil.example.com/v1/../../../api/v1': {
      resources: [
        { name: 'secrets', namespaced: true, kind: 'Secret', verbs: ['list'], shortNames: ['sneaky'] },
      ],
    },
    '/apis/odd.example.com/v1': {
      resources: [
        { name: '%2e%2e', namespaced: false, kind: 'Up', verbs: ['list'], shortNames: ['up'] },
        { name: 'widgets', namespaced: true, kind: 'Widget', verbs: ['list'], shortNames: ['wd'] },
      ],
    },
  };
  const ctx = discoveryContext(documents);
  const resolver = createTypeResolver((group) => group.endsWith('.example.com'));
  for (const resource of ['sneaky', 'up']) {
    await t.throwsAsync(resolver.resolve(ctx, { resource, group: '', names: [], custom: true }), {
      message: new RegExp(`doesn't have a resource type "${resource}"`),
    });
  }
  // A well-formed type of the same answer still resolves.
  const [widget] = await resolver.resolve(ctx, { resource: 'wd', group: '', names: [], custom: true });
  t.is(widget && collectionPath(widget, 'default'), '/apis/odd.example.com/v1/namespaces/default/widgets');
});

/** The JWT pattern redaction used before it was made linear: the reference its replacement must equal. */
const JWT_REGEX = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

test('attack - redaction finds the same JWTs as the pattern it replaces, on random text', (t) => {
  const alphabet = ['eyJ', 'a', 'b', '0', '_', '-', '.', '.', ' ', '=', 'eyJhbGciOi'];
  let seed = 17;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed;
  };
  for (let n = 0; n < 3_000; n++) {
    let text = '';
    const length = next() % 40;
    for (let i = 0; i < length; i++) text += alphabet[next() % alphabet.length];
    t.is(redactTokens(text), text.replace(JWT_REGEX, REDACTED), JSON.stringify(text));
  }
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  t.is(redactTokens(`Bearer ${token} and ${token}.`), `Bearer ${REDACTED} and ${REDACTED}.`);
});

test('attack - long values that almost match a token or a quantity are judged in linear time', (t) => {
  // Each took the agent's only thread for tens of seconds to minutes (an annotation or env value
  // of 256 KiB, a field read by --sort-by): the patterns backtracked over every start.
  const almostJwt = `${'eyJ'.repeat(100_000)}.x`;
  t.is(redactTokens(almostJwt), almostJwt);
  t.false(isQuantity(`${'1'.repeat(300_000)}x`));
  t.true(isQuantity('1'.repeat(300_000)));
  t.true(valueLess(`${'1'.repeat(300_000)}x`, `${'1'.repeat(300_000)}y`));
});

test('attack - custom names colliding with built-ins: categories with core members are denied, a CRD plural "secrets" stays in its group', async (t) => {
  const resource = (name: string, kind: string, extra: Record<string, unknown> = {}) => ({
    name,
    namespaced: true,
    kind,
    verbs: ['list'],
    ...extra,
  });
  const ctx = discoveryContext({
    '/api': { versions: ['v1'] },
    '/apis': {
      groups: [
        { name: 'vault.example.com', versions: [{ groupVersion: 'vault.example.com/v1', version: 'v1' }] },
      ],
    },
    // A hostile apiserver putting core Secrets and ConfigMaps into categories of its own.
    '/api/v1': {
      resources: [
        resource('secrets', 'Secret', { categories: ['debug'], shortNames: ['sek'] }),
        resource('configmaps', 'ConfigMap', { categories: ['settings'], shortNames: ['cm'] }),
      ],
    },
    '/apis/vault.example.com/v1': {
      resources: [
        resource('secrets', 'Secret', { categories: ['debug', 'vault'], shortNames: ['vs'] }),
        resource('configs', 'Config', { categories: ['settings'] }),
      ],
    },
  });
  const resolver = createTypeResolver((group) => group.endsWith('.example.com'));
  const target = (name: string, group = '') => ({ resource: name, group, names: [], custom: true as const });
  for (const name of ['debug', 'settings', 'sek']) {
    await t.throwsAsync(resolver.resolve(ctx, target(name)), {
      message: /a built-in type: name it as such \(agent policy rule resource_not_allowed\)/,
    });
  }
  // Only the group's own types: a Kind or plural shared with core resolves within the named group.
  for (const typed of [target('vault'), target('vs'), target('secret', 'vault.example.com')]) {
    const types = await resolver.resolve(ctx, typed);
    t.deepEqual(
      types.map((type) => collectionPath(type, 'default')),
      ['/apis/vault.example.com/v1/namespaces/default/secrets'],
      typed.resource,
    );
  }
});

test('attack - a last-applied annotation nested 20 000 levels deep neither fails the command nor shows a Secret', async (t) => {
  let lists =
    '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"},"data":{"k":"bGVha2VkLXNlY3JldA=="}}';
  for (let i = 0; i < 20_000; i++) lists = `{"kind":"List","items":[${lists}]}`;
  let maps = '"deep"';
  for (let i = 0; i < 20_000; i++) maps = `{"a":${maps}}`;
  const fixtures = withPods('nested', [{ name: 'lists' }, { name: 'maps' }]);
  for (const p of fixtures.objects.pods ?? []) {
    if (p.metadata.namespace !== 'nested') continue;
    p.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': p.metadata.name === 'lists' ? lists : maps,
    };
  }
  const { executor } = await startSimWithExecutor(t, { maxOutputBytes: 4 << 20 }, { fixtures });
  const lines = [
    'get pods -n nested -o yaml',
    'get pod lists -n nested -o json',
    'describe pods -n nested',
    'get pods -n nested --sort-by=.metadata.name',
  ];
  await expectHidden(t, executor, lines, ['bGVha2VkLXNlY3JldA==']);
});

test('attack - an aggregated API that is down hides its own types only: other custom types still resolve', async (t) => {
  const documents: Record<string, unknown> = {
    '/api': { versions: ['v1'] },
    '/apis': {
      groups: [
        {
          name: 'metrics.k8s.io',
          versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }],
        },
        { name: 'cert-manager.io', versions: [{ groupVersion: 'cert-manager.io/v1', version: 'v1' }] },
      ],
    },
    '/api/v1': { resources: [] },
    '/apis/cert-manager.io/v1': {
      resources: [
        {
          name: 'certificates',
          namespaced: true,
          kind: 'Certificate',
          verbs: ['list'],
          shortNames: ['cert'],
        },
      ],
    },
  };
  const ctx = discoveryContext(documents);
  // metrics-server is down: its discovery document answers 503, as the kube-aggregator does.
  const get = ctx.kube.get;
  (ctx.kube as { get: typeof get }).get = async (path, opts) => {
    if (path.startsWith('/apis/metrics.k8s.io'))
      throw new Error('the server is currently unable to handle the request');
    return get(path, opts);
  };
  const resolver = createTypeResolver((group) => group === 'cert-manager.io');
  const [cert] = await resolver.resolve(ctx, { resource: 'cert', group: '', names: [], custom: true });
  t.is(cert && collectionPath(cert, 'default'), '/apis/cert-manager.io/v1/namespaces/default/certificates');
  // The core group stays required: without it nothing is resolved from a partial answer.
  const broken = discoveryContext(documents);
  (broken.kube as { get: typeof get }).get = async (path) => {
    if (path === '/api/v1') throw new Error('the server is currently unable to handle the request');
    return { body: JSON.stringify(documents[path] ?? {}) } as Awaited<ReturnType<typeof get>>;
  };
  await t.throwsAsync(resolver.resolve(broken, { resource: 'cert', group: '', names: [], custom: true }), {
    message: /unable to handle the request/,
  });
});
