// kubectl fidelity kinds against real kubectl 1.32 (issue 17): --sort-by as 1.32 sorts (byte order,
// missing fields, ties through Go's pdqsort and its pattern breaking, every JSONPath form, the "couldn't
// find any field" cases), logs' container notices and --prefix, and -o yaml of non-ASCII and control text.

import test from 'ava';
import { escapeJsonControls, escapeTerminal } from '../common/terminal.js';
import {
  describeMismatch,
  expectedOutput,
  type ParityRun,
  type ParityStand,
  startParityStand,
} from '../harness/parity.js';
import { fixtureClock } from '../sim/fixture-builders.js';
import { defaultFixtures } from '../sim/fixtures.js';
import { addGeneratedNamespace } from '../sim/fixtures-generated.js';

const WEB = 'web-7c5ddbdf54-2xkqp';
const CRASHING = 'api-6b8f9d5c7-x7k2p';
const SIDECAR = 'checkout-5b7c9d8f6-lm4np';

/** Byte-for-byte cases: stdout (with kubectl's notices) or, on failure, stderr as the agent's error. */
const EXACT = [
  // 28 pods, so pdqsort partitions (and breaks patterns) instead of only insertion-sorting.
  'get pods -A --sort-by=.metadata.labels.tier',
  'get pods -A --sort-by=.status.containerStatuses[0].restartCount',
  'get pods -A --sort-by=.status.phase',
  'get pods -A --sort-by=.metadata.labels.pod-template-hash',
  'get pods -A --sort-by={.metadata.labels.pod-template-hash}',
  "get pods -A '--sort-by={.metadata.labels.app\\.kubernetes\\.io/name}'",
  `get pods -A "--sort-by=.metadata.labels['app']"`,
  "get pods -A '--sort-by=.metadata.annotations.example\\.com/owner'",
  'get pods -A --sort-by=.spec.containers[*].name',
  'get pods -A --sort-by=metadata.namespace',
  'get svc -A --sort-by=.spec.clusterIP',
  'get pods -A --sort-by=.metadata.uid',
  'get events -A --sort-by=.count',
  'get nodes --sort-by=.status.capacity.cpu',
  'get pods -A -o name --sort-by=.metadata.labels.tier',
  'get pods -A --sort-by=.metadata.nope',
  'get pods -A --sort-by=.metadata.nope -o name',
  'get pods,svc --sort-by=.metadata.name',
  'get pods,svc --sort-by=.metadata.resourceVersion',
  `get pod ${WEB} ${CRASHING} --sort-by=.metadata.name`,
  `get pod ${WEB} --sort-by=.metadata.nope`,
  // -o yaml: go-yaml v2 quoting, \U escapes beyond U+FFFF, the BOM quirk, NEL folding, U+2028 breaks.
  'get pod ledger-export -n payments -o yaml',
  'get pods -n payments -o yaml',
  // DEL, C1 and U+FFFE make sigs.k8s.io/yaml's reader fail: kubectl prints nothing but the error.
  'get svc postgres -n payments -o yaml',
  'get svc -A -o yaml',
  'get pods -n payments --show-labels',
  // logs: the container notice kubectl writes to stderr leads the output; --prefix.
  `logs ${SIDECAR} --tail 2`,
  `logs ${SIDECAR} -c envoy --tail 1`,
  'logs -l app=checkout --tail 1',
  `logs ${WEB} --prefix --tail 2`,
  'logs api-6b8f9d5c7-h2lqs --tail 1',
];

/** kubectl reads these logs from a Go map: its line order varies, so the lines are compared as a set. */
const SAME_LINES = [
  `logs ${SIDECAR} --all-containers --prefix --tail 1`,
  'logs -l app=web --prefix --tail 1',
];

/**
 * 500 generated pods with 16 shard labels, 3 nodes and 3,600 ages: long runs of equal keys through every
 * path of Go's pdqsort (ninther pivots, partitionEqual, pattern breaking, heapsort's fallback is rare).
 */
const MANY_TIES = [
  'get pods -n big --sort-by=.metadata.labels.shard',
  'get pods -n big --sort-by=.spec.nodeName -o name',
  'get pods -n big --sort-by=.metadata.creationTimestamp --no-headers',
  'get pods -n big --sort-by=.status.podIP -l shard=shard-3',
];

let stand: ParityStand;
test.before(async () => {
  const now = Date.now();
  const fixtures = defaultFixtures(now);
  addGeneratedNamespace(fixtures, fixtureClock(now), 'big', 500);
  // A fixed clock: with 528 pods a listing takes long enough for an AGE cell to tick between the two runs.
  stand = await startParityStand({ fixtures, clock: () => now });
});
test.after.always(() => stand?.close());

for (const line of MANY_TIES) {
  test.serial(`parity fidelity - ${line} (many equal keys)`, async (t) => {
    const run = await stand.run(line);
    t.true(run.kubectl.stdout.split('\n').length > 30, 'kubectl printed the rows');
    t.true(run.same, describeMismatch(run));
  });
}

for (const line of EXACT) {
  test.serial(`parity fidelity - ${line}`, async (t) => {
    const run = await stand.run(line);
    t.true(run.same, describeMismatch(run));
  });
}

for (const line of SAME_LINES) {
  test.serial(`parity fidelity - ${line} (same lines)`, async (t) => {
    const run = await stand.run(line);
    t.is(run.agent.status, 'success', describeMismatch(run));
    t.deepEqual(run.agent.output.split('\n').sort(), expectedOutput(run.kubectl).split('\n').sort());
  });
}

/** kubectl exits from klog.Exitf with a header (level, time, pid, file:line); the message is the agent's error. */
const KLOG_HEADER = /^F\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ \S+:\d+\] /;

test.serial('parity fidelity - an unsortable --sort-by value fails with kubectl message', async (t) => {
  const run = await stand.run('get pods -A --sort-by=.metadata.labels');
  t.not(run.kubectl.exitCode, 0);
  t.regex(run.kubectl.stderr, KLOG_HEADER);
  t.is(run.agent.status, 'failure');
  t.is(run.agent.error, run.kubectl.stderr.replace(KLOG_HEADER, '').trimEnd());
  t.is(run.agent.output, '');
});

/**
 * Where the agent shows what kubectl would let a terminal obey (C0 and C1 controls, docs/policy.md), its
 * output is kubectl's with exactly that escaping applied, and nothing else differs.
 */
const ESCAPED: [string, (text: string) => string][] = [
  ['get pod ledger-export -n payments -o json', escapeJsonControls],
  ['describe pod ledger-export -n payments', escapeTerminal],
  ['describe svc postgres -n payments', escapeTerminal],
];

for (const [line, escaped] of ESCAPED) {
  test.serial(`parity fidelity - ${line} (kubectl's output, controls escaped)`, async (t) => {
    let run: ParityRun | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      run = await stand.run(line);
      if (run.agent.output === escaped(run.kubectl.stdout)) break;
    }
    if (!run) return t.fail();
    t.is(run.kubectl.exitCode, 0);
    t.not(run.kubectl.stdout, escaped(run.kubectl.stdout), 'the case holds a control character');
    t.is(run.agent.output, escaped(run.kubectl.stdout), describeMismatch(run));
  });
}
