import test from 'ava';
import { parseCommandRequest } from '../common/command/parse.js';
import { checkCommand } from '../common/policy/check.js';
import { PRESETS } from '../common/policy/compile.js';
import {
  canUseCluster,
  effectiveLogTail,
  effectiveTimeoutMs,
  evaluate,
  maxOutputBytes,
  policyForCluster,
  presetName,
} from '../common/policy/evaluate.js';
import { parsePolicy } from '../common/policy/load.js';
import type { Policy } from '../common/policy/types.js';

const TEAM = parsePolicy(
  `
name: team
extends: readOnly
namespaces:
  allow: ['*']
  deny: [kube-system, 'kube-*']
identities:
  ci-bot: { clusters: [staging], namespaces: ['app-*'] }
  'oncall-*': { clusters: ['*'] }
  '*': { clusters: [staging, dev, prod] }
limits:
  logTail: { default: 50, max: 200 }
  timeoutSeconds: { default: 10, max: 20 }
clusters:
  prod:
    verbs: [get, describe, events]
    resources:
      get: [pods, nodes]
    limits:
      maxOutputBytes: 65536
`,
  'team.yaml',
);

function decide(
  policy: Policy,
  command: string,
  options: { identity?: string; clusterId?: string; timeoutMs?: number } = {},
) {
  const context = {
    id: 'c',
    clusterId: options.clusterId ?? 'staging',
    identity: options.identity ?? 'alice',
    sessionId: null,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  return evaluate(policy, parseCommandRequest({ command }, context));
}

const TABLE: [policy: string, command: string, options: Parameters<typeof decide>[2], rule: string][] = [
  ['strict', 'get pods', {}, 'allowed'],
  ['strict', 'describe deploy web', {}, 'allowed'],
  ['strict', 'explain pods.spec', {}, 'allowed'],
  ['strict', 'version', {}, 'allowed'],
  ['strict', 'cluster-info', {}, 'allowed'],
  ['strict', 'logs web-0', {}, 'verb_not_allowed'],
  ['strict', 'events', {}, 'verb_not_allowed'],
  ['strict', 'api-resources', {}, 'verb_not_allowed'],
  ['strict', 'get replicasets', {}, 'resource_not_allowed'],
  ['strict', 'describe ns default', {}, 'resource_not_allowed'],
  ['strict', 'get secrets', {}, 'secret_forbidden'],
  ['readOnly', 'logs web-0', {}, 'allowed'],
  ['readOnly', 'get rs,ds,sts,ing,netpol,sc,pv,ep', {}, 'allowed'],
  ['readOnly', 'get pods', { timeoutMs: 121_000 }, 'timeout_too_long'],
  ['team', 'get pods -n app-web', {}, 'allowed'],
  ['team', 'get pods -n kube-system', {}, 'namespace_not_allowed'],
  ['team', 'get pods -n kube-public', {}, 'namespace_not_allowed'],
  ['team', 'get pods -A', {}, 'all_namespaces_not_allowed'],
  ['team', 'get nodes', {}, 'allowed'],
  ['team', 'get pods -n app-web', { identity: 'ci-bot' }, 'allowed'],
  ['team', 'get pods -n default', { identity: 'ci-bot' }, 'namespace_not_allowed'],
  ['team', 'get pods -n app-web', { identity: 'ci-bot', clusterId: 'prod' }, 'cluster_not_allowed'],
  ['team', 'get pods -n app-web', { identity: 'oncall-ann', clusterId: 'other' }, 'allowed'],
  ['team', 'get pods', { clusterId: 'other' }, 'cluster_not_allowed'],
  ['team', 'get pods', { clusterId: 'prod' }, 'allowed'],
  ['team', 'logs web-0', { clusterId: 'prod' }, 'verb_not_allowed'],
  ['team', 'get svc', { clusterId: 'prod' }, 'resource_not_allowed'],
  ['team', 'logs web-0', { clusterId: 'staging' }, 'allowed'],
  ['team', 'logs web-0 --tail=300', {}, 'tail_too_large'],
  ['team', 'get pods', { timeoutMs: 21_000 }, 'timeout_too_long'],
];

const POLICIES: Record<string, Policy> = { strict: PRESETS.strict, readOnly: PRESETS.readOnly, team: TEAM };

for (const [name, command, options, rule] of TABLE) {
  test(`policy - ${name} decides ${JSON.stringify(command)} ${JSON.stringify(options)} by ${rule}`, (t) => {
    const decision = decide(POLICIES[name]!, command, options);
    t.is(decision.rule, rule, decision.reason);
    t.is(decision.allowed, rule === 'allowed');
    if (!decision.allowed) t.truthy(decision.token);
  });
}

test('policy - canUseCluster answers per identity and cluster, unlisted identities fall to the * entry', (t) => {
  t.true(canUseCluster(TEAM, 'ci-bot', 'staging'));
  t.false(canUseCluster(TEAM, 'ci-bot', 'prod'));
  t.true(canUseCluster(TEAM, 'someone', 'dev'));
  t.false(canUseCluster(TEAM, 'someone', 'unknown-cluster'));
  t.true(canUseCluster(PRESETS.readOnly, 'anyone', 'anything'));
  const closed = parsePolicy(
    'extends: readOnly\nidentities:\n  ci-bot: { clusters: [staging] }\n',
    'closed.yaml',
  );
  t.false(
    canUseCluster(closed, 'someone-else', 'staging'),
    'no * entry: an unlisted identity may use nothing',
  );
});

test('policy - policyForCluster applies the override once and is idempotent', (t) => {
  const prod = policyForCluster(TEAM, 'prod');
  t.false(prod.verbs.has('logs'));
  t.is(prod.limits.maxOutputBytes, 65536);
  t.is(policyForCluster(TEAM, 'prod'), prod);
  t.is(policyForCluster(prod, 'prod'), prod);
  t.true(policyForCluster(TEAM, 'staging').verbs.has('logs'));
  t.is(maxOutputBytes(TEAM, 'prod'), 65536);
  t.is(maxOutputBytes(TEAM, 'staging'), PRESETS.readOnly.limits.maxOutputBytes);
});

test('policy - limits helpers take defaults from the policy and cap requests', (t) => {
  t.is(effectiveTimeoutMs(TEAM, 'staging'), 10_000);
  t.is(effectiveTimeoutMs(TEAM, 'staging', 60_000), 20_000);
  t.is(effectiveTimeoutMs(PRESETS.readOnly, 'x', 5_000), 5_000);
  const context = { id: 'c', clusterId: 'staging', identity: 'a', sessionId: null, timeoutMs: 10_000 };
  t.is(effectiveLogTail(TEAM, parseCommandRequest({ command: 'logs web-0' }, context)), 50);
  t.is(effectiveLogTail(TEAM, parseCommandRequest({ command: 'logs web-0 --tail=7' }, context)), 7);
});

test('policy - presetName names the preset a policy is or extends', (t) => {
  t.is(presetName(PRESETS.strict), 'strict');
  t.is(presetName(TEAM), 'readOnly');
  t.is(presetName(parsePolicy('verbs: [version]\n', 'x')), 'custom');
});

test('policy - checkCommand gives parse rejections and policy denials as one decision value, never throwing', (t) => {
  const context = { id: 'c', clusterId: 'staging', identity: 'a', sessionId: null, timeoutMs: 10_000 };
  const allowed = checkCommand(
    PRESETS.readOnly,
    { command_type: 'get', args: ['po'], namespace: 'prod' },
    context,
  );
  t.like(allowed, { allowed: true, rule: 'allowed', reason: 'allowed by policy readOnly' });
  t.deepEqual(allowed.allowed && allowed.command.argv, ['get', 'pods', '--namespace=prod']);
  t.deepEqual(checkCommand(PRESETS.strict, { command: 'logs web-0' }, context), {
    allowed: false,
    code: 'unauthorized_command',
    argv: ['logs', 'web-0', '--namespace=default'],
    rule: 'verb_not_allowed',
    reason: 'policy strict does not allow logs',
    token: 'logs',
  });
  // Forbidden by the grammar: refused like a policy denial (403), before anything is parsed further.
  t.like(checkCommand(PRESETS.readOnly, { command: 'get pods --as=x' }, context), {
    allowed: false,
    code: 'unauthorized_command',
    argv: null,
    rule: 'forbidden_flag',
    token: '--as=x',
  });
  // Not understood: the same value with the 400 code.
  t.like(checkCommand(PRESETS.readOnly, { command: 'get pods --bogus' }, context), {
    allowed: false,
    code: 'invalid_command',
    argv: null,
    rule: 'unknown_flag',
    token: '--bogus',
  });
  t.like(checkCommand(PRESETS.readOnly, null as never, context), {
    allowed: false,
    code: 'invalid_command',
    rule: 'invalid_request',
  });
  t.like(checkCommand(PRESETS.readOnly, { command: 42 } as never, context), {
    allowed: false,
    rule: 'invalid_argument',
  });
});
