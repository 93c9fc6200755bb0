import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Container, V1NetworkPolicy, V1PolicyRule } from '@kubernetes/client-node';
import test from 'ava';
import { createOperatorSetup, renderOperatorConfig } from '../common/nats-auth/setup.js';
import { parsePolicy } from '../common/policy/index.js';
import { resolveResourceType } from '../common/resources.js';
import {
  checkAutomount,
  checkDefaultDeny,
  checkImagesPinned,
  checkIngresses,
  checkNamespaces,
  checkNoInlineSecrets,
  checkProbesAndResources,
  checkRbac,
  checkReplicated,
  checkSecurityContexts,
  podTemplates,
  policyFlows,
  ruleTriples,
} from '../harness/k8s-checks.js';
import {
  K8S_DIR,
  type K8sObject,
  OVERLAYS,
  type Overlay,
  objectId,
  parseManifests,
  renderOverlay,
} from '../harness/k8s-render.js';
import { createSchemaValidator } from '../harness/k8s-schema.js';

const rendered = new Map<Overlay, K8sObject[]>();

test.before(async () => {
  for (const overlay of OVERLAYS) rendered.set(overlay, await renderOverlay(overlay));
});

const objects = (overlay: Overlay): K8sObject[] => structuredClone(rendered.get(overlay)!);
const find = (objs: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};
const flows = (objs: K8sObject[], name: string) =>
  policyFlows(find(objs, 'NetworkPolicy', name) as V1NetworkPolicy);

const KUBENTLY = 'app.kubernetes.io/name=kubently';
const pod = (component: string) => `pod:app.kubernetes.io/component=${component},${KUBENTLY}`;
const DNS = ['TCP/53', 'UDP/53'].map(
  (p) => `out ns:kubernetes.io/metadata.name=kube-system pod:k8s-app=kube-dns ${p}`,
);

const CLUSTER_ROLE_RULES = [
  ...['pods', 'nodes', 'services', 'endpoints', 'events', 'namespaces', 'persistentvolumes'].map(
    (r) => `core/${r}`,
  ),
  'events.k8s.io/events',
  ...['deployments', 'replicasets', 'daemonsets', 'statefulsets'].map((r) => `apps/${r}`),
  'networking.k8s.io/ingresses',
  'networking.k8s.io/networkpolicies',
  'storage.k8s.io/storageclasses',
]
  .flatMap((r) => ['get', 'list', 'watch'].map((v) => `${r}:${v}`))
  .concat('core/pods/log:get')
  .sort();
const CLUSTER_SCOPED = [
  'core/nodes',
  'core/namespaces',
  'core/persistentvolumes',
  'storage.k8s.io/storageclasses',
];

for (const overlay of OVERLAYS) {
  test(`${overlay} - every object validates against the Kubernetes OpenAPI schema`, (t) => {
    const validate = createSchemaValidator();
    const problems = objects(overlay).flatMap((o) => validate(o).map((p) => `${objectId(o)}: ${p}`));
    t.deepEqual(problems, []);
  });

  test(`${overlay} - pods run as 65534, non-root, read-only, no privilege escalation, no capabilities, seccomp`, (t) => {
    t.true(podTemplates(objects(overlay)).length > 0);
    t.deepEqual(checkSecurityContexts(objects(overlay)), []);
  });

  test(`${overlay} - every container has probes and cpu/memory requests and limits`, (t) => {
    t.deepEqual(checkProbesAndResources(objects(overlay)), []);
  });

  test(`${overlay} - no Secret value is rendered and no credential reaches a command line`, (t) => {
    t.deepEqual(checkNoInlineSecrets(objects(overlay)), []);
  });

  test(`${overlay} - RBAC has no wildcard, no secrets and only read verbs`, (t) => {
    t.deepEqual(checkRbac(objects(overlay)), []);
  });

  test(`${overlay} - images are pinned to a tag other than latest`, (t) => {
    t.deepEqual(checkImagesPinned(objects(overlay)), []);
  });

  test(`${overlay} - replicated workloads have a PodDisruptionBudget and host anti-affinity`, (t) => {
    t.deepEqual(checkReplicated(objects(overlay)), []);
  });

  test(`${overlay} - namespaces enforce, audit and warn the restricted Pod Security Standard and deny all traffic by default`, (t) => {
    t.true(objects(overlay).some((o) => o.kind === 'Namespace'));
    t.deepEqual(checkNamespaces(objects(overlay)), []);
    t.deepEqual(checkDefaultDeny(objects(overlay)), []);
  });
}

test('control-plane - only the agent may mount a service account token, and no workload is the agent', (t) => {
  t.deepEqual(checkAutomount(objects('control-plane'), []), []);
});

test('agent overlays - only the agent pod mounts its service account token', (t) => {
  for (const overlay of ['agent-cluster-wide', 'agent-namespaced', 'agent-troubleshoot'] as const) {
    const objs = objects(overlay);
    t.deepEqual(checkAutomount(objs, ['agent']), [], overlay);
    t.true(
      (
        find(objs, 'Deployment', 'kubently-agent').spec as {
          template: { spec: { automountServiceAccountToken: boolean } };
        }
      ).template.spec.automountServiceAccountToken,
    );
  }
});

test('control-plane - renders the expected workloads in namespace kubently', (t) => {
  const objs = objects('control-plane');
  const workloads = podTemplates(objs).map(
    (p) =>
      `${p.owner.kind}/${p.owner.metadata.name}:${(p.owner.spec as { replicas?: number }).replicas ?? '-'}`,
  );
  t.deepEqual(workloads.sort(), [
    'Deployment/kubently-gateway:2',
    'Deployment/kubently-redis:1',
    'Job/kubently-provision:-',
    'StatefulSet/kubently-audit:1',
    'StatefulSet/kubently-nats:3',
  ]);
  t.true(objs.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'kubently'));
});

test('control-plane - the gateway Ingress terminates TLS and forces the SSL redirect', (t) => {
  const objs = objects('control-plane');
  t.is(objs.filter((o) => o.kind === 'Ingress').length, 1);
  t.deepEqual(checkIngresses(objs), []);
});

test('control-plane - gateway metrics listen on their own port, which the Ingress and its Service never route', (t) => {
  const objs = objects('control-plane');
  const gateway = find(objs, 'Deployment', 'kubently-gateway');
  const container = (
    gateway.spec as { template: { spec: { containers: V1Container[] } } }
  ).template.spec.containers.find((c) => c.name === 'gateway')!;
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
  const ports = Object.fromEntries((container.ports ?? []).map((p) => [p.name, p.containerPort]));
  t.deepEqual(ports, { http: Number(env.PORT), metrics: Number(env.METRICS_PORT) });
  t.not(env.METRICS_PORT, env.PORT);
  // The Ingress reaches the API Service only, on its http port; that Service has no metrics port.
  const ingress = find(objs, 'Ingress', 'kubently-gateway').spec as {
    rules: Array<{
      http: { paths: Array<{ backend: { service: { name: string; port: { name: string } } } }> };
    }>;
  };
  const backends = ingress.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service));
  t.deepEqual(backends, [{ name: 'kubently-gateway', port: { name: 'http' } }]);
  const api = find(objs, 'Service', 'kubently-gateway').spec as { ports: Array<{ targetPort: string }> };
  t.deepEqual(
    api.ports.map((p) => p.targetPort),
    ['http'],
  );
  const metrics = find(objs, 'Service', 'kubently-gateway-metrics').spec as {
    ports: Array<{ port: number; targetPort: string }>;
  };
  t.deepEqual(
    metrics.ports.map((p) => [p.port, p.targetPort]),
    [[9465, 'metrics']],
  );
});

test('control-plane - the gateway trusts exactly the ingress hop of X-Forwarded-For, never every hop', (t) => {
  const gateway = find(objects('control-plane'), 'Deployment', 'kubently-gateway');
  const container = (
    gateway.spec as { template: { spec: { containers: V1Container[] } } }
  ).template.spec.containers.find((c) => c.name === 'gateway')!;
  const trustProxy = container.env?.find((e) => e.name === 'TRUST_PROXY')?.value;
  t.truthy(trustProxy, 'TRUST_PROXY is set (unset: every client looks like the ingress controller)');
  t.regex(String(trustProxy), /^(\d+|[0-9a-f.:]+\/\d+(,[0-9a-f.:]+\/\d+)*)$/, 'a hop count or CIDRs');
  t.notRegex(String(trustProxy), /^(true|false)$/i);
});

test('control-plane - NetworkPolicies allow exactly the documented flows', (t) => {
  const objs = objects('control-plane');
  t.deepEqual(
    flows(objs, 'kubently-gateway'),
    [
      'in ns:kubernetes.io/metadata.name=ingress-nginx TCP/8080',
      'in ns:kubernetes.io/metadata.name=monitoring TCP/9465',
      ...DNS,
      `out ${pod('nats')} TCP/4222`,
      `out ${pod('redis')} TCP/6379`,
    ].sort(),
  );
  const kubentlyClients = `pod:${KUBENTLY},${JSON.stringify({ key: 'app.kubernetes.io/component', operator: 'In', values: ['gateway', 'audit', 'provision'] })}`;
  t.deepEqual(
    flows(objs, 'kubently-nats'),
    [
      `in ${kubentlyClients} TCP/4222`,
      `in ns:* ${pod('agent')} TCP/4222`,
      `in ${pod('nats')} TCP/6222`,
      ...DNS,
      `out ${pod('nats')} TCP/6222`,
    ].sort(),
  );
  t.deepEqual(flows(objs, 'kubently-redis'), [`in ${pod('gateway')} TCP/6379`]);
  t.deepEqual((find(objs, 'NetworkPolicy', 'kubently-redis').spec as { policyTypes: string[] }).policyTypes, [
    'Ingress',
  ]);
  t.deepEqual(
    flows(objs, 'kubently-audit'),
    ['in ns:kubernetes.io/metadata.name=monitoring TCP/9464', ...DNS, `out ${pod('nats')} TCP/4222`].sort(),
  );
  t.deepEqual(flows(objs, 'kubently-provision'), [...DNS, `out ${pod('nats')} TCP/4222`].sort());
  // Redis is denied egress by the default policy, which covers every pod in the namespace.
  t.deepEqual(
    objs
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => o.metadata.name)
      .sort(),
    [
      'kubently-audit',
      'kubently-default-deny',
      'kubently-gateway',
      'kubently-nats',
      'kubently-provision',
      'kubently-redis',
    ],
  );
});

test('control-plane - Redis gets its password from a Secret-mounted include, never from argv', (t) => {
  const objs = objects('control-plane');
  const redis = podTemplates(objs).find((p) => p.owner.metadata.name === 'kubently-redis')!;
  const container = redis.spec.containers[0]!;
  t.deepEqual(
    [...(container.command ?? []), ...(container.args ?? [])],
    ['redis-server', '/etc/redis/config/redis.conf'],
  );
  const conf = (
    objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('kubently-redis-config'))!
      .data as Record<string, string>
  )['redis.conf']!;
  t.regex(conf, /^include \/etc\/redis\/auth\/auth\.conf$/m);
  t.deepEqual(redis.spec.volumes?.find((v) => v.name === 'auth')?.secret, {
    secretName: 'kubently-redis',
    defaultMode: 0o440,
    items: [{ key: 'auth.conf', path: 'auth.conf' }],
  });
});

test('control-plane - NATS runs 3 JetStream nodes with a config reloader sharing the process namespace', (t) => {
  const objs = objects('control-plane');
  const nats = podTemplates(objs).find((p) => p.owner.metadata.name === 'kubently-nats')!;
  t.true(nats.spec.shareProcessNamespace);
  t.deepEqual(
    nats.spec.containers.map((c) => c.name),
    ['nats', 'config-reloader'],
  );
  t.truthy(nats.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
  const conf = (
    objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('kubently-nats-config'))!
      .data as Record<string, string>
  )['nats.conf']!;
  for (const i of [0, 1, 2])
    t.true(conf.includes(`kubently-nats-${i}.kubently-nats-headless.kubently.svc.cluster.local:6222`));
  t.regex(conf, /pid_file: "\/var\/run\/nats\/nats\.pid"/);
  t.regex(conf, /include "\.\.\/operator\/kubently-operator\.conf"/);
  t.regex(conf, /resolver \{\s+type: full\s+dir: "\/data\/jwt"/);
  const reloaderArgs = nats.spec.containers[1]!.args!.join(' ');
  t.true(reloaderArgs.includes('-pid /var/run/nats/nats.pid'));
  t.true(reloaderArgs.includes('-config /etc/nats/operator/kubently-operator.conf'));
});

test('agent-cluster-wide - the ClusterRole grants exactly the minimal read-only rule set', (t) => {
  const objs = objects('agent-cluster-wide');
  const role = find(objs, 'ClusterRole', 'kubently-agent-read');
  t.deepEqual(ruleTriples(role.rules as V1PolicyRule[]), CLUSTER_ROLE_RULES);
  t.deepEqual(find(objs, 'ClusterRoleBinding', 'kubently-agent-read').subjects, [
    { kind: 'ServiceAccount', name: 'kubently-agent', namespace: 'kubently-agent' },
  ]);
  t.deepEqual(
    objs.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding'),
    [],
  );
});

test('agent-troubleshoot - the ClusterRoles grant what the troubleshoot preset reads and top needs, nothing more', async (t) => {
  const objs = objects('agent-troubleshoot');
  const granted = new Set(
    objs.filter((o) => o.kind === 'ClusterRole').flatMap((o) => ruleTriples(o.rules as V1PolicyRule[])),
  );
  const policyText = await readFile(join(K8S_DIR, 'agent-troubleshoot', 'policy.yaml'), 'utf8');
  const policy = parsePolicy(policyText, 'agent-troubleshoot/policy.yaml');
  t.is(policy.preset, 'troubleshoot');
  // Every type the policy lets get or describe read, as group/resource, read with get, list and watch.
  const needed = new Set<string>();
  for (const verb of ['get', 'describe'] as const) {
    for (const resource of policy.resources.get(verb) as Set<string>) {
      const type = resolveResourceType(resource);
      if (!type) return t.fail(`${resource} is not in the catalog`);
      for (const v of ['get', 'list', 'watch'])
        needed.add(`${type.group === '' ? 'core' : type.group}/${resource}:${v}`);
    }
  }
  needed.add('core/pods/log:get');
  needed.add('events.k8s.io/events:get').add('events.k8s.io/events:list').add('events.k8s.io/events:watch');
  for (const r of ['pods', 'nodes']) for (const v of ['get', 'list']) needed.add(`metrics.k8s.io/${r}:${v}`);
  // rollout history of daemon sets and stateful sets reads their ControllerRevisions.
  for (const v of ['get', 'list', 'watch']) needed.add(`apps/controllerrevisions:${v}`);
  t.deepEqual([...granted].sort(), [...needed].sort());
  t.false([...granted].some((g) => /\/(secrets|configmaps)[:/]/.test(g)));
  t.deepEqual(find(objs, 'ClusterRoleBinding', 'kubently-agent-troubleshoot').subjects, [
    { kind: 'ServiceAccount', name: 'kubently-agent', namespace: 'kubently-agent' },
  ]);
  const policyMap = objs.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('kubently-agent-policy'),
  );
  t.is((policyMap?.data as Record<string, string> | undefined)?.['policy.yaml'], policyText);
});

test('checks - the troubleshoot component with a write verb or secrets is reported', (t) => {
  const objs = objects('agent-troubleshoot');
  const role = find(objs, 'ClusterRole', 'kubently-agent-troubleshoot');
  const rules = role.rules as V1PolicyRule[];
  rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] });
  rules.push({ apiGroups: ['batch'], resources: ['jobs'], verbs: ['delete'] });
  const problems = checkRbac(objs);
  t.true(problems.some((p) => p.includes('grants secrets')));
  t.true(problems.some((p) => p.includes('grants delete')));
});

test('agent-namespaced - one Role per listed namespace with the namespaced subset, and no ClusterRole', (t) => {
  const objs = objects('agent-namespaced');
  t.deepEqual(
    objs.filter((o) => o.kind.startsWith('Cluster')),
    [],
  );
  const roles = objs.filter((o) => o.kind === 'Role');
  t.deepEqual(roles.map((r) => r.metadata.namespace).sort(), ['apps', 'default']);
  const expected = CLUSTER_ROLE_RULES.filter((r) => !CLUSTER_SCOPED.some((c) => r.startsWith(`${c}:`)));
  for (const role of roles) t.deepEqual(ruleTriples(role.rules as V1PolicyRule[]), expected);
  for (const binding of objs.filter((o) => o.kind === 'RoleBinding')) {
    t.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'kubently-agent', namespace: 'kubently-agent' },
    ]);
    t.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'kubently-agent-read',
    });
  }
});

test('agent overlays - the agent accepts no traffic and reaches only NATS, the API server and DNS', (t) => {
  for (const overlay of ['agent-cluster-wide', 'agent-namespaced', 'agent-troubleshoot'] as const) {
    const objs = objects(overlay);
    const np = find(objs, 'NetworkPolicy', 'kubently-agent');
    t.deepEqual((np.spec as { policyTypes: string[] }).policyTypes, ['Ingress', 'Egress'], overlay);
    t.deepEqual(
      flows(objs, 'kubently-agent'),
      [...DNS, 'out anywhere TCP/4222', 'out anywhere TCP/443', 'out anywhere TCP/6443'].sort(),
      overlay,
    );
  }
});

test('k8s/ - no committed file holds a real-looking secret', (t) => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(K8S_DIR);
  const leaks = files.filter((f) => {
    const text = readFileSync(f, 'utf8');
    return /-----BEGIN [A-Z ]*PRIVATE KEY-----|\b[0-9a-f]{32,}\b|\$2[aby]\$\d\d\$/.test(text);
  });
  t.true(files.length > 20);
  t.deepEqual(leaks, []);
});

// The checks above must be able to fail: each mutation below breaks one rule and must be reported.
test('checks - report violations in mutated manifests', (t) => {
  const mutate = (overlay: Overlay, edit: (objs: K8sObject[]) => void) => {
    const objs = objects(overlay);
    edit(objs);
    return objs;
  };
  const gateway = (objs: K8sObject[]) =>
    podTemplates(objs).find((p) => p.owner.metadata.name === 'kubently-gateway')!;
  const cases: [string, string[]][] = [
    [
      'capabilities kept',
      checkSecurityContexts(
        mutate('control-plane', (o) => {
          gateway(o).spec.containers[0]!.securityContext!.capabilities = {};
        }),
      ),
    ],
    [
      'writable root',
      checkSecurityContexts(
        mutate('control-plane', (o) => {
          gateway(o).spec.containers[0]!.securityContext!.readOnlyRootFilesystem = false;
        }),
      ),
    ],
    [
      'root user',
      checkSecurityContexts(
        mutate('control-plane', (o) => {
          gateway(o).spec.containers[0]!.securityContext!.runAsUser = 0;
        }),
      ),
    ],
    [
      'no probe',
      checkProbesAndResources(
        mutate('control-plane', (o) => {
          delete gateway(o).spec.containers[0]!.readinessProbe;
        }),
      ),
    ],
    [
      'inline password',
      checkNoInlineSecrets(
        mutate('control-plane', (o) => {
          gateway(o).spec.containers[0]!.env!.push({ name: 'REDIS_PASSWORD', value: 'hunter2hunter2' });
        }),
      ),
    ],
    [
      'password in argv',
      checkNoInlineSecrets(
        mutate('control-plane', (o) => {
          gateway(o).spec.containers[0]!.args = ['--requirepass', 'x'];
        }),
      ),
    ],
    [
      'Secret object',
      checkNoInlineSecrets([
        ...objects('control-plane'),
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' } },
      ]),
    ],
    [
      'wildcard verb',
      checkRbac(
        mutate('agent-cluster-wide', (o) => {
          (find(o, 'ClusterRole', 'kubently-agent-read').rules as V1PolicyRule[])[0]!.verbs = ['*'];
        }),
      ),
    ],
    [
      'secrets readable',
      checkRbac(
        mutate('agent-cluster-wide', (o) => {
          (find(o, 'ClusterRole', 'kubently-agent-read').rules as V1PolicyRule[])[0]!.resources!.push(
            'secrets',
          );
        }),
      ),
    ],
    [
      'latest image',
      checkImagesPinned(
        mutate('control-plane', (o) => {
          gateway(o).spec.containers[0]!.image = 'kubently/kubently:latest';
        }),
      ),
    ],
    [
      'untagged image',
      checkImagesPinned(
        mutate('control-plane', (o) => {
          gateway(o).spec.containers[0]!.image = 'redis';
        }),
      ),
    ],
    [
      'no PDB',
      checkReplicated(
        mutate('control-plane', (o) =>
          o.splice(
            o.findIndex((x) => x.kind === 'PodDisruptionBudget'),
            1,
          ),
        ),
      ),
    ],
    [
      'no anti-affinity',
      checkReplicated(
        mutate('control-plane', (o) => {
          delete gateway(o).spec.affinity;
        }),
      ),
    ],
    [
      'automount',
      checkAutomount(
        mutate('control-plane', (o) => {
          gateway(o).spec.automountServiceAccountToken = true;
        }),
        [],
      ),
    ],
    [
      'PSS warn missing',
      checkNamespaces(
        mutate('control-plane', (o) => {
          delete find(o, 'Namespace', 'kubently').metadata.labels!['pod-security.kubernetes.io/warn'];
        }),
      ),
    ],
    [
      'no default deny',
      checkDefaultDeny(
        mutate('control-plane', (o) =>
          o.splice(
            o.findIndex((x) => x.metadata.name === 'kubently-default-deny'),
            1,
          ),
        ),
      ),
    ],
    [
      'no ssl redirect',
      checkIngresses(
        mutate('control-plane', (o) => {
          find(o, 'Ingress', 'kubently-gateway').metadata.annotations = {};
        }),
      ),
    ],
  ];
  for (const [name, problems] of cases) t.true(problems.length > 0, name);
});

test('schema - rejects a misspelled field, a wrong type and a missing required field', (t) => {
  const validate = createSchemaValidator();
  const deployment = find(objects('control-plane'), 'Deployment', 'kubently-gateway');
  const spec = deployment.spec as {
    template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
  };
  spec.template.spec.securityContex = {};
  spec.template.spec.containers[0]!.ports = [{ containerPort: '8080' }];
  delete spec.template.spec.containers[0]!.name;
  const problems = validate(deployment).join('\n');
  t.regex(problems, /must NOT have additional properties \(securityContex\)/);
  t.regex(problems, /containerPort must be/);
  t.regex(problems, /containers\/0 must have required property name/);
  t.deepEqual(validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), [
    'example.com/v1 Widget has no schema here',
  ]);
});

test('control-plane - nats-server accepts the rendered config with an operator file from kubently nats-config', async (t) => {
  const objs = objects('control-plane');
  const conf = (
    objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('kubently-nats-config'))!
      .data as Record<string, string>
  )['nats.conf']!;
  const dir = await mkdtemp(join(tmpdir(), 'kubently-k8s-nats-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'config'));
  await mkdir(join(dir, 'operator'));
  await mkdir(join(dir, 'tls'));
  // nats-server -t loads the certificates, so make a throwaway self-signed pair.
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=kubently-nats',
    '-keyout',
    join(dir, 'tls/tls.key'),
    '-out',
    join(dir, 'tls/tls.crt'),
  ]);
  await writeFile(join(dir, 'tls/ca.crt'), readFileSync(join(dir, 'tls/tls.crt')));
  const local = conf
    .replaceAll('/etc/nats/tls', join(dir, 'tls'))
    .replace('/data/jetstream', join(dir, 'js'))
    .replace('/data/jwt', join(dir, 'jwt'))
    .replace('/var/run/nats', dir);
  await writeFile(join(dir, 'config/nats.conf'), local);
  await writeFile(
    join(dir, 'operator/kubently-operator.conf'),
    renderOperatorConfig(await createOperatorSetup({ clusters: ['example-cluster'] })),
  );
  const env = { ...process.env, POD_NAME: 'kubently-nats-0' };
  const result = await promisify(execFile)('nats-server', ['-t', '-c', join(dir, 'config/nats.conf')], {
    env,
  }).catch((err: { stderr?: string; stdout?: string }) => err);
  t.regex(`${result.stdout ?? ''}${result.stderr ?? ''}`, /configuration file .* is valid/);
});

test('k8s/examples - the example manifests validate against the Kubernetes OpenAPI schema', (t) => {
  const validate = createSchemaValidator();
  const dir = join(K8S_DIR, 'examples');
  const examples = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8')));
  t.true(examples.length >= 2);
  t.deepEqual(
    examples.flatMap((o) => validate(o).map((p) => `${objectId(o)}: ${p}`)),
    [],
  );
});

test('every overlay - the policy files it ships load with the policy engine gateway and agent use', async (t) => {
  for (const overlay of OVERLAYS) {
    for (const cm of objects(overlay).filter((o) => o.kind === 'ConfigMap')) {
      const data = (cm as { data?: Record<string, string> }).data ?? {};
      for (const [key, text] of Object.entries(data)) {
        if (!/polic/i.test(key)) continue;
        const policy = parsePolicy(text, `${overlay}:${cm.metadata.name}/${key}`);
        t.is(
          policy.preset,
          overlay === 'agent-troubleshoot' ? 'troubleshoot' : 'readOnly',
          `${overlay} ${key}`,
        );
      }
    }
  }
  t.true(
    OVERLAYS.every((o) =>
      objects(o).some(
        (cm) =>
          cm.kind === 'ConfigMap' &&
          Object.keys((cm as { data?: object }).data ?? {}).some((k) => /polic/i.test(k)),
      ),
    ),
    'each overlay ships a policy',
  );
});
