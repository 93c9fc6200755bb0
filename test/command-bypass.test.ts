// A corpus of attempts to get past the parser and the readOnly policy. Each case names the rule
// that must reject it, so a case rejected for the wrong reason fails too.

import test from 'ava';
import type { CommandRequest } from '../common/command/parse.js';
import { checkCommand } from '../common/policy/check.js';
import { PRESETS } from '../common/policy/compile.js';

const context = { id: 'cmd-1', clusterId: 'staging', identity: 'tester', sessionId: null, timeoutMs: 30_000 };

type Case = [input: string | CommandRequest, rule: string];

const get = (flags: string): string => `get pods ${flags}`;

const FORBIDDEN_FLAGS: Case[] = [
  '--server=https://evil.example',
  '--server https://evil.example',
  '-s https://evil.example',
  '-s=https://evil.example',
  '-shttps://evil.example',
  '--kubeconfig=/etc/kubernetes/admin.conf',
  '--kubeconfig /etc/kubernetes/admin.conf',
  '--token=abc',
  '--token abc',
  '--as=system:masters',
  '--as system:masters',
  '--as=admin',
  '--as-group=system:masters',
  '--as-group system:masters',
  '--as-uid=0',
  '--context=prod',
  '--context prod',
  '--cluster=prod',
  '--user=admin',
  '--username=admin',
  '--password=hunter2',
  '--insecure-skip-tls-verify',
  '--insecure-skip-tls-verify=true',
  '--insecure_skip_tls_verify',
  '--certificate-authority=/ca.crt',
  '--client-certificate=/c.crt',
  '--client-key=/c.key',
  '--tls-server-name=x',
  '--raw=/api/v1/secrets',
  '--raw /api/v1/namespaces/default/secrets',
  '--export',
  '--dry-run=server',
  '--dry-run',
  '-f pod.yaml',
  '-f=pod.yaml',
  '-fpod.yaml',
  '--filename=pod.yaml',
  '-k ./overlay',
  '--kustomize=./overlay',
  '--template={{.data}}',
  '--cache-dir=/tmp/x',
  '--request-timeout=0',
  '-v=9',
  '-v 9',
  '--v=9',
  '--profile-output=/tmp/p',
  '--log-file=/tmp/l',
  '--AS=system:masters',
  '--Server=https://evil.example',
  '--match-server-version',
  '-n --as=system:masters',
  '-l --token=abc',
].map((flags): Case => [get(flags), 'forbidden_flag']);

const SMUGGLED: Case[] = [
  ['--as=system:masters get pods', 'forbidden_flag'],
  ['-s https://evil.example get pods', 'forbidden_flag'],
  ['kubectl --kubeconfig=/x get pods', 'forbidden_flag'],
  ['--context prod get pods', 'forbidden_flag'],
  [{ command_type: 'get', args: ['pods', '--as=system:masters'] }, 'forbidden_flag'],
  [{ command_type: 'get', args: ['pods', '--as', 'system:masters'] }, 'forbidden_flag'],
  [{ command_type: 'get', args: ['pods'], extra_args: ['--server=https://evil.example'] }, 'forbidden_flag'],
  [{ command_type: 'get', args: ['pods'], extra_args: ['-s', 'https://evil.example'] }, 'forbidden_flag'],
  [{ command_type: 'get', args: ['pods'], extra_args: ['--raw=/api'] }, 'forbidden_flag'],
  [{ command_type: 'get', args: ['pods'], extra_args: ['--token', 'x'] }, 'forbidden_flag'],
  [{ command: 'get pods', extra_args: ['--kubeconfig=/x'] }, 'forbidden_flag'],
  [{ command: 'get pods', extra_args: ['--insecure-skip-tls-verify'] }, 'forbidden_flag'],
  [{ command_type: '--as=system:masters', args: ['get', 'pods'] }, 'forbidden_flag'],
  [{ command_type: 'get --raw /api' }, 'unknown_verb'],
  [{ command_type: 'get', args: ['pods --as=system:masters'] }, 'unknown_resource'],
  // -f follows only for logs (a streamed command); for every other verb it stays a forbidden filename.
  ['get pods -f pods.yaml', 'forbidden_flag'],
  ['describe pod x -f', 'forbidden_flag'],
  ['-f logs web-0', 'forbidden_flag'],
  ['get pods -wf', 'invalid_flag_value'],
  ['events --watch -o json', 'conflicting_flags'],
  ['events --watch-only', 'unknown_flag'],
  ['describe pods -w', 'unknown_flag'],
  ['logs web-0 --watch', 'unknown_flag'],
  ['logs web-0 --follow=yes', 'invalid_flag_value'],
  ['get pods,svc -w', 'conflicting_flags'],
  ['get pods a b --watch-only', 'conflicting_flags'],
  ['get pods -w -o json', 'conflicting_flags'],
  ['get pods -w --sort-by=.metadata.name', 'conflicting_flags'],
  ['get pods --', 'unknown_flag'],
  ['get pods --foo=bar', 'unknown_flag'],
  ['describe pod x -o yaml', 'unknown_flag'],
  ['version --client', 'unknown_flag'],
  ['get pods -Af', 'invalid_flag_value'],
  ['get pods --namespace=default --namespace=kube-system', 'duplicate_flag'],
];

const TEMPLATES: Case[] = [
  '-o go-template={{.data}}',
  '-o=go-template-file=/etc/passwd',
  '-ojsonpath={.items[*].spec}',
  "-o 'jsonpath={..}'",
  '-o=jsonpath-file=/etc/passwd',
  '-o jsonpath-as-json={.x}',
  '-o custom-columns=NAME:.metadata.name',
  '-o custom-columns-file=/etc/passwd',
  '--output=template={{.}}',
  '--output templatefile=/x',
  '-o JSONPATH={.x}',
  '-o go-template',
].map((flags): Case => [get(flags), 'forbidden_output']);

const OUTPUTS: Case[] = [
  ['version -o jsonpath={.}', 'forbidden_output'],
  ['events -o go-template={{.}}', 'forbidden_output'],
  ['get pods -o xml', 'invalid_output'],
  ["get pods -o ''", 'invalid_output'],
  ['events -o wide', 'invalid_output'],
  ['version -o wide', 'invalid_output'],
  ['api-resources -o json', 'invalid_output'],
];

const VERBS: Case[] = [
  'delete pod web-0',
  'delete pods --all',
  'exec web-0 -- sh',
  'apply -f pod.yaml',
  'edit deploy web',
  'patch pod web-0 -p {}',
  'scale deploy web --replicas=0',
  'port-forward pod/web-0 8080:80',
  'proxy',
  'cp web-0:/etc/passwd ./x',
  'auth can-i * *',
  'config view --raw',
  'create job x --image=busybox',
  'run x --image=busybox',
  'debug node/n1 -it --image=busybox',
  'drain node-1',
  'cordon node-1',
  'uncordon node-1',
  'taint nodes node-1 k=v:NoSchedule',
  'label pod web-0 a=b',
  'annotate pod web-0 a=b',
  'rollout restart deploy/web',
  'set image deploy/web app=evil',
  'attach web-0',
  'top pods',
  'certificate approve csr-1',
  'replace -f x.yaml',
  'expose deploy web --port=80',
  'autoscale deploy web --max=10',
  'wait --for=delete pod/x',
  'diff -f x.yaml',
  'plugin list',
  'kustomize .',
  'DELETE pods',
  'Delete pod x',
  'kubectl delete pod x',
  '-n default delete pod x',
  'cluster-info dump',
].map((command): Case => [command, 'verb_not_allowed']);

const VERB_FORMS: Case[] = [
  [{ command_type: 'delete', args: ['pod', 'x'] }, 'verb_not_allowed'],
  [{ command_type: 'exec', args: ['web-0', '--', 'sh'] }, 'verb_not_allowed'],
  ['gett pods', 'unknown_verb'],
  ['sh -c id', 'unknown_verb'],
  ['rm -rf /', 'unknown_verb'],
  ['kubectl kubectl get pods', 'unknown_verb'],
  [{ command_type: 'kubectl', args: ['get', 'pods'] }, 'unknown_verb'],
  ['', 'missing_verb'],
  ['-n default', 'missing_verb'],
];

const SECRETS: Case[] = [
  'get secrets',
  'get secret',
  'get SECRETS',
  'get Secret',
  'get Secrets',
  'get secret/db-password',
  'get secrets/db-password',
  'get Secret/db-password',
  'get secrets.v1.',
  'get secrets.v1',
  'get secret.v1.',
  'describe secret db-password',
  'describe secrets',
  'describe secret/db-password',
  'get secret -o yaml',
  'get secret db-password -o json',
  'get pods,secrets',
  'get secrets,pods',
  'get po,svc,secret',
  'get pod/a secret/b',
  'get secrets -A',
  'get secrets -n kube-system',
  'explain secrets',
  'explain secret.data',
  'events --for secret/db-password',
  'get "secrets"',
  "get 'sec''rets'",
  'get sec\\rets',
  '-n default get secrets',
].map((command): Case => [command, 'secret_forbidden']);

const SECRET_FORMS: Case[] = [
  [{ command_type: 'get', args: ['secrets'] }, 'secret_forbidden'],
  [{ command_type: 'get', args: ['secret/x'], namespace: 'default' }, 'secret_forbidden'],
  [{ command_type: 'describe', args: [], extra_args: ['secret', 'x'] }, 'secret_forbidden'],
  ['get secrets.v2', 'unknown_resource'],
  ['get secrets.apps', 'unknown_resource'],
  ['get secret.v1.apps', 'unknown_resource'],
  ['get secretz', 'unknown_resource'],
  ["get 'secrets '", 'unknown_resource'],
  ['get all/x', 'invalid_argument'],
  ['get all x', 'invalid_argument'],
  ['logs secret/x', 'unsupported_resource'],
  ['get *', 'unknown_resource'],
];

const SHELL: Case[] = [
  ['get pods; cat /etc/passwd', 'unknown_resource'],
  ['get pods;id', 'unknown_resource'],
  ['get pods | sh', 'invalid_name'],
  ['get pods && rm -rf /', 'unknown_flag'],
  ['get pods && id', 'invalid_name'],
  ['get pods $(id)', 'invalid_name'],
  ['get pods `id`', 'invalid_name'],
  ['get pods > /tmp/x', 'invalid_name'],
  ['get pods >/tmp/x', 'invalid_name'],
  ['get pods 2>&1', 'invalid_name'],
  ['get pods || true', 'invalid_name'],
  ['get pods & id', 'invalid_name'],
  ['get $(echo secrets)', 'unknown_resource'],
  ['get `echo secrets`', 'unknown_resource'],
  ["get pods -n 'default; rm -rf /'", 'invalid_namespace'],
  ['get pods -n $NS', 'invalid_namespace'],
  ["get pods -l 'app=x;rm'", 'invalid_selector'],
  ["get pods -l 'app=$(id)'", 'invalid_selector'],
  ["get pods -l 'app=`id`'", 'invalid_selector'],
  ["get pods --field-selector 'a=b|c'", 'invalid_selector'],
  ["get pods --field-selector 'a=b;c'", 'invalid_selector'],
  ['logs web-0 -c $(id)', 'invalid_flag_value'],
  ['get pods --sort-by={range .items[*]}', 'invalid_flag_value'],
  ["get pods 'a b'", 'invalid_name'],
  ['get pods ../../etc', 'invalid_name'],
  ['get pods/../../secrets', 'invalid_name'],
  ['get pods "unterminated', 'unterminated_quote'],
  ["get pods 'unterminated", 'unterminated_quote'],
  ['get pods \\', 'trailing_backslash'],
];

const CONTROL: Case[] = [
  ['get pods\ncat /etc/passwd', 'control_character'],
  ['get pods\r\nid', 'control_character'],
  ['get pods\u0000', 'control_character'],
  ['get\tpods', 'control_character'],
  ['get pods \u001b[2J', 'control_character'],
  ['get pods \u007f', 'control_character'],
  ['get pods \u0085', 'control_character'],
  ["get pods 'a\nb'", 'control_character'],
  [{ command_type: 'get', args: ['pods\u0000'] }, 'control_character'],
  [{ command_type: 'get', args: ['pods'], namespace: 'default\n' }, 'control_character'],
  [{ command_type: 'get', args: ['pods'], extra_args: ['-n', 'a\u0000b'] }, 'control_character'],
  ['get ѕecrets', 'non_ascii'],
  ['get ｓｅｃｒｅｔｓ', 'non_ascii'],
  ['ｇｅｔ pods', 'non_ascii'],
  ['get sec\u200brets', 'non_ascii'],
  ['get pods -n ԁefault', 'non_ascii'],
  ['get pods \u202e', 'non_ascii'],
  ['get \u212aubernetes', 'non_ascii'],
  [{ command_type: 'get', args: ['ѕecrets'] }, 'non_ascii'],
  [{ command_type: 'get', args: ['secret\ufeff'] }, 'non_ascii'],
];

const SIZE: Case[] = [
  [`get pods ${'a'.repeat(1024 * 1024)}`, 'command_too_long'],
  [`get pods ${'a'.repeat(1100)}`, 'argument_too_long'],
  [`get pods ${'a '.repeat(70)}`, 'too_many_arguments'],
  [{ command_type: 'get', args: ['pods', 'x'.repeat(2000)] }, 'argument_too_long'],
  [{ command_type: 'get', args: Array.from({ length: 100 }, () => 'pods') }, 'too_many_arguments'],
];

const VALUES: Case[] = [
  ['get pods -n', 'missing_value'],
  ['get pods -o', 'missing_value'],
  ['logs web-0 --tail', 'missing_value'],
  ['logs web-0 --tail -5', 'missing_value'],
  ['logs web-0 --tail=-5', 'invalid_flag_value'],
  ['logs web-0 --since=5d', 'invalid_flag_value'],
  ['get pods --show-labels=yes', 'invalid_flag_value'],
  ['get pods --limit=0', 'invalid_flag_value'],
  ['get pods --chunk-size=abc', 'invalid_flag_value'],
  ['events --types=Critical', 'invalid_flag_value'],
  ['events --for=web-0', 'invalid_flag_value'],
  ['get pods -n Default', 'invalid_namespace'],
  ['get pods -n ../etc', 'invalid_namespace'],
  ['get pods -n a_b', 'invalid_namespace'],
  [{ command_type: 'get', args: ['pods'], namespace: 'kube system' }, 'invalid_namespace'],
  ['get pods -A -n default', 'conflicting_flags'],
  [{ command_type: 'get', args: ['pods', '-n', 'a'], namespace: 'b' }, 'conflicting_flags'],
  ['get pods x -l app=web', 'conflicting_flags'],
  ['get pods x -A', 'conflicting_flags'],
  ['logs web-0 app -c other', 'conflicting_flags'],
  ['logs web-0 --all-containers -c app', 'conflicting_flags'],
  ['get', 'missing_resource'],
  ['logs', 'missing_argument'],
  ['explain', 'missing_resource'],
  ['explain pods.spec.$x', 'unknown_resource'],
  ['events web-0', 'unexpected_argument'],
  ['version now', 'unexpected_argument'],
  ['get pod/a b', 'mixed_resource_forms'],
  [{ command: 'get pods', command_type: 'get' }, 'ambiguous_request'],
  [{}, 'missing_command'],
];

const POLICY: Case[] = [
  ['get configmaps', 'resource_not_allowed'],
  ['get cm', 'resource_not_allowed'],
  ['get serviceaccounts', 'resource_not_allowed'],
  ['get roles', 'resource_not_allowed'],
  ['get clusterrolebindings', 'resource_not_allowed'],
  ['get hpa', 'resource_not_allowed'],
  ['get horizontalpodautoscalers', 'resource_not_allowed'],
  ['get jobs', 'resource_not_allowed'],
  ['get all', 'resource_not_allowed'],
  ['describe cm x', 'resource_not_allowed'],
  ['get pvc', 'resource_not_allowed'],
  ['get pods,cm', 'resource_not_allowed'],
  ['logs web-0 --tail=100000', 'tail_too_large'],
];

const CASES: Case[] = [
  ...FORBIDDEN_FLAGS,
  ...SMUGGLED,
  ...TEMPLATES,
  ...OUTPUTS,
  ...VERBS,
  ...VERB_FORMS,
  ...SECRETS,
  ...SECRET_FORMS,
  ...SHELL,
  ...CONTROL,
  ...SIZE,
  ...VALUES,
  ...POLICY,
];

const label = (input: string | CommandRequest): string => {
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 60)}…(${text.length} chars)` : text);
};

test('bypass corpus - has at least 150 cases', (t) => {
  t.true(CASES.length >= 150, `${CASES.length} cases`);
});

const seen = new Set<string>();
for (const [input, rule] of CASES) {
  let title = `bypass - ${label(input)} is rejected by ${rule}`;
  while (seen.has(title)) title += ' (again)';
  seen.add(title);
  test(title, (t) => {
    const request = typeof input === 'string' ? { command: input } : input;
    const result = checkCommand(PRESETS.readOnly, request, context);
    if (result.allowed) return t.fail(`allowed: ${result.command.argv.join(' ')}`);
    t.is(result.rule, rule, result.reason);
    t.is(typeof result.token, 'string');
  });
}
