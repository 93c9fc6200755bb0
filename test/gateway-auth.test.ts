import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import test from 'ava';
import { createApiKeyStore, identityForBareKey, parseKeyEntry } from '../gateway/auth/api-keys.js';
import { type GatewayConfig, loadGatewayConfig, NO_RATE_LIMIT } from '../gateway/config.js';
import { eventually } from '../harness/eventually.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';
import { renderOverlay } from '../harness/k8s-render.js';
import { quietLog } from '../harness/log.js';

const FIVE_AUTH_FAILURES = { ...NO_RATE_LIMIT, authFailures: 5 };

test('api keys - service:key entries name the identity; bare keys get a stable derived identity', (t) => {
  t.deepEqual(parseKeyEntry('ci:abc:def'), { identity: 'ci', key: 'abc:def' });
  const bare = parseKeyEntry('0123456789abcdef0123456789abcdef');
  t.regex(bare.identity, /^key-[0-9a-f]{6}$/);
  t.is(bare.identity, identityForBareKey('0123456789abcdef0123456789abcdef'));
  t.is(parseKeyEntry(':leading-colon').identity, identityForBareKey(':leading-colon'));
});

test('api keys - authenticates by digest and refuses unknown keys', (t) => {
  const store = createApiKeyStore({
    inline: ['svc:secret-key-aaaaaaaaaaaaaaaaaaaaaaaa', 'bare-key-bbbbbbbbbbbbbbbbbbbbbbbbbb'],
    log: quietLog(),
  });
  t.teardown(() => store.close());
  t.is(store.authenticate('secret-key-aaaaaaaaaaaaaaaaaaaaaaaa'), 'svc');
  t.is(
    store.authenticate('bare-key-bbbbbbbbbbbbbbbbbbbbbbbbbb'),
    identityForBareKey('bare-key-bbbbbbbbbbbbbbbbbbbbbbbbbb'),
  );
  t.is(store.authenticate('secret-key-aaaaaaaaaaaaaaaaaaaaaaab'), null);
  t.is(store.authenticate(''), null);
});

test('auth - answers 401 with WWW-Authenticate and records why, without the key', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: {} });
  const cases = [
    { headers: {}, reason: 'missing_api_key' },
    { headers: { 'x-api-key': 'wrong-key-0123456789abcdef' }, reason: 'invalid_api_key' },
    { headers: { authorization: 'Bearer wrong-key-0123456789abcdef' }, reason: 'invalid_api_key' },
    { headers: { authorization: 'Basic Zm9vOmJhcg==' }, reason: 'invalid_api_key' },
    {
      headers: { 'x-api-key': KEYS.alice, authorization: `Bearer ${KEYS.bob}` },
      reason: 'conflicting_api_keys',
    },
  ];
  for (const c of cases) {
    const res = await s.app.inject({
      method: 'GET',
      url: '/debug/sessions',
      headers: { ...c.headers, 'user-agent': 'kubently-cli/1.0.0' },
    });
    t.is(res.statusCode, 401, c.reason);
    t.is(res.headers['www-authenticate'], 'ApiKey realm="kubently", Bearer realm="kubently"');
    t.is(res.json().error, 'unauthorized');
  }
  const failures = s.captured.of('authentication_failure');
  t.deepEqual(
    failures.map((e) => e.details?.reason),
    cases.map((c) => c.reason),
  );
  t.is(failures[1]!.details?.user_agent, 'kubently-cli/1.0.0');
  t.is(failures[1]!.source_ip, '127.0.0.1');
  t.is(failures[1]!.api_key_prefix, 'wrong-ke...');
  t.false(JSON.stringify(s.captured.events).includes('wrong-key-0123456789abcdef'));
  const metrics = await s.registry.metrics();
  t.regex(metrics, /kubently_gateway_auth_failures_total\{reason="invalid_api_key"\} 3/);
});

test('auth - accepts X-API-Key, Bearer, and both when they agree', async (t) => {
  const s = await startGatewayStack(t, { redis: false, agents: {} });
  for (const headers of [
    { 'x-api-key': KEYS.alice },
    { authorization: `Bearer ${KEYS.alice}` },
    { 'x-api-key': KEYS.alice, authorization: `Bearer ${KEYS.alice}` },
  ]) {
    const res = await s.app.inject({ method: 'GET', url: '/debug/sessions', headers });
    t.is(res.statusCode, 200);
  }
});

test('auth - a key added to or removed from API_KEYS_FILE works or stops working without a restart', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // The Kubernetes layout: keys -> ..data/keys, ..data -> a timestamped directory swapped atomically.
  const v1 = join(dir, '..2024_01_01');
  await mkdir(v1);
  await writeFile(join(v1, 'keys'), `alice:${KEYS.alice}\n`);
  await symlink('..2024_01_01', join(dir, '..data'));
  await symlink('..data/keys', join(dir, 'keys'));
  const apiKeys = createApiKeyStore({ inline: [], file: join(dir, 'keys'), log: quietLog(), pollMs: 200 });
  t.teardown(() => apiKeys.close());
  const s = await startGatewayStack(t, { redis: false, agents: {}, apiKeys });
  const status = async (key: string) =>
    (await s.app.inject({ method: 'GET', url: '/debug/sessions', headers: { 'x-api-key': key } })).statusCode;

  t.is(await status(KEYS.alice), 200);
  t.is(await status(KEYS.bob), 401);

  // Rotation step 1: add bob next to alice.
  const v2 = join(dir, '..2024_01_02');
  await mkdir(v2);
  await writeFile(join(v2, 'keys'), `alice:${KEYS.alice}, bob:${KEYS.bob}\n`);
  await symlink('..2024_01_02', join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  await eventually(t, () => apiKeys.authenticate(KEYS.bob) === 'bob', {
    message: 'the key store picked up bob from the rotated file',
  });
  t.is(await status(KEYS.bob), 200);
  t.is(await status(KEYS.alice), 200);

  // Step 2: remove alice.
  await writeFile(join(v2, 'keys'), `bob:${KEYS.bob}\n`);
  await eventually(t, () => apiKeys.authenticate(KEYS.alice) === null, {
    message: 'the key store dropped alice after the rewrite',
  });
  t.is(await status(KEYS.alice), 401);
  t.is(await status(KEYS.bob), 200);
});

test('auth - after too many failures from one address a wrong key gets 429 and no audit record of its own; valid keys still work', async (t) => {
  const s = await startGatewayStack(t, {
    redis: false,
    agents: {},
    config: {
      rateLimit: FIVE_AUTH_FAILURES,
    },
  });
  const wrong = () =>
    s.app.inject({ url: '/debug/sessions', headers: { 'x-api-key': 'wrong-wrong-wrong-wrong-wrong' } });
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await wrong()).statusCode);
  t.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
  const limited = await wrong();
  t.is(limited.json().error, 'rate_limited');
  t.true(Number(limited.headers['retry-after']) > 0);
  t.is((await s.app.inject({ url: '/debug/sessions', headers: s.as('alice') })).statusCode, 200);
  t.is(
    s.captured.of('authentication_failure').length,
    5,
    'only the failures under the limit are audited one by one',
  );
  const exceeded = s.captured.of('rate_limit_exceeded');
  t.is(exceeded.length, 1);
  t.is(exceeded[0]!.details?.limit, 'authentication_failures');
});

test('auth - under the shipped TRUST_PROXY, a rotating X-Forwarded-For neither dodges the failure limiter nor forges source_ip', async (t) => {
  const gateway = (await renderOverlay('control-plane')).find(
    (o) => o.kind === 'Deployment' && o.metadata.name === 'kubently-gateway',
  )!;
  const shipped = (
    gateway.spec as { template: { spec: { containers: V1Container[] } } }
  ).template.spec.containers[0]!.env!.find((e) => e.name === 'TRUST_PROXY')?.value;
  const attack = async (trustProxy: GatewayConfig['trustProxy']) => {
    const s = await startGatewayStack(t, {
      redis: false,
      agents: {},
      config: { rateLimit: FIVE_AUTH_FAILURES, trustProxy },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await s.app.inject({
        url: '/debug/sessions',
        // The ingress controller (the TCP peer) appends the address it saw to what the client sent.
        remoteAddress: '10.244.0.5',
        headers: {
          'x-api-key': 'wrong-wrong-wrong-wrong-wrong',
          'x-forwarded-for': `198.51.100.${i}, 203.0.113.7`,
        },
      });
      statuses.push(res.statusCode);
    }
    return { statuses, sources: new Set(s.captured.of('authentication_failure').map((e) => e.source_ip)) };
  };

  const config = loadGatewayConfig({ TRUST_PROXY: shipped });
  const shippedRun = await attack(config.trustProxy);
  t.deepEqual(shippedRun.statuses, [...Array(5).fill(401), ...Array(25).fill(429)]);
  t.deepEqual([...shippedRun.sources], ['203.0.113.7'], 'source_ip is the address the ingress saw');

  // Why the manifests never say `true`: every rotated value is believed.
  const trustAll = await attack(true);
  t.deepEqual(trustAll.statuses, Array(30).fill(401));
  t.is(trustAll.sources.size, 30);
});
