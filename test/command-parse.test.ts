import test from 'ava';
import { parseArgv, parseCommandRequest } from '../common/command/parse.js';
import { tokenize } from '../common/command/tokenize.js';
import { KubentlyError } from '../common/errors.js';
import { PRESETS } from '../common/policy/compile.js';
import { evaluate } from '../common/policy/evaluate.js';

const context = {
  id: 'cmd-1',
  clusterId: 'staging',
  identity: 'tester',
  sessionId: 's-1',
  timeoutMs: 30_000,
};
const parse = (command: string) => parseCommandRequest({ command }, context);

// [input, normalized argv]: every case must also be allowed by readOnly.
const ALLOWED: [string, string[]][] = [
  ['get pods', ['get', 'pods', '--namespace=default']],
  ['kubectl get po -A', ['get', 'pods', '--all-namespaces']],
  ['get pods --all-namespaces=true', ['get', 'pods', '--all-namespaces']],
  [
    '-n kube-system get po,svc a b -o wide',
    ['get', 'pods,services', 'a', 'b', '--namespace=kube-system', '--output=wide'],
  ],
  ['get pod/a svc/b pod/c -n=prod', ['get', 'pods/a', 'pods/c', 'services/b', '--namespace=prod']],
  ['get pod/a svc/a', ['get', 'pods,services', 'a', '--namespace=default']],
  ['get pod a a', ['get', 'pods', 'a', '--namespace=default']],
  ['get deployments.apps', ['get', 'deployments', '--namespace=default']],
  ['get deployments.v1.apps -nprod', ['get', 'deployments', '--namespace=prod']],
  ['get Pods.v1 -ojson', ['get', 'pods', '--namespace=default', '--output=json']],
  ['get nodes -o wide --show-labels', ['get', 'nodes', '--output=wide', '--show-labels']],
  ['get nodes -n foo', ['get', 'nodes']],
  ['get nodes -A', ['get', 'nodes']],
  ['get ns kube-system -o yaml', ['get', 'namespaces', 'kube-system', '--output=yaml']],
  [
    "get pods -l 'tier in (frontend,backend)' --field-selector=status.phase=Running",
    [
      'get',
      'pods',
      '--field-selector=status.phase=Running',
      '--namespace=default',
      '--selector=tier in (frontend,backend)',
    ],
  ],
  ['get pods --sort-by={.metadata.name}', ['get', 'pods', '--namespace=default', '--sort-by=.metadata.name']],
  [
    'get pods --sort-by .status.containerStatuses[0].restartCount',
    ['get', 'pods', '--namespace=default', '--sort-by=.status.containerStatuses[0].restartCount'],
  ],
  [
    'get pods --no-headers --limit 10 --chunk-size=100',
    ['get', 'pods', '--chunk-size=100', '--limit=10', '--namespace=default', '--no-headers'],
  ],
  ['get pods --show-labels=false', ['get', 'pods', '--namespace=default', '--show-labels=false']],
  [
    'get deploy,rs,sts,ds -n prod',
    ['get', 'deployments,replicasets,statefulsets,daemonsets', '--namespace=prod'],
  ],
  ['get ing,netpol,ep', ['get', 'ingresses,networkpolicies,endpoints', '--namespace=default']],
  ['get sc,pv', ['get', 'storageclasses,persistentvolumes']],
  ['get pods -o name', ['get', 'pods', '--namespace=default', '--output=name']],
  ['describe pod web-0', ['describe', 'pods', 'web-0', '--namespace=default']],
  ['describe no -l kubernetes.io/role=worker', ['describe', 'nodes', '--selector=kubernetes.io/role=worker']],
  ['describe deploy -A', ['describe', 'deployments', '--all-namespaces']],
  ['logs web-0', ['logs', 'web-0', '--namespace=default']],
  [
    'logs pod/web-0 app -p --tail 10',
    ['logs', 'web-0', '--container=app', '--namespace=default', '--previous', '--tail=10'],
  ],
  [
    'logs -l app=web --all-containers --timestamps --since=1h30m -n prod',
    ['logs', '--all-containers', '--namespace=prod', '--selector=app=web', '--since=1h30m', '--timestamps'],
  ],
  ['logs web-0 -capp', ['logs', 'web-0', '--container=app', '--namespace=default']],
  ['events', ['events', '--namespace=default']],
  ['events -A --types warning', ['events', '--all-namespaces', '--types=Warning']],
  [
    'events --for pod/web-0 -n prod -o json',
    ['events', '--for=pods/web-0', '--namespace=prod', '--output=json'],
  ],
  ['explain pods', ['explain', 'pods']],
  ['explain pods.spec.containers --recursive', ['explain', 'pods.spec.containers', '--recursive']],
  ['explain deployments.apps.spec', ['explain', 'deployments.spec']],
  ['explain deploy.spec.template', ['explain', 'deployments.spec.template']],
  ['version', ['version']],
  ['version -o yaml', ['version', '--output=yaml']],
  ['cluster-info', ['cluster-info']],
  ['api-resources', ['api-resources']],
  [
    'api-resources --namespaced=false --api-group= -o wide',
    ['api-resources', '--api-group=', '--namespaced=false', '--output=wide'],
  ],
  [
    'api-resources --api-group apps -oname --no-headers',
    ['api-resources', '--api-group=apps', '--no-headers', '--output=name'],
  ],
  ['api-versions', ['api-versions']],
  // Harmless names that contain verbs or "secret" are names, not commands.
  ['get pod my-create-job', ['get', 'pods', 'my-create-job', '--namespace=default']],
  ['logs delete-me-pod', ['logs', 'delete-me-pod', '--namespace=default']],
  ['get pods scale-worker exec-api', ['get', 'pods', 'scale-worker', 'exec-api', '--namespace=default']],
  ['describe pod secret-rotator', ['describe', 'pods', 'secret-rotator', '--namespace=default']],
  ['get pods secrets', ['get', 'pods', 'secrets', '--namespace=default']],
  ['get svc proxy', ['get', 'services', 'proxy', '--namespace=default']],
  ['get pods -l app=delete-me', ['get', 'pods', '--namespace=default', '--selector=app=delete-me']],
  [
    'logs pod/exec-0 -c token-refresher',
    ['logs', 'exec-0', '--container=token-refresher', '--namespace=default'],
  ],
  [
    'get events --field-selector involvedObject.name=as-service',
    ['get', 'events', '--field-selector=involvedObject.name=as-service', '--namespace=default'],
  ],
];

for (const [input, argv] of ALLOWED) {
  test(`parse - ${JSON.stringify(input)} normalizes to ${argv.join(' ')} and readOnly allows it`, (t) => {
    const command = parse(input);
    t.deepEqual(command.argv, argv);
    t.deepEqual(parseArgv(command.argv, context), command);
    const decision = evaluate(PRESETS.readOnly, command);
    t.true(decision.allowed, decision.reason);
    t.is(decision.rule, 'allowed');
  });
}

test('parse - get horizontalpodautoscalers parses and readOnly denies it only as resource_not_allowed', (t) => {
  const command = parse('get horizontalpodautoscalers');
  t.deepEqual(command.targets, [{ resource: 'horizontalpodautoscalers', group: 'autoscaling', names: [] }]);
  t.like(evaluate(PRESETS.readOnly, command), {
    allowed: false,
    rule: 'resource_not_allowed',
    token: 'horizontalpodautoscalers',
  });
});

test('parse - builds the whole Command from the args form with namespace and extra_args', (t) => {
  const command = parseCommandRequest(
    { command_type: 'get', args: ['pods', 'web-0'], namespace: 'prod', extra_args: ['-o', 'json'] },
    context,
  );
  t.deepEqual(command, {
    id: 'cmd-1',
    clusterId: 'staging',
    verb: 'get',
    targets: [{ resource: 'pods', group: '', names: ['web-0'] }],
    namespace: 'prod',
    allNamespaces: false,
    selectors: {},
    output: 'json',
    flags: {},
    timeoutMs: 30_000,
    sessionId: 's-1',
    identity: 'tester',
    argv: ['get', 'pods', 'web-0', '--namespace=prod', '--output=json'],
  });
});

test('parse - the namespace field is ignored by verbs that read no namespace, and agrees with -n', (t) => {
  t.deepEqual(parseCommandRequest({ command_type: 'version', namespace: 'default' }, context).argv, [
    'version',
  ]);
  t.is(
    parseCommandRequest({ command_type: 'get', args: ['nodes'], namespace: 'x' }, context).namespace,
    null,
  );
  t.is(
    parseCommandRequest({ command_type: 'get', args: ['pods', '-n', 'a'], namespace: 'a' }, context)
      .namespace,
    'a',
  );
  t.is(
    parseCommandRequest({ command_type: 'get', args: ['pods', '-A'], namespace: 'a' }, context).namespace,
    null,
  );
});

test('parse - all expands to the catalog category and never to secrets', (t) => {
  const command = parse('get all -A');
  t.true(command.targets.length >= 5);
  t.false(command.targets.some((target) => target.resource === 'secrets'));
  t.true(command.targets.some((target) => target.resource === 'deployments'));
});

test('parse - logs carries since in seconds and explain carries the field path', (t) => {
  t.like(parse('logs web-0 --since=1h30m5s').flags, { since: '1h30m5s', sinceSeconds: 5405 });
  // Go's time.ParseDuration, as kubectl reads --since, rounded to the second as kubectl rounds it.
  t.like(parse('logs web-0 --since=1.5h').flags, { sinceSeconds: 5400 });
  t.like(parse('logs web-0 --since=1500ms').flags, { sinceSeconds: 2 });
  t.like(parse('logs web-0 --since=90m').flags, { sinceSeconds: 5400 });
  for (const bad of ['1d', '1h30', '-1h', '1e3s', '400ms', '0', '2562048h', 'h', '.s']) {
    const err = t.throws(() => parse(`logs web-0 --since=${bad}`), { instanceOf: KubentlyError }, bad);
    t.is(err?.code, 'invalid_command', bad);
  }
  t.like(parse('explain pods.spec.containers'), {
    fieldPath: 'spec.containers',
    targets: [{ resource: 'pods' }],
  });
  // An empty part never names a type or a field (before: `pods..spec` and `pods.` were explained as pods).
  for (const bad of ['pods..spec', 'pods.', 'pods...', 'deployments.apps..spec', 'pods.spec.', '.pods']) {
    const err = t.throws(() => parse(`explain ${bad}`), { instanceOf: KubentlyError }, bad);
    t.is(err?.code, 'invalid_command', bad);
    t.is(err?.statusCode, 400, bad);
  }
});

test('parse - forbidden requests are 403 unauthorized_command, unintelligible ones 400 invalid_command', (t) => {
  const forbidden = t.throws(() => parse('get pods --as=system:masters'), { instanceOf: KubentlyError });
  t.is(forbidden?.code, 'unauthorized_command');
  t.is(forbidden?.statusCode, 403);
  t.deepEqual(forbidden?.details, { token: '--as=system:masters', rule: 'forbidden_flag' });
  const verb = t.throws(() => parse('delete pod x'), { instanceOf: KubentlyError });
  t.is(verb?.statusCode, 403);
  t.deepEqual(verb?.details, { token: 'delete', rule: 'verb_not_allowed' });
  const unknown = t.throws(() => parse('get pods --bogus'), { instanceOf: KubentlyError });
  t.is(unknown?.code, 'invalid_command');
  t.is(unknown?.statusCode, 400);
  t.deepEqual(unknown?.details, { token: '--bogus', rule: 'unknown_flag' });
});

test('tokenize - quotes and escapes group characters and nothing is expanded', (t) => {
  t.deepEqual(tokenize(`get  pods -l 'a in (b, c)' "x \\"y\\" \\\\" z\\ w $HOME`), [
    'get',
    'pods',
    '-l',
    'a in (b, c)',
    'x "y" \\',
    'z w',
    '$HOME',
  ]);
  t.deepEqual(tokenize("''"), ['']);
  t.deepEqual(tokenize('   '), []);
  t.deepEqual(tokenize('a;b|c&&d'), ['a;b|c&&d']);
});
