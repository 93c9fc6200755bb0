// Follow commands as the parser and the policy read them: which flags make a command follow, their normalized
// argv (what the agent parses again), and the stream caps of limits.stream with their narrowing.

import test from 'ava';
import { isFollowCommand } from '../common/command/follow.js';
import { parseArgv } from '../common/command/parse.js';
import { DEFAULT_STREAM_MAX_BYTES, DEFAULT_STREAM_MAX_MS, PRESETS } from '../common/policy/compile.js';
import { streamLimits } from '../common/policy/evaluate.js';
import { PolicyLoadError, parsePolicy } from '../common/policy/load.js';

const context = { id: 'c', clusterId: 'c1', identity: 'tester', sessionId: null, timeoutMs: 30_000 };
const parse = (line: string) => parseArgv(line.split(' '), context);

test('stream parse - logs -f, get -w and get --watch-only follow; their argv parses back the same', (t) => {
  for (const [line, argv] of [
    ['logs web-0 -f', 'logs web-0 --follow --namespace=default'],
    [
      'logs -f -l app=web --tail=5 --timestamps',
      'logs --follow --namespace=default --selector=app=web --tail=5 --timestamps',
    ],
    [
      'logs web-0 -c nginx --since=5m -f',
      'logs web-0 --container=nginx --follow --namespace=default --since=5m',
    ],
    ['get pods -w', 'get pods --namespace=default --watch'],
    ['get pod web-0 --watch-only -o wide', 'get pods web-0 --namespace=default --output=wide --watch-only'],
    ['events -w -A --types=warning', 'events --all-namespaces --types=Warning --watch'],
    ['rollout status deploy/web', 'rollout status deployments web --namespace=default'],
    ['rollout status deploy/web --watch', 'rollout status deployments web --namespace=default --watch'],
    ['rollout status sts/db --watch=true', 'rollout status statefulsets db --namespace=default --watch'],
  ] as const) {
    const command = parse(line);
    t.true(isFollowCommand(command), line);
    t.is(command.argv.join(' '), argv);
    t.deepEqual(parseArgv(command.argv, context), command, `${line} round-trips`);
  }
  for (const line of [
    'logs web-0',
    'get pods',
    'logs web-0 --follow=false',
    'get pods --watch=false',
    'rollout status deploy/web --watch=false',
    'rollout history deploy/web',
  ]) {
    t.false(isFollowCommand(parse(line)), line);
  }
});

test('stream parse - limits.stream: defaults 300 s and 10 MiB, a layer narrows, out-of-range values are load errors', (t) => {
  t.deepEqual(streamLimits(PRESETS.readOnly, 'c1'), {
    maxMs: DEFAULT_STREAM_MAX_MS,
    maxBytes: DEFAULT_STREAM_MAX_BYTES,
  });
  t.is(DEFAULT_STREAM_MAX_MS, 300_000);
  t.is(DEFAULT_STREAM_MAX_BYTES, 10 * 1024 * 1024);
  const policy = parsePolicy(
    'extends: readOnly\nlimits: { stream: { maxSeconds: 60 } }\nclusters:\n  prod: { limits: { stream: { maxBytes: 4096, maxSeconds: 600 } } }\n',
    'p.yaml',
  );
  t.deepEqual(streamLimits(policy, 'c1'), { maxMs: 60_000, maxBytes: DEFAULT_STREAM_MAX_BYTES });
  t.deepEqual(
    streamLimits(policy, 'prod'),
    { maxMs: 60_000, maxBytes: 4096 },
    'a cluster layer cannot widen',
  );
  for (const bad of ['maxSeconds: 0', 'maxBytes: 10', 'maxSeconds: 100000', 'other: 1']) {
    t.throws(() => parsePolicy(`extends: readOnly\nlimits: { stream: { ${bad} } }\n`, 'bad.yaml'), {
      instanceOf: PolicyLoadError,
    });
  }
});
