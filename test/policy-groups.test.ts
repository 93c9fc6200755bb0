// Group identities (`group:<name>`, from OIDC tokens) in the policy, at the gateway and again at the agent.

import test from 'ava';
import { createRevalidator } from '../agent/revalidate.js';
import { parseArgv } from '../common/command/parse.js';
import { canUseCluster, evaluate } from '../common/policy/evaluate.js';
import { parsePolicy } from '../common/policy/load.js';
import { isCommandMessage, toCommandMessage } from '../common/wire.js';

const POLICY = parsePolicy(
  `
name: groups
extends: readOnly
identities:
  ada@example.com: { clusters: [lab] }
  'group:sre': { clusters: ['prod-*'], namespaces: [default] }
  'group:dba': { clusters: [db], namespaces: [databases] }
  'group:eu-*': { clusters: [eu], namespaces: ['*'] }
  '*': { clusters: [sandbox] }
`,
  'groups.yaml',
);

function command(argv: string[], clusterId: string, identity: string, groups: string[] = []) {
  return parseArgv(argv, { id: 'c', clusterId, identity, groups, sessionId: null, timeoutMs: 1000 });
}

test('policy groups - a caller may use the clusters of its identity and of each of its groups', (t) => {
  const groups = ['group:sre', 'group:dba'];
  t.true(canUseCluster(POLICY, 'ada@example.com', 'lab', groups));
  t.true(canUseCluster(POLICY, 'ada@example.com', 'prod-1', groups));
  t.true(canUseCluster(POLICY, 'ada@example.com', 'db', groups));
  t.false(
    canUseCluster(POLICY, 'ada@example.com', 'sandbox', groups),
    "'*' applies only when nothing names the caller",
  );
  t.true(canUseCluster(POLICY, 'bo@example.com', 'eu', ['group:eu-west']), 'group globs match');
  t.true(
    canUseCluster(POLICY, 'bo@example.com', 'sandbox'),
    "without a matching entry the '*' entry applies",
  );
  t.false(canUseCluster(POLICY, 'bo@example.com', 'prod-1'));
});

test('policy groups - cluster and namespace must come from the same entry', (t) => {
  const groups = ['group:sre', 'group:dba'];
  const decide = (argv: string[], cluster: string) =>
    evaluate(POLICY, command(argv, cluster, 'ada@example.com', groups)).rule;
  t.is(decide(['get', 'pods', '-n', 'default'], 'prod-1'), 'allowed');
  t.is(decide(['get', 'pods', '-n', 'databases'], 'db'), 'allowed');
  t.is(decide(['get', 'pods', '-n', 'databases'], 'prod-1'), 'namespace_not_allowed');
  t.is(decide(['get', 'pods', '-n', 'default'], 'db'), 'namespace_not_allowed');
  t.is(decide(['get', 'pods', '-A'], 'prod-1'), 'all_namespaces_not_allowed');
  t.is(
    evaluate(POLICY, command(['get', 'pods', '-A'], 'eu', 'x@example.com', ['group:eu-north'])).rule,
    'allowed',
  );
});

test('policy groups - the agent applies its own policy to the groups the gateway sent', (t) => {
  const revalidate = createRevalidator(() => POLICY);
  const now = Date.now();
  const sent = toCommandMessage(
    command(['get', 'pods', '-n', 'default'], 'prod-1', 'ada@example.com', ['group:sre']),
    now + 1000,
  );
  t.deepEqual(sent.groups, ['group:sre'], 'the gateway sends the groups with the command');
  t.true(isCommandMessage(sent), "the agent's schema accepts it");
  const ok = revalidate(sent, now);
  t.true(ok.allowed);
  t.deepEqual(ok.allowed ? ok.command.groups : null, ['group:sre']);
  const { groups: _, ...stripped } = sent;
  t.false(revalidate(stripped, now).allowed, 'without the group the agent refuses');
  t.false(revalidate({ ...sent, groups: ['group:dba'] }, now).allowed, 'dba does not grant prod-1');
});
