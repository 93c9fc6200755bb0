import { readFile } from 'node:fs/promises';
import test from 'ava';
import { PRESETS } from '../common/policy/compile.js';
import { loadPolicyFile, PolicyLoadError, parsePolicy } from '../common/policy/load.js';
import type { Policy } from '../common/policy/types.js';

/** A comparable view of a compiled policy (sets and regexes become sorted arrays and sources). */
function view(policy: Policy): unknown {
  const rule = (r: unknown) => (r === 'any' ? 'any' : [...(r as Set<string>)].sort());
  return {
    name: policy.name,
    verbs: [...policy.verbs].sort(),
    resources: Object.fromEntries([...policy.resources].map(([verb, r]) => [verb, rule(r)])),
    namespaceRules: policy.namespaceRules.map((n) => ({
      allow: [...n.allow.exact, n.allow.any],
      deny: [...n.deny.exact],
    })),
    limits: policy.limits,
  };
}

test('policy load - policies/strict.yaml and read-only.yaml are the built-in presets', async (t) => {
  t.deepEqual(view(await loadPolicyFile('policies/strict.yaml')), view(PRESETS.strict));
  t.deepEqual(view(await loadPolicyFile('policies/read-only.yaml')), view(PRESETS.readOnly));
});

test('policy load - presets match the preset table of docs/policy.md', (t) => {
  t.deepEqual([...PRESETS.strict.verbs].sort(), ['cluster-info', 'describe', 'explain', 'get', 'version']);
  t.deepEqual(view(PRESETS.strict), {
    ...(view(PRESETS.strict) as object),
    resources: {
      get: ['deployments', 'events', 'namespaces', 'nodes', 'pods', 'services'],
      describe: ['deployments', 'events', 'nodes', 'pods', 'services'],
    },
  });
  t.deepEqual([...PRESETS.readOnly.verbs].sort(), [
    'api-resources',
    'api-versions',
    'cluster-info',
    'describe',
    'events',
    'explain',
    'get',
    'logs',
    'version',
  ]);
  t.deepEqual([...(PRESETS.readOnly.resources.get('logs') as Set<string>)], ['pods/log']);
  t.is((PRESETS.readOnly.resources.get('get') as Set<string>).size, 14);
});

test('policy load - the example team policy loads and narrows readOnly', async (t) => {
  const policy = await loadPolicyFile('policies/example-team.yaml');
  t.is(policy.name, 'team-example');
  t.is(policy.preset, 'readOnly');
  t.false(policy.verbs.has('api-versions'));
  t.is(policy.limits.logTailMax, 2000);
  t.is(policy.limits.maxOutputBytes, PRESETS.readOnly.limits.maxOutputBytes);
});

const BAD: [title: string, yaml: string, line: number, column: number, message: RegExp][] = [
  ['an unknown field', 'extends: readOnly\nverbz: [get]\n', 2, 1, /verbz: unknown field/],
  [
    'an unknown nested field',
    'extends: readOnly\nlimits:\n  maxOutput: 5\n',
    3,
    3,
    /limits\.maxOutput: unknown field/,
  ],
  ['a verb outside the grammar', 'extends: readOnly\nverbs:\n  - get\n  - delete\n', 4, 5, /verbs\.1/],
  [
    'secrets under an alias',
    'extends: readOnly\nresources:\n  get: [pods, Secret]\n',
    3,
    15,
    /secrets can never be allowed/,
  ],
  [
    'an unknown resource',
    'extends: readOnly\nresources:\n  get:\n    - pods\n    - podz\n',
    5,
    7,
    /unknown resource type "podz"/,
  ],
  [
    'a resource the preset does not allow',
    'extends: readOnly\nresources:\n  get: [configmaps]\n',
    3,
    9,
    /can only narrow/,
  ],
  [
    'a verb the preset does not allow',
    'extends: strict\nverbs: [get, logs]\n',
    2,
    14,
    /logs is not allowed by strict/,
  ],
  [
    'a default above its max',
    'extends: readOnly\nlimits:\n  logTail: { default: 50, max: 10 }\n',
    3,
    23,
    /default is larger than max/,
  ],
  ['an unknown preset', 'extends: permissive\n', 1, 10, /extends/],
  ['broken YAML', 'extends: readOnly\nverbs: [get\n', 3, 1, /.+/],
  ['a duplicate key', 'extends: readOnly\nverbs: [get]\nverbs: [describe]\n', 3, 1, /.+/],
  ['a standalone policy without verbs', 'name: x\n', 1, 1, /must list its verbs/],
  ['a standalone get without resources', 'verbs: [get]\n', 1, 8, /must list resources\.get/],
  [
    'logs on pods instead of pods/log',
    'verbs: [logs]\nresources:\n  logs: [pods]\n',
    3,
    10,
    /pods\/log only/,
  ],
  [
    'a bad cluster override',
    'extends: readOnly\nclusters:\n  prod:\n    verbs: [get, exec]\n',
    4,
    18,
    /clusters\.prod\.verbs\.1/,
  ],
  ['a bad glob', "extends: readOnly\nnamespaces:\n  allow: ['app-$']\n", 3, 11, /namespaces\.allow\.0/],
  ['an empty document', '', 1, 1, /empty/],
];

for (const [title, yaml, line, column, message] of BAD) {
  test(`policy load - rejects ${title} at line ${line} column ${column}`, (t) => {
    const err = t.throws(() => parsePolicy(yaml, 'bad.yaml'), { instanceOf: PolicyLoadError });
    t.regex(err?.message ?? '', message);
    t.is(err?.line, line, err?.message);
    t.is(err?.column, column, err?.message);
    t.true(err?.message.startsWith(`bad.yaml:${line}:${column}: `));
  });
}

test('policy load - a standalone policy may allow types beyond readOnly but never secrets', (t) => {
  const policy = parsePolicy('verbs: [get]\nresources:\n  get: [cm, "*"]\n', 'own.yaml');
  t.is(policy.preset, null);
  t.is(policy.resources.get('get'), undefined, 'no list: any type except secrets');
  t.throws(() => parsePolicy('verbs: [get]\nresources:\n  get: [secrets.v1.]\n', 'own.yaml'), {
    message: /secrets/,
  });
});

test('policy load - loadPolicyFile reads a file from disk', async (t) => {
  const text = await readFile('policies/read-only.yaml', 'utf8');
  t.is(parsePolicy(text, 'x').name, 'readOnly');
  await t.throwsAsync(loadPolicyFile('policies/does-not-exist.yaml'), { code: 'ENOENT' });
});
