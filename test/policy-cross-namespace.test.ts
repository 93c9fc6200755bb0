// An identity kept to some namespaces must not read the others through cluster-scoped commands that
// show what is inside them: describe node (its pod table), a Namespace object, cluster-info. The gateway
// and the agent decide with the same evaluate(), and the agent re-checks what it receives.

import test from 'ava';
import { createRevalidator } from '../agent/revalidate.js';
import { checkCommand } from '../common/policy/check.js';
import { parsePolicy } from '../common/policy/load.js';
import { WIRE_VERSION } from '../common/wire.js';

const POLICY = parsePolicy(
  `
name: tenants
extends: readOnly
identities:
  team-a: { clusters: ['*'], namespaces: [app-a] }
  admin: { clusters: ['*'], namespaces: ['*'] }
`,
  'tenants.yaml',
);

function decide(identity: string, line: string) {
  return checkCommand(
    POLICY,
    { command: line },
    { id: 'x', clusterId: 'prod', identity, sessionId: null, timeoutMs: 10_000 },
  );
}

const denied: [string, string, string][] = [
  ['describe node worker-1', 'cross_namespace_read', 'node/worker-1'],
  ['describe nodes', 'cross_namespace_read', 'nodes'],
  ['describe namespace kube-system', 'namespace_not_allowed', 'kube-system'],
  ['describe namespaces', 'cross_namespace_read', 'namespaces'],
  ['get namespace kube-system -o yaml', 'namespace_not_allowed', 'kube-system'],
  ['get namespaces', 'cross_namespace_read', 'namespaces'],
  ['cluster-info', 'cross_namespace_read', 'cluster-info'],
];

for (const [line, rule, token] of denied) {
  test(`cross-namespace - a namespace-restricted identity is refused \`${line}\` with a rule that says why`, (t) => {
    const decision = decide('team-a', line);
    t.false(decision.allowed);
    if (decision.allowed) return;
    t.is(decision.rule, rule);
    t.is(decision.token, token);
    t.truthy(decision.reason);
  });
}

test('cross-namespace - the identity still reads its own namespace object and the nodes table', (t) => {
  for (const line of [
    'describe namespace app-a',
    'get namespace app-a -o yaml',
    'get nodes',
    'get pods -n app-a',
  ])
    t.true(decide('team-a', line).allowed, line);
});

test('cross-namespace - an identity allowed every namespace reads all of them', (t) => {
  for (const [line] of denied) t.true(decide('admin', line).allowed, line);
});

test('cross-namespace - the agent refuses describe node for a restricted identity even when the gateway sent it', (t) => {
  const revalidate = createRevalidator(() => POLICY);
  const decision = revalidate(
    {
      v: WIRE_VERSION,
      id: 'x',
      cluster_id: 'prod',
      argv: ['describe', 'node', 'worker-1'],
      identity: 'team-a',
      session_id: null,
      deadline: Date.now() + 10_000,
    },
    Date.now(),
  );
  t.false(decision.allowed);
  if (!decision.allowed) t.is(decision.rule, 'cross_namespace_read');
});
