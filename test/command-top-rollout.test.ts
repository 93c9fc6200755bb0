// top and rollout in the parser and the policy: the read-only forms parse into a normalized argv that
// parses back to the same command; writes (rollout restart/undo/pause/resume) are 403s whatever follows;
// a status that would follow the rollout is a 400 with the hint; only troubleshoot allows the verbs.

import test from 'ava';
import { isFollowCommand } from '../common/command/follow.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { KubentlyError } from '../common/errors.js';
import { checkCommand } from '../common/policy/check.js';
import { PRESETS } from '../common/policy/compile.js';
import { evaluate } from '../common/policy/evaluate.js';

const context = { id: 'c1', clusterId: 'staging', identity: 'tester', sessionId: null, timeoutMs: 30_000 };
const parse = (command: string) => parseCommandRequest({ command }, context);

const ALLOWED: [string, string[]][] = [
  ['top pods', ['top', 'pods', '--namespace=default']],
  [
    'top pod -A --containers --sort-by=cpu',
    ['top', 'pods', '--all-namespaces', '--containers', '--sort-by=cpu'],
  ],
  ['top po web-1 -n prod --no-headers', ['top', 'pods', 'web-1', '--namespace=prod', '--no-headers']],
  [
    'top pods -l app=web --sort-by memory',
    ['top', 'pods', '--namespace=default', '--selector=app=web', '--sort-by=memory'],
  ],
  ['top nodes', ['top', 'nodes']],
  ['top node worker-1 --sort-by=cpu', ['top', 'nodes', 'worker-1', '--sort-by=cpu']],
  ['top no -l kubernetes.io/os=linux', ['top', 'nodes', '--selector=kubernetes.io/os=linux']],
  [
    'rollout status deployment/web --watch=false',
    ['rollout', 'status', 'deployments', 'web', '--namespace=default', '--watch=false'],
  ],
  [
    'rollout status ds node-exporter -n monitoring -w=false',
    ['rollout', 'status', 'daemonsets', 'node-exporter', '--namespace=monitoring', '--watch=false'],
  ],
  ['rollout history deploy/web', ['rollout', 'history', 'deployments', 'web', '--namespace=default']],
  [
    'rollout history statefulsets.apps/postgres -n payments --revision=3',
    ['rollout', 'history', 'statefulsets', 'postgres', '--namespace=payments', '--revision=3'],
  ],
];

for (const [input, argv] of ALLOWED) {
  test(`top/rollout - "${input}" normalizes, round-trips and troubleshoot allows it`, (t) => {
    const command = parse(input);
    t.deepEqual(command.argv, argv);
    const again = parseCommandRequest({ command_type: argv[0], args: argv.slice(1) }, context);
    t.deepEqual({ ...again, argv: [] }, { ...command, argv: [] });
    t.true(evaluate(PRESETS.troubleshoot, command).allowed);
    const readOnly = evaluate(PRESETS.readOnly, command);
    t.false(readOnly.allowed);
    t.is(readOnly.rule, 'verb_not_allowed');
  });
}

// [input, error code, rule]
const REFUSED: [string, 'invalid_command' | 'unauthorized_command', string][] = [
  ['rollout restart deployment/web', 'unauthorized_command', 'verb_not_allowed'],
  ['rollout undo deploy/web --to-revision=1', 'unauthorized_command', 'verb_not_allowed'],
  ['rollout PAUSE deploy/web', 'unauthorized_command', 'verb_not_allowed'],
  ['rollout resume deploy/web --bogus', 'unauthorized_command', 'verb_not_allowed'],
  ['rollout status deploy/web --as=admin --watch=false', 'unauthorized_command', 'forbidden_flag'],
  ['rollout history deploy/web --watch=false', 'invalid_command', 'unknown_flag'],
  ['rollout status deploy/web --watch=false --revision=2', 'invalid_command', 'unknown_flag'],
  ['rollout', 'invalid_command', 'missing_argument'],
  ['rollout status', 'invalid_command', 'missing_resource'],
  ['rollout status --watch=false', 'invalid_command', 'missing_resource'],
  ['rollout frobnicate deploy/web', 'invalid_command', 'unknown_subcommand'],
  ['rollout history deploy', 'invalid_command', 'unexpected_argument'],
  ['rollout history deploy/a deploy/b', 'invalid_command', 'unexpected_argument'],
  ['rollout history deploy/a sts/b', 'invalid_command', 'unexpected_argument'],
  ['rollout history pod/web', 'invalid_command', 'unsupported_resource'],
  ['rollout history secret/web', 'invalid_command', 'unsupported_resource'],
  ['rollout history deploy/web --revision=-1', 'invalid_command', 'invalid_flag_value'],
  ['rollout history deploy/web --revision=1e3', 'invalid_command', 'invalid_flag_value'],
  ['rollout history deploy/web --revision=99999999999999999999', 'invalid_command', 'invalid_flag_value'],
  ['rollout history deploy/web -o yaml', 'invalid_command', 'unknown_flag'],
  ['rollout history deploy/web;id', 'invalid_command', 'invalid_name'],
  ['top', 'invalid_command', 'missing_resource'],
  ['top services', 'invalid_command', 'unsupported_resource'],
  ['top secrets', 'invalid_command', 'unsupported_resource'],
  ['top pods --sort-by=name', 'invalid_command', 'invalid_flag_value'],
  ['top pods --sort-by=.metadata.name', 'invalid_command', 'invalid_flag_value'],
  ['top nodes -A', 'invalid_command', 'unknown_flag'],
  ['top nodes --containers', 'invalid_command', 'unknown_flag'],
  ['top nodes -n default', 'invalid_command', 'unknown_flag'],
  ['top pods a b', 'invalid_command', 'unexpected_argument'],
  ['top pods web -l app=web', 'invalid_command', 'conflicting_flags'],
  ['top pods web -A', 'invalid_command', 'conflicting_flags'],
  ['top pods -o json', 'invalid_command', 'unknown_flag'],
  ['top pods --use-protocol-buffers', 'invalid_command', 'unknown_flag'],
  ['top pods -l "a;b"', 'invalid_command', 'invalid_selector'],
  ['top pods -n ../etc', 'invalid_command', 'invalid_namespace'],
];

for (const [input, code, rule] of REFUSED) {
  test(`top/rollout - "${input}" is refused by ${rule}`, (t) => {
    const err = t.throws(() => parse(input), { instanceOf: KubentlyError });
    t.is(err?.code, code);
    t.is(err?.details?.rule, rule);
    const decision = checkCommand(PRESETS.troubleshoot, { command: input }, context);
    t.false(decision.allowed);
    t.is(decision.allowed ? undefined : decision.code, code);
    t.is(decision.rule, rule);
  });
}

test('top/rollout - bare rollout status follows the rollout (streamed); --watch=false reads it once', (t) => {
  t.true(isFollowCommand(parse('rollout status deployment/web')));
  t.false(isFollowCommand(parse('rollout status deployment/web --watch=false')));
});

test('top/rollout - a policy that extends troubleshoot can narrow top to pods and rollout to deployments', async (t) => {
  const { parsePolicy } = await import('../common/policy/load.js');
  const narrowed = parsePolicy(
    'extends: troubleshoot\nresources:\n  top: [pods]\n  rollout: [deploy]\n',
    'narrow.yaml',
  );
  t.true(evaluate(narrowed, parse('top pods -A')).allowed);
  t.is(evaluate(narrowed, parse('top nodes')).rule, 'resource_not_allowed');
  t.true(evaluate(narrowed, parse('rollout history deploy/web')).allowed);
  t.is(evaluate(narrowed, parse('rollout history sts/postgres')).rule, 'resource_not_allowed');
});

test('top/rollout - the MCP policy summary tells a model what top and rollout read under troubleshoot only', async (t) => {
  const { policySummary } = await import('../gateway/mcp/descriptions.js');
  const troubleshoot = policySummary(PRESETS.troubleshoot, ['prod']);
  t.true(troubleshoot.includes('- top: nodes, pods'));
  t.true(troubleshoot.includes('- rollout: daemonsets, deployments, statefulsets'));
  t.true(troubleshoot.includes('rollout takes status (with --watch=false) and history only.'));
  const readOnly = policySummary(PRESETS.readOnly, ['prod']);
  t.false(readOnly.includes('- top'));
  t.false(readOnly.includes('rollout'));
});
