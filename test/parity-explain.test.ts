// kubectl explain in the agent against real kubectl 1.32, both reading the simulated apiserver's
// OpenAPI v3 documents: stdout must match byte for byte, and on failure kubectl's partial stdout
// and its stderr must be the agent's output and error.

import test from 'ava';
import type { ExecutionOutcome } from '../agent/executor-types.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { type KubectlResult, kubectlFor } from '../harness/kubectl.js';
import { startSimWithExecutor } from '../harness/sim.js';

const COMMANDS = [
  'explain pods',
  'explain pods.spec',
  'explain pods.spec.containers',
  'explain pods.spec.containers.imagePullPolicy',
  'explain pods.spec.containers.ports.containerPort',
  'explain pods.metadata.labels',
  'explain pods.spec.volumes.hostPath',
  'explain pods.spec.volumes.hostPath.type',
  'explain pods.spec.restartPolicy',
  'explain pods --recursive',
  'explain pods.spec.volumes --recursive',
  'explain deployments.spec --recursive',
  'explain deployment.spec.strategy',
  'explain deploy.spec.strategy.type',
  'explain deployments.apps',
  'explain sts.spec.template.spec.containers.ports',
  'explain svc',
  'explain svc.spec',
  'explain nodes.status.conditions',
  'explain ns',
  'explain ev',
  'explain pvc.spec',
  // failures: kubectl prints KIND/VERSION before it finds the field missing
  'explain pods.nope',
  'explain pods.spec.nope',
  'explain pods.spec.containers.nope.x',
  // a group version the sim serves no OpenAPI document for
  'explain jobs',
];

function sameAsKubectl(a: ExecutionOutcome, k: KubectlResult): boolean {
  if (k.exitCode === 0) return a.status === 'success' && a.output === k.stdout;
  return a.status === 'failure' && a.output === k.stdout && a.error === k.stderr.trimEnd();
}

test('parity - explain prints what kubectl 1.32 prints, failures included', async (t) => {
  const { kubeconfig, executor } = await startSimWithExecutor(t);
  const kubectl = await kubectlFor(t, kubeconfig);

  const mismatches: string[] = [];
  let failures = 0;
  for (const line of COMMANDS) {
    const command = parseCommandRequest(
      { command: line },
      { id: 'c1', clusterId: 'sim', identity: 'test', sessionId: null, timeoutMs: 20_000 },
    );
    const k = await kubectl(line.split(' '));
    const agent = await executor.execute(command, AbortSignal.timeout(20_000));
    if (k.exitCode !== 0) failures++;
    if (!sameAsKubectl(agent, k)) {
      mismatches.push(
        `${line}\n--- kubectl (exit ${k.exitCode})\n${k.stdout}${k.stderr}--- agent (${agent.status})\n${agent.output}${agent.error ?? ''}`,
      );
    }
  }
  t.deepEqual(mismatches, []);
  // The error cases above must really fail in kubectl, or they test nothing.
  t.is(failures, 4);
});
