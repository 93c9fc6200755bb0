// Property tests: whatever argv is generated, an accepted command is read-only, within the policy,
// free of forbidden flags and secrets, and its normalized argv parses back to the same command.

import test from 'ava';
import fc from 'fast-check';
import { formatCommandLine } from '../common/command/format.js';
import { FORBIDDEN_LONG_FLAGS, FORBIDDEN_SHORT_FLAGS } from '../common/command/grammar.js';
import { parseArgv, parseCommandRequest, rejectionOf } from '../common/command/parse.js';
import { type Command, VERBS } from '../common/command/types.js';
import { checkCommand } from '../common/policy/check.js';
import { PRESETS } from '../common/policy/compile.js';
import { evaluate } from '../common/policy/evaluate.js';
import { isCommandMessage, toCommandMessage } from '../common/wire.js';

const context = { id: 'p', clusterId: 'c', identity: 'i', sessionId: null, timeoutMs: 10_000 };

const verbs = [...VERBS, 'delete', 'exec', 'auth', 'GET'];
const resources = [
  'pods',
  'po',
  'Pods',
  'pod',
  'svc',
  'nodes',
  'deploy',
  'deployments.apps',
  'rs',
  'sts',
  'all',
  'hpa',
  'cm',
  'secrets',
  'secret',
  'SECRETS',
  'Secret',
  'secrets.v1.',
  'secrets.v1',
  'pods,secrets',
  'po,svc',
  'secret/x',
  'pod/web-0',
  'svc/api',
  'pods.spec',
  'pods.spec.containers',
  'ns',
  'events',
  'ev',
];
const names = ['web-0', 'api', 'my-create-job', 'delete-me', 'x', 'kube-system', 'app'];
const flags = [
  '-n',
  'kube-system',
  '-nprod',
  '--namespace=default',
  '-A',
  '--all-namespaces',
  '-l',
  'app=web',
  '--selector=tier in (a,b)',
  '--field-selector=status.phase=Running',
  '-o',
  'json',
  '-oyaml',
  '-o=wide',
  '--output=name',
  '-ojsonpath={.x}',
  '--show-labels',
  '--sort-by=.metadata.name',
  '--no-headers',
  '--limit=5',
  '--chunk-size=10',
  '-c',
  'app',
  '--tail=20',
  '--since=5m',
  '-p',
  '--previous',
  '--timestamps',
  '--all-containers',
  '--recursive',
  '--for=pod/web-0',
  '--types=Warning',
  '--namespaced=false',
  '--api-group=apps',
  '--as=system:masters',
  '--as',
  '-s',
  'https://x',
  '--server=https://x',
  '--kubeconfig=/x',
  '--token=t',
  '--raw=/api',
  '-f',
  'x.yaml',
  '--context=prod',
  '--insecure-skip-tls-verify',
  '--dry-run=server',
  '--export',
  '--template={{.}}',
  '-v=9',
  '--',
  '-',
  ';',
  '|',
  '$(id)',
];

const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...resources) },
  { weight: 2, arbitrary: fc.constantFrom(...names) },
  { weight: 5, arbitrary: fc.constantFrom(...flags) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const argvArb = fc
  .tuple(fc.constantFrom(...verbs), fc.array(token, { maxLength: 8 }))
  .map(([verb, rest]) => [verb, ...rest]);

function flagName(arg: string): string | undefined {
  if (!arg.startsWith('-') || arg.length < 2) return undefined;
  if (arg.startsWith('--')) return arg.slice(2).split('=')[0]!.toLowerCase().replaceAll('_', '-');
  return arg[1];
}

function assertSafe(command: Command): void {
  const policy = PRESETS.readOnly;
  if (!policy.verbs.has(command.verb)) throw new Error(`verb ${command.verb} allowed`);
  for (const target of command.targets) {
    if (target.resource === 'secrets') throw new Error('secrets allowed');
    const rule = policy.resources.get(command.verb);
    const key = command.verb === 'logs' ? 'pods/log' : target.resource;
    if (rule !== undefined && rule !== 'any' && !rule.has(key))
      throw new Error(`${key} allowed for ${command.verb}`);
  }
  if (command.flags.forObject?.startsWith('secrets/')) throw new Error('events for a secret allowed');
  for (const arg of command.argv) {
    const name = flagName(arg);
    if (
      name !== undefined &&
      (FORBIDDEN_LONG_FLAGS.has(name) || (name.length === 1 && FORBIDDEN_SHORT_FLAGS.has(name)))
    ) {
      throw new Error(`forbidden flag ${arg} in argv`);
    }
  }
  if (!['table', 'json', 'yaml', 'wide', 'name'].includes(command.output))
    throw new Error(`output ${command.output}`);
}

test('property - an accepted command is allowed verbs on allowed resources, without forbidden flags or secrets', (t) => {
  let accepted = 0;
  fc.assert(
    fc.property(argvArb, (argv) => {
      let command: Command;
      try {
        command = parseCommandRequest({ command_type: argv[0]!, args: argv.slice(1) }, context);
      } catch (err) {
        rejectionOf(err); // rethrows anything that is not a deliberate rejection
        return;
      }
      if (!evaluate(PRESETS.readOnly, command).allowed) return;
      accepted++;
      assertSafe(command);
    }),
    { numRuns: 5000 },
  );
  t.true(accepted > 100, `only ${accepted} accepted commands generated`);
});

test('property - parsing the normalized argv gives the same command back', (t) => {
  let parsed = 0;
  fc.assert(
    fc.property(argvArb, (argv) => {
      let command: Command;
      try {
        command = parseCommandRequest({ command_type: argv[0]!, args: argv.slice(1) }, context);
      } catch (err) {
        rejectionOf(err);
        return;
      }
      parsed++;
      t.deepEqual(parseArgv(command.argv, context), command);
      // What goes on the wire is a message the agent accepts, and its argv means the same command there.
      t.true(isCommandMessage(toCommandMessage(command, Date.now() + 1_000)), command.argv.join(' '));
      t.deepEqual(parseCommandRequest({ command: formatCommandLine(command.argv) }, context), command);
    }),
    { numRuns: 3000 },
  );
  t.true(parsed > 100, `only ${parsed} commands parsed`);
});

test('property - checkCommand never throws, whatever string it is given', (t) => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })),
      (command) => {
        const result = checkCommand(PRESETS.readOnly, { command }, context);
        if (!result.allowed && result.rule === '') throw new Error('denial without a rule');
      },
    ),
    { numRuns: 3000 },
  );
  t.pass();
});
