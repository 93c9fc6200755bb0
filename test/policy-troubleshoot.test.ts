// The troubleshoot preset and its two opt-ins: ConfigMaps, and custom resources by API group. Secrets stay
// out whatever a file says, and a custom type can never pass for a built-in one.

import test from 'ava';
import type { CommandRequest } from '../common/command/parse.js';
import { checkCommand } from '../common/policy/check.js';
import { PRESETS } from '../common/policy/compile.js';
import { allowsCustomGroup } from '../common/policy/evaluate.js';
import { loadPolicyFile, parsePolicy } from '../common/policy/load.js';
import type { Policy } from '../common/policy/types.js';

const context = (clusterId = 'staging') => ({
  id: 'cmd-1',
  clusterId,
  identity: 'tester',
  sessionId: null,
  timeoutMs: 30_000,
});

function check(policy: Policy, command: string | CommandRequest, clusterId?: string) {
  return checkCommand(policy, typeof command === 'string' ? { command } : command, context(clusterId));
}

const ruleOf = (policy: Policy, command: string, clusterId?: string): string => {
  const d = check(policy, command, clusterId);
  return d.allowed ? 'allowed' : d.rule;
};

const TEAM = parsePolicy(
  `name: team
extends: troubleshoot
configMaps: true
customResources:
  groups: [cert-manager.io, "*.example.com"]
clusters:
  prod:
    customResources:
      groups: [cert-manager.io]
`,
  'team.yaml',
);

const view = (policy: Policy) => ({
  name: policy.name,
  verbs: [...policy.verbs].sort(),
  resources: Object.fromEntries(
    [...policy.resources].map(([verb, r]) => [verb, r === 'any' ? 'any' : [...r].sort()]),
  ),
  customGroupRules: policy.customGroupRules.length,
  limits: policy.limits,
});

test('troubleshoot - policies/troubleshoot.yaml is the built-in preset', async (t) => {
  t.deepEqual(view(await loadPolicyFile('policies/troubleshoot.yaml')), view(PRESETS.troubleshoot));
});

test('troubleshoot - reads everything readOnly reads, and the types of a troubleshooting session', (t) => {
  const p = PRESETS.troubleshoot;
  for (const verb of PRESETS.readOnly.verbs) t.true(p.verbs.has(verb), verb);
  const get = p.resources.get('get') as Set<string>;
  for (const r of PRESETS.readOnly.resources.get('get') as Set<string>) t.true(get.has(r), r);
  for (const command of [
    'get jobs',
    'get cj -A',
    'get pvc',
    'get hpa',
    'get pdb',
    'get quota',
    'get limits',
    'get endpointslices',
    'get sa',
    'get roles',
    'get rolebindings',
    'get clusterroles',
    'get clusterrolebindings',
    'get ingressclasses',
    'get pc',
    'get crd',
    'describe job db-migrate',
    'describe cronjob nightly-backup',
    'describe crds certificates.cert-manager.io',
  ]) {
    t.is(ruleOf(p, command), 'allowed', command);
  }
});

test('troubleshoot - ConfigMaps and custom resources stay closed until a file opts in', (t) => {
  t.is(ruleOf(PRESETS.troubleshoot, 'get configmaps'), 'resource_not_allowed');
  t.is(ruleOf(PRESETS.troubleshoot, 'describe cm web-config'), 'resource_not_allowed');
  // Without an opt-in a custom type is not even a type: the same 400 as readOnly gives.
  t.is(ruleOf(PRESETS.troubleshoot, 'get certificates.cert-manager.io'), 'unknown_resource');
  t.is(ruleOf(PRESETS.troubleshoot, 'get cert'), 'unknown_resource');
  t.is(ruleOf(PRESETS.readOnly, 'get cert'), 'unknown_resource');
  t.is(ruleOf(TEAM, 'get configmaps'), 'allowed');
  t.is(ruleOf(TEAM, 'describe cm web-config'), 'allowed');
});

test('troubleshoot - custom resources are allowed by API group, typed with their group or not', (t) => {
  t.is(ruleOf(TEAM, 'get certificates.cert-manager.io'), 'allowed');
  t.is(ruleOf(TEAM, 'get certificates.v1.cert-manager.io web-tls'), 'allowed');
  t.is(ruleOf(TEAM, 'describe widgets.apps.example.com'), 'allowed');
  t.is(ruleOf(TEAM, 'get pods,certificates.cert-manager.io'), 'allowed');
  t.is(ruleOf(TEAM, 'get issuers.acme.io'), 'custom_group_not_allowed');
  t.is(
    ruleOf(TEAM, 'get widgets.example.com'),
    'custom_group_not_allowed',
    '*.example.com needs a subdomain',
  );
  // A bare name is resolved by the agent's discovery, which checks the group it finds.
  t.is(ruleOf(TEAM, 'get cert'), 'allowed');
  t.is(ruleOf(TEAM, 'describe Certificate web-tls'), 'allowed');
  // Only get and describe read custom resources.
  t.is(ruleOf(TEAM, 'explain certificates.cert-manager.io'), 'unknown_resource');
  t.is(ruleOf(TEAM, 'logs certificate/x'), 'unknown_resource');
  t.is(ruleOf(TEAM, 'events --for certificate/x'), 'unknown_resource');
});

test('troubleshoot - the normalized argv of a custom type keeps its group and parses back the same', (t) => {
  const d = check(TEAM, 'get certificates.v1.cert-manager.io web-tls -n payments');
  if (!d.allowed) return t.fail(d.reason);
  t.deepEqual(d.command.argv, ['get', 'certificates.cert-manager.io', 'web-tls', '--namespace=payments']);
  t.deepEqual(d.command.targets, [
    { resource: 'certificates', group: 'cert-manager.io', names: ['web-tls'], custom: true },
  ]);
  const again = check(TEAM, { command_type: 'get', args: d.command.argv.slice(1) });
  t.true(again.allowed);
  if (again.allowed) t.deepEqual(again.command.targets, d.command.targets);
});

test('troubleshoot - a cluster layer narrows the groups', (t) => {
  t.is(ruleOf(TEAM, 'get widgets.apps.example.com', 'prod'), 'custom_group_not_allowed');
  t.is(ruleOf(TEAM, 'get certificates.cert-manager.io', 'prod'), 'allowed');
  t.true(allowsCustomGroup(TEAM, 'staging', 'apps.example.com'));
  t.false(allowsCustomGroup(TEAM, 'prod', 'apps.example.com'));
});

test('troubleshoot - no name, form or group reaches secrets or passes for a built-in type', (t) => {
  const wide = parsePolicy('extends: troubleshoot\ncustomResources:\n  groups: ["*"]\n', 'wide.yaml');
  for (const command of [
    'get secrets',
    'get secret/x',
    'describe secrets',
    'get pods,secrets',
    'get secrets.v1.',
  ]) {
    t.is(ruleOf(wide, command), 'secret_forbidden', command);
  }
  for (const command of [
    'get secrets.evil.io',
    'get secret.v1.evil.io',
    'get pods.v2.example.com',
    'get Secrets.Cert-Manager.io',
    'get secrets.apps',
    'get all.example.com',
    'get certificates.cert-manager',
    'get certificates.v1',
    'get certificates..cert-manager.io',
    'get certificates.cert-manager.io.',
    'get .cert-manager.io',
    'get cert;id',
  ]) {
    t.is(ruleOf(wide, command), 'unknown_resource', command);
  }
  // Kubernetes' own groups are never custom: '*' means CRDs, not leases, CSRs or webhook configurations.
  for (const command of [
    'get leases.coordination.k8s.io',
    'get certificatesigningrequests.certificates.k8s.io',
    'get validatingwebhookconfigurations.v1.admissionregistration.k8s.io',
    'get podmetrics.metrics.k8s.io',
  ]) {
    t.is(ruleOf(wide, command), 'resource_not_allowed', command);
  }
  t.false(allowsCustomGroup(wide, 'staging', 'rbac.authorization.k8s.io'));
  t.true(allowsCustomGroup(wide, 'staging', 'gateway.networking.k8s.io'));
  // The core group is the catalog's: no glob, not even '*', reaches it.
  t.false(allowsCustomGroup(wide, 'staging', ''));
  t.true(allowsCustomGroup(wide, 'staging', 'cert-manager.io'));
});

const BAD: [title: string, yaml: string, message: RegExp][] = [
  ['secrets in a standalone list', 'verbs: [get]\nresources:\n  get: [pods, secrets]\n', /secrets can never/],
  [
    'secrets in a troubleshoot list',
    'extends: troubleshoot\nresources:\n  get: [pods, Secret]\n',
    /secrets can never/,
  ],
  ['ConfigMaps on readOnly', 'extends: readOnly\nconfigMaps: true\n', /readOnly allows no ConfigMaps/],
  [
    'custom resources on readOnly',
    'extends: readOnly\ncustomResources:\n  groups: [cert-manager.io]\n',
    /readOnly allows no custom resources/,
  ],
  [
    'custom resources opened by a cluster layer',
    'extends: troubleshoot\nclusters:\n  prod:\n    customResources:\n      groups: ["*"]\n',
    /troubleshoot allows no custom resources/,
  ],
  ['configMaps: false', 'extends: troubleshoot\nconfigMaps: false\n', /configMaps/],
  [
    'a group with upper case or control characters',
    'extends: troubleshoot\ncustomResources:\n  groups: ["Cert\\u001b[2J.io"]\n',
    /customResources\.groups\.0/,
  ],
  [
    'an unknown key under customResources',
    'extends: troubleshoot\ncustomResources:\n  kinds: [Certificate]\n',
    /unknown field/,
  ],
  [
    'too many groups',
    `extends: troubleshoot\ncustomResources:\n  groups: [${Array.from({ length: 1001 }, (_, i) => `g${i}.io`).join(', ')}]\n`,
    /customResources\.groups/,
  ],
];

for (const [title, yaml, message] of BAD) {
  test(`troubleshoot - load refuses ${title}`, (t) => {
    t.throws(() => parsePolicy(yaml, 'bad.yaml'), { message });
  });
}

test('troubleshoot - a standalone policy may open ConfigMaps and custom groups itself', (t) => {
  const own = parsePolicy(
    'verbs: [get, describe]\nresources:\n  get: [pods]\n  describe: [pods]\nconfigMaps: true\ncustomResources:\n  groups: [cert-manager.io]\n',
    'own.yaml',
  );
  t.is(ruleOf(own, 'get cm'), 'allowed');
  t.is(ruleOf(own, 'get certificates.cert-manager.io'), 'allowed');
  t.is(ruleOf(own, 'get secrets'), 'secret_forbidden');
  t.is(ruleOf(own, 'get nodes'), 'resource_not_allowed');
});
