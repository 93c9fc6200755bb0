// The agent's executor against real kubectl, both reading the same simulated apiserver: stdout must
// match byte for byte, and kubectl's stderr must be the agent's `error` when kubectl fails.

import test from 'ava';
import type { ExecutionOutcome } from '../agent/executor-types.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { type KubectlResult, kubectlFor } from '../harness/kubectl.js';
import { startSimWithExecutor } from '../harness/sim.js';

const CRASHING = 'api-6b8f9d5c7-x7k2p';
const WEB = 'web-7c5ddbdf54-2xkqp';
const SIDECAR = 'checkout-5b7c9d8f6-lm4np';

/** Commands whose output must be identical to kubectl's. */
const COMMANDS = [
  'get pods',
  'get pods -A',
  'get pods -o wide',
  'get po -n kube-system',
  'get pods --show-labels',
  'get pods -A --show-labels -o wide',
  'get pods -l app=web',
  'get pods --field-selector status.phase=Running',
  'get pods --sort-by=.metadata.name',
  'get pods --sort-by=.metadata.creationTimestamp -n kube-system -o name',
  'get svc -A --sort-by=.metadata.name',
  'get pods --no-headers',
  `get pod ${WEB} -o yaml`,
  `get pod ${WEB} -o json`,
  'get pods -o json',
  'get pods -A -o yaml',
  'get deploy -o name',
  'get pods,svc -o name',
  'get nodes',
  'get nodes -o wide',
  'get nodes -o yaml',
  'get svc,deploy',
  'get svc,deploy --no-headers',
  'get deploy,sts',
  `get pod ${WEB} ${CRASHING}`,
  'get events',
  'get ns',
  'get pv',
  'get pvc',
  'get sc',
  'get ing',
  'get netpol -A',
  'get rs',
  'get ds -A',
  'get sts',
  'get ep',
  'get svc -o wide -A',
  'get deploy -o yaml',
  'get pods --chunk-size=3',
  'get pod does-not-exist',
  `get pod ${WEB} does-not-exist`,
  'get pod does-not-exist -o yaml',
  'get pods -n nowhere',
  `logs ${WEB}`,
  `logs ${WEB} --tail 3`,
  `logs ${SIDECAR} -c envoy`,
  `logs ${SIDECAR}`,
  `logs ${CRASHING} --previous`,
  `logs ${CRASHING} --timestamps --tail 2`,
  `logs ${WEB} --since 1h`,
  `logs ${WEB} --previous`,
  `logs ${WEB} -c nope`,
  'logs nope',
  'events',
  'events -A',
  'events --types Warning',
  'events --types Normal -A',
  `events --for pod/${CRASHING}`,
  'events -o yaml',
  'events -o json',
  'events -n nowhere',
  'events --no-headers',
  'api-resources',
  'api-resources --namespaced=true',
  'api-resources --namespaced=false',
  'api-resources -o wide',
  'api-resources -o name',
  'api-resources --api-group=apps',
  'api-resources --no-headers',
  'api-versions',
  'cluster-info',
];

/** What a terminal shows on stdout for a successful run, plus kubectl's "nothing found" notes. */
function expectedOutput(k: KubectlResult): string {
  const informational = /^No (resources|events) found/.test(k.stderr);
  // logs' container notices go to stderr before any log line: the agent's output starts with them.
  const notices = /^Default(ed)? container/.test(k.stderr) ? k.stderr : '';
  return notices + k.stdout + (informational ? k.stderr : '');
}

function sameAsKubectl(a: ExecutionOutcome, k: KubectlResult): boolean {
  if (k.exitCode === 0) return a.status === 'success' && a.output === expectedOutput(k);
  return a.status === 'failure' && a.output === k.stdout && a.error === k.stderr.trimEnd();
}

test('parity - the executor prints what kubectl prints for the same commands', async (t) => {
  const { kubeconfig, executor } = await startSimWithExecutor(t);
  const kubectl = await kubectlFor(t, kubeconfig);
  t.true(COMMANDS.length >= 40);

  const mismatches: string[] = [];
  for (const line of COMMANDS) {
    const command = parseCommandRequest(
      { command: line },
      { id: 'c1', clusterId: 'sim', identity: 'test', sessionId: null, timeoutMs: 20_000 },
    );
    // Ages are computed from the clock (by the sim, and by kubectl for events): a second boundary
    // between the two runs changes a cell, so one mismatch is retried before it counts.
    let same = false;
    let last: { agent: ExecutionOutcome; kubectl: KubectlResult } | undefined;
    for (let attempt = 0; attempt < 2 && !same; attempt++) {
      const k = await kubectl(line.split(' '));
      const agent = await executor.execute(command, AbortSignal.timeout(20_000));
      same = sameAsKubectl(agent, k);
      last = { agent, kubectl: k };
    }
    if (!same && last) {
      mismatches.push(
        `${line}\n--- kubectl (exit ${last.kubectl.exitCode})\n${last.kubectl.stdout}${last.kubectl.stderr}--- agent (${last.agent.status})\n${last.agent.output}${last.agent.error ?? ''}`,
      );
    }
  }
  t.deepEqual(mismatches, []);
});

test('parity - logs of several containers or pods hold the same lines as kubectl (its order varies)', async (t) => {
  const { kubeconfig, executor } = await startSimWithExecutor(t);
  const kubectl = await kubectlFor(t, kubeconfig);
  for (const line of [`logs ${SIDECAR} --all-containers`, 'logs -l app=web', 'logs -l app=web --tail 2']) {
    const command = parseCommandRequest(
      { command: line },
      { id: 'c1', clusterId: 'sim', identity: 'test', sessionId: null, timeoutMs: 20_000 },
    );
    const k = await kubectl(line.split(' '));
    const agent = await executor.execute(command, AbortSignal.timeout(20_000));
    t.is(agent.status, 'success', line);
    t.deepEqual(agent.output.split('\n').sort(), k.stdout.split('\n').sort(), line);
  }
});
