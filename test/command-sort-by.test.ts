// --sort-by and logs --prefix in the parser: every JSONPath form kubectl's sorter accepts is read and
// normalized; filters, recursion, unions, scripts, oversize and control characters are refused.

import test from 'ava';
import { parseCommandRequest } from '../common/command/parse.js';
import { KubentlyError } from '../common/errors.js';

const context = { id: 'c1', clusterId: 'staging', identity: 'tester', sessionId: null, timeoutMs: 30_000 };

const ACCEPTED: [string, string][] = [
  ['.metadata.name', '.metadata.name'],
  ['{.metadata.name}', '.metadata.name'],
  ['metadata.name', '.metadata.name'],
  ['{metadata.name}', '.metadata.name'],
  ['.metadata.labels.pod-template-hash', '.metadata.labels.pod-template-hash'],
  ['{.metadata.labels.app\\.kubernetes\\.io/name}', '.metadata.labels.app\\.kubernetes\\.io/name'],
  [".metadata.labels['app.kubernetes.io/name']", ".metadata.labels['app.kubernetes.io/name']"],
  ['.metadata.labels["team-name"]', '.metadata.labels["team-name"]'],
  ['.spec.containers[*].name', '.spec.containers[*].name'],
  ['.status.containerStatuses[0].restartCount', '.status.containerStatuses[0].restartCount'],
];

for (const [path, normalized] of ACCEPTED) {
  test(`sort-by - ${path} is read and normalized to ${normalized}`, (t) => {
    const command = parseCommandRequest(
      { command_type: 'get', args: ['pods', `--sort-by=${path}`] },
      context,
    );
    t.is(command.flags.sortBy, normalized);
    const again = parseCommandRequest({ command_type: 'get', args: command.argv.slice(1) }, context);
    t.is(again.flags.sortBy, normalized);
  });
}

const REFUSED = [
  '{.a..b}',
  '..metadata',
  '.items[?(@.x=="y")]',
  '.a[0:2]',
  ".a['x','y']",
  '{.a}{.b}',
  '.a b',
  '.a;b',
  '.a\u001b[2J',
  '.a\u0085',
  `.${'a'.repeat(600)}`,
  '$.metadata',
  '',
];

for (const path of REFUSED) {
  test(`sort-by - ${JSON.stringify(path).slice(0, 40)} is refused as a bad --sort-by`, (t) => {
    const err = t.throws(
      () => parseCommandRequest({ command_type: 'get', args: ['pods', `--sort-by=${path}`] }, context),
      { instanceOf: KubentlyError },
    );
    t.is(err?.code, 'invalid_command');
  });
}

test('logs --prefix parses, round-trips and combines with -l and --all-containers', (t) => {
  const command = parseCommandRequest({ command: 'logs -l app=web --prefix --all-containers' }, context);
  t.true(command.flags.prefix);
  t.deepEqual(command.argv, [
    'logs',
    '--all-containers',
    '--namespace=default',
    '--prefix',
    '--selector=app=web',
  ]);
  t.throws(() => parseCommandRequest({ command: 'logs web --prefix=maybe' }, context), {
    instanceOf: KubentlyError,
  });
});
