// Cost of parse + policy evaluation per command: `npx tsx bench/parse.ts`.

import { parseCommandRequest } from '../common/command/parse.js';
import { PRESETS } from '../common/policy/compile.js';
import { evaluate } from '../common/policy/evaluate.js';
import { parsePolicy } from '../common/policy/load.js';

const context = { id: 'bench', clusterId: 'staging', identity: 'ci-bot', sessionId: null, timeoutMs: 10_000 };
const team = parsePolicy(
  "extends: readOnly\nnamespaces: { deny: ['kube-*'] }\nidentities:\n  ci-bot: { clusters: [staging], namespaces: ['app-*', default] }\n  '*': {}\n",
  'bench.yaml',
);

const CASES: [string, Parameters<typeof parseCommandRequest>[0]][] = [
  ['get pods (args form)', { command_type: 'get', args: ['pods'], namespace: 'default' }],
  ['get pods -A (string)', { command: 'get pods -A' }],
  ['get po,svc -n app -o wide -l app=web', { command: 'get po,svc -n app-web -o wide -l app=web' }],
  ['logs web-0 -c app --tail=100', { command: 'logs web-0 -c app --tail=100 --since=5m' }],
  ['denied: get secrets', { command: 'get secrets' }],
  ['rejected: get pods --as=x', { command: 'get pods --as=system:masters' }],
];

function run(policy: typeof team, request: Parameters<typeof parseCommandRequest>[0]): number {
  const once = () => {
    try {
      evaluate(policy, parseCommandRequest(request, context));
    } catch {
      // rejected by the parser: that is a measured outcome too
    }
  };
  for (let i = 0; i < 20_000; i++) once();
  const n = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) once();
  const ns = Number(process.hrtime.bigint() - start);
  return ns / n / 1000;
}

console.log('command                                   policy    µs/op   ops/s');
for (const [name, request] of CASES) {
  for (const [policyName, policy] of [
    ['readOnly', PRESETS.readOnly],
    ['team', team],
  ] as const) {
    const us = run(policy, request);
    console.log(
      `${name.padEnd(42)}${policyName.padEnd(10)}${us.toFixed(2).padStart(6)}  ${Math.round(1e6 / us).toLocaleString('en')}`,
    );
  }
}
