// What the troubleshoot preset reads, through the agent's executor and through real kubectl 1.32, both
// against the simulated apiserver: output must match byte for byte (harness/parity.ts).

import test from 'ava';
import { parseCommandRequest } from '../common/command/parse.js';
import { isTerminalSafe } from '../common/terminal.js';
import { describeMismatch, type ParityStand, startParityStand } from '../harness/parity.js';
import { startSimWithExecutor } from '../harness/sim.js';
import { defaultFixtures } from '../sim/fixtures.js';

/** get of every type troubleshoot adds, with the output forms where they print something different. */
const CASES = [
  'get jobs',
  'get jobs -o wide',
  'get job report-generator -o yaml',
  'get cronjobs -A',
  'get cj -A -o wide',
  'get pvc -A',
  'get pvc uploads -o json',
  'get hpa',
  'get pdb -A',
  'get pdb postgres -n payments -o yaml',
  'get resourcequotas -A',
  'get limitranges -n payments',
  'get endpointslices -A',
  'get sa',
  'get serviceaccounts -A -o name',
  'get roles',
  'get rolebindings -o wide',
  'get clusterroles',
  'get clusterrolebindings -o wide',
  'get ingressclasses',
  'get priorityclasses',
  'get pc batch-low -o yaml',
  'get crd',
  'get crd certificates.cert-manager.io -o yaml',
  'get jobs,cronjobs,pdb -A',
];

/** describe of every type troubleshoot adds a describer for, one object and a list of each. */
const DESCRIBE_CASES = [
  'describe job db-migrate',
  'describe job report-generator',
  'describe jobs',
  'describe cronjob nightly-backup -n payments',
  'describe cj -A',
  'describe pvc uploads',
  'describe pvc data-postgres-0 -n payments',
  'describe hpa web',
  'describe pdb web',
  'describe pdb -n payments',
  'describe role pod-reader',
  'describe rolebinding read-pods',
  'describe clusterrole kubently-agent',
  'describe clusterrole troubleshooter',
  'describe clusterroles',
  'describe clusterrolebinding kubently-agent',
  'describe clusterrolebindings',
  'describe quota -n payments',
  'describe resourcequota compute -n payments',
  'describe limitrange payments-limits -n payments',
  'describe endpointslices -n payments',
  'describe ingressclass nginx',
  'describe priorityclasses',
  'describe sa default',
  'describe serviceaccounts -n kube-system',
];

/** Custom resources (cert-manager's Certificate) by every name kubectl accepts, and the CRD that serves them. */
const CUSTOM_CASES = [
  'get certificates.cert-manager.io',
  'get certificates.v1.cert-manager.io -A',
  'get cert -A -o wide',
  'get certs -n payments',
  'get certificate web-tls -o yaml',
  'get Certificate web-tls -o json',
  'get cert-manager -A',
  'get cert/web-tls pods/web-7c5ddbdf54-2xkqp',
  'get cert -A -o name',
  'get cert nope',
  'get cert -n nowhere',
  'describe certificate web-tls',
  'describe cert -n payments',
  'describe certificates.cert-manager.io -A',
  'describe crd certificates.cert-manager.io',
];

let stand: ParityStand;
test.before(async () => {
  stand = await startParityStand({}, (group) => group === 'cert-manager.io');
});
test.after.always(() => stand?.close());

for (const line of [...CASES, ...DESCRIBE_CASES, ...CUSTOM_CASES]) {
  test.serial(`parity troubleshoot - ${line}`, async (t) => {
    const run = await stand.run(line);
    t.true(run.same, describeMismatch(run));
  });
}

test('parity troubleshoot - an Event whose message carries escape sequences is shown escaped, never raw', async (t) => {
  const { executor } = await startSimWithExecutor(t);
  const shown: [line: string, escaped: string][] = [
    ['events -n payments', '^[[2J^[]0;owned^[\\order rejected\\r^[[31mcheck DNS'],
    ['get events -n payments', '^[[2J^[]0;owned^[\\order rejected'],
    ['get events -n payments -o yaml', '\\e[2J\\e]0;owned\\e\\\\order rejected\\r\\e[31mcheck'],
  ];
  const context = { id: 'c1', clusterId: 'sim', identity: 'test', sessionId: null, timeoutMs: 20_000 };
  for (const [line, escaped] of shown) {
    const command = parseCommandRequest({ command: line }, context);
    const outcome = await executor.execute(command, AbortSignal.timeout(20_000));
    t.is(outcome.status, 'success', line);
    t.true(outcome.output.includes(escaped), `${line}: ${outcome.output}`);
    t.true(isTerminalSafe(outcome.output), line);
  }
});

test('troubleshoot - describe service account names the secrets it references and never reads a Secret', async (t) => {
  const fixtures = defaultFixtures(Date.now());
  fixtures.objects.serviceaccounts?.push({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: 'builder',
      namespace: 'default',
      uid: 'sa-builder',
      creationTimestamp: new Date().toISOString(),
    },
    secrets: [{ name: 'builder-token' }, { name: 'api-db' }],
    imagePullSecrets: [{ name: 'regcred' }],
  });
  const { sim, executor } = await startSimWithExecutor(t, undefined, { fixtures });
  const context = { id: 'c1', clusterId: 'sim', identity: 'test', sessionId: null, timeoutMs: 20_000 };
  const outcome = await executor.execute(
    parseCommandRequest({ command: 'describe sa builder' }, context),
    AbortSignal.timeout(20_000),
  );
  t.is(outcome.status, 'success');
  t.is(
    outcome.output,
    [
      'Name:                builder',
      'Namespace:           default',
      'Labels:              <none>',
      'Annotations:         <none>',
      'Image pull secrets:  regcred',
      'Mountable secrets:   builder-token',
      '                     api-db',
      'Tokens:              <none>',
      'Events:              <none>',
      '',
    ].join('\n'),
  );
  t.false(
    sim.log.some((r) => r.path.includes('/secrets')),
    'kubectl lists the Secrets to find tokens; the agent does not',
  );
});
