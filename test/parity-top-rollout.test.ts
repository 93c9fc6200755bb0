// kubectl top and rollout status/history against real kubectl 1.32, both reading the same simulated
// apiserver (its metrics.k8s.io API, ReplicaSet revisions and ControllerRevisions): stdout byte for
// byte, and kubectl's stderr as the agent's error where kubectl fails.

import test from 'ava';
import { describeMismatch, type ParityStand, startParityStand } from '../harness/parity.js';

const WEB = 'web-7c5ddbdf54-2xkqp';
const SIDECAR = 'checkout-5b7c9d8f6-lm4np';

const CASES = [
  // top: more than 12 rows with equal cpu and memory values, so Go's pdqsort decides where ties land.
  'top pods',
  'top pods -A',
  'top pods -A --containers',
  'top pods -A --sort-by=cpu',
  'top pods -A --sort-by=memory',
  'top pods -A --sort-by=memory --containers',
  'top pods -A --sort-by=cpu --no-headers',
  'top pods -n kube-system --no-headers',
  'top pods -l app=web',
  `top pod ${WEB}`,
  `top pod ${SIDECAR} --containers --sort-by=cpu`,
  'top pod nope',
  'top pods -n nowhere',
  'top nodes',
  'top nodes --sort-by=cpu',
  'top nodes --sort-by=memory --no-headers',
  'top node worker-1',
  'top node worker-2',
  'top nodes -l kubernetes.io/hostname=worker-1',
  // rollout history: ReplicaSets for deployments, ControllerRevisions for daemon sets and stateful sets.
  'rollout history deployment/web',
  'rollout history deploy api',
  'rollout history deploy/web --revision=1',
  'rollout history deploy/web --revision=2',
  'rollout history deploy/api --revision=2',
  'rollout history deploy/web --revision=5',
  'rollout history ds/node-exporter -n monitoring',
  'rollout history ds/node-exporter -n monitoring --revision=1',
  'rollout history sts/postgres -n payments --revision=1',
  'rollout history ds/kube-proxy -n kube-system',
  'rollout history deploy/nope',
  // rollout status --watch=false: finished, waiting on availability, partitioned, missing.
  'rollout status deploy/web --watch=false',
  'rollout status deploy/api --watch=false',
  'rollout status deploy/frontend --watch=false',
  'rollout status deploy/queue-consumer --watch=false',
  'rollout status ds/node-exporter -n monitoring --watch=false',
  'rollout status daemonset kube-proxy -n kube-system --watch=false',
  'rollout status sts/postgres -n payments --watch=false',
  'rollout status deploy/nope --watch=false',
];

let stand: ParityStand;
test.before(async () => {
  stand = await startParityStand();
});
test.after.always(() => stand?.close());

for (const line of CASES) {
  test.serial(`parity top/rollout - ${line}`, async (t) => {
    const run = await stand.run(line);
    t.true(run.same, describeMismatch(run));
  });
}

test.serial('parity top/rollout - top pods and nodes print data rows, not only headers', async (t) => {
  for (const line of ['top pods -A', 'top nodes', 'rollout history deployment/web']) {
    const run = await stand.run(line);
    t.true(run.kubectl.stdout.split('\n').length > 3, line);
  }
});
