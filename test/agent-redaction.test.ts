// One redaction step before every printer: a pod carrying credentials in its annotations, literal env
// values and container arguments shows none of them through get -o yaml, get -o json or describe.

import test from 'ava';
import { REDACTED } from '../agent/redact.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { startSimWithExecutor } from '../harness/sim.js';
import { fixtureClock, pod, running } from '../sim/fixture-builders.js';
import { defaultFixtures } from '../sim/fixtures.js';

const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretsecret\n-----END RSA PRIVATE KEY-----';
const SECRETS = [
  'annotation-token-value',
  'literal-api-token',
  'literal-db-password',
  'literal-client-secret',
  'sk_live_literal',
  JWT,
  'MIIEowIBAAKCAQEAsecretsecret',
  'inline-flag-password',
];

test('redaction - credentials in annotations, env and args are redacted by get -o yaml, -o json and describe', async (t) => {
  const now = Date.now();
  const clock = fixtureClock(now);
  const fixtures = defaultFixtures(now);
  fixtures.objects.pods?.push(
    pod(
      {
        name: 'leaky',
        namespace: 'default',
        ageSeconds: 600,
        labels: { app: 'leaky' },
        nodeName: 'worker-1',
        phase: 'Running',
        annotations: { 'example.com/api-token': 'annotation-token-value', note: 'plain note' },
        containers: [
          {
            name: 'app',
            image: 'registry.example.com/leaky:1.0',
            env: [
              { name: 'API_TOKEN', value: 'literal-api-token' },
              { name: 'DB_PASSWORD', value: 'literal-db-password' },
              { name: 'CLIENT_SECRET', value: 'literal-client-secret' },
              { name: 'STRIPE_KEY', value: 'sk_live_literal' },
              { name: 'UPSTREAM_AUTH', value: `Bearer ${JWT}` },
              { name: 'LOG_LEVEL', value: 'debug' },
              { name: 'DB_PASSWORD_REF', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
            ],
            command: ['/app', '--db-password=inline-flag-password'],
            args: ['--tls-key', PEM, '--verbose'],
            state: running(clock, 500),
            ready: true,
          },
        ],
      },
      clock,
    ),
  );
  const { executor } = await startSimWithExecutor(t, { maxOutputBytes: 4 << 20 }, { fixtures });
  for (const line of [
    'get pod leaky -o yaml',
    'get pods -o json',
    'get pods -l app=leaky -o yaml',
    'describe pod leaky',
  ]) {
    const command = parseCommandRequest(
      { command: line },
      { id: 'r', clusterId: 'c', identity: 'i', sessionId: null, timeoutMs: 10_000 },
    );
    const result = await executor.execute(command, AbortSignal.timeout(10_000));
    t.is(result.status, 'success', `${line}: ${result.error}`);
    for (const secret of SECRETS)
      t.false(result.output.includes(secret), `${line} shows ${secret.slice(0, 20)}`);
    t.true(result.output.includes(REDACTED), line);
    // What is not a credential stays readable.
    for (const kept of ['plain note', 'debug', '--verbose', '--db-password='])
      t.true(result.output.includes(kept), `${line} keeps ${kept}`);
  }
});
