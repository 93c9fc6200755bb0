// What `npm run dev` hands each part: the user's settings plus only the stack's own wiring.

import test from 'ava';
import {
  agentEnv,
  agentKube,
  auditEnv,
  devClusters,
  gatewayEnv,
  passThrough,
} from '../scripts/lib/dev-env.js';

const wiring = { natsUrl: 'nats://127.0.0.1:4333', natsCreds: 'creds', signingKey: 'SOKEY' };

test('dev env - CLUSTERS picks the clusters (default local), and an invalid id is one clear error', (t) => {
  t.deepEqual(devClusters({}), ['local']);
  t.deepEqual(devClusters({ CLUSTERS: ' a, b ,a,c ' }), ['a', 'b', 'c']);
  t.throws(() => devClusters({ CLUSTERS: 'a,Prod,x.y' }), {
    message: `CLUSTERS: "Prod", "x.y" is not a valid cluster id (lowercase letters, digits, '-')`,
  });
});

test('dev env - the dev key and identity are added to API_KEYS and ADMIN_IDENTITIES, not put in their place', (t) => {
  const env = gatewayEnv(
    { API_KEYS: 'alice:k1,\nbob:k2', ADMIN_IDENTITIES: 'alice' },
    { ...wiring, apiKey: 'devkey', clusters: ['a', 'b'], port: 8123, metricsPort: 8124 },
  );
  t.like(env, {
    API_KEYS: 'dev:devkey,alice:k1,bob:k2',
    ADMIN_IDENTITIES: 'dev,alice',
    CLUSTERS: 'a,b',
    HOST: '127.0.0.1',
    PORT: '8123',
    NATS_CREDS: 'creds',
    NATS_OPERATOR_SIGNING_KEY: 'SOKEY',
  });
  t.like(gatewayEnv({}, { ...wiring, apiKey: 'devkey', clusters: ['local'], port: 1, metricsPort: 2 }), {
    API_KEYS: 'dev:devkey',
    ADMIN_IDENTITIES: 'dev',
  });
  t.is(
    gatewayEnv({ HOST: '0.0.0.0' }, { ...wiring, apiKey: 'k', clusters: ['a'], port: 1, metricsPort: 2 })
      .HOST,
    '0.0.0.0',
  );
});

test('dev env - every other variable passes through; what wires the stack does not leak between parts', (t) => {
  const settings = {
    POLICY_FILE: '/etc/p.yaml',
    API_KEYS_FILE: '/etc/keys',
    REDIS_URL: 'redis://r',
    RESULT_TTL_SECONDS: '60',
    MAX_IN_FLIGHT: '4',
    AUDIT_FSYNC: 'true',
  };
  const base = passThrough({
    ...settings,
    NATS_CREDS: 'theirs',
    NATS_OPERATOR_SIGNING_KEY: 'theirs',
    AGENT_TOKEN: 'theirs',
    CLUSTER_ID: 'theirs',
  });
  t.deepEqual(base, settings);
  t.like(agentEnv({ natsUrl: wiring.natsUrl, clusterId: 'b', agentToken: 'tok', kube: {} }), {
    CLUSTER_ID: 'b',
    AGENT_TOKEN: 'tok',
  });
});

test('dev env - audit sink settings are defaults the user can override', (t) => {
  const input = { ...wiring, logFile: '/dev-dir/audit.log', chainKeyFile: '/dev-dir/k', metricsPort: 9 };
  t.like(auditEnv({}, input), {
    AUDIT_LOG_FILE: '/dev-dir/audit.log',
    AUDIT_CHAIN_KEY_FILE: '/dev-dir/k',
    AUDIT_STDOUT: 'false',
    METRICS_PORT: '9',
  });
  t.like(
    auditEnv(
      { AUDIT_LOG_FILE: '/var/log/a.jsonl', AUDIT_STDOUT: 'true', AUDIT_CHAIN_KEY_FILE: '/etc/k' },
      input,
    ),
    { AUDIT_LOG_FILE: '/var/log/a.jsonl', AUDIT_CHAIN_KEY_FILE: '/etc/k', AUDIT_STDOUT: 'true' },
  );
});

test('dev env - an agent uses the context named like its cluster, else KUBE_CONTEXT or the current one, else the simulated cluster', (t) => {
  const kube = { context: 'kind-dev', contexts: ['kind-dev', 'staging'], path: '/home/u/.kube/config' };
  t.deepEqual(agentKube('staging', {}, kube)?.env, {
    KUBE_CONTEXT: 'staging',
    KUBECONFIG: '/home/u/.kube/config',
  });
  t.is(agentKube('prod', {}, kube)?.env.KUBE_CONTEXT, 'kind-dev');
  t.is(agentKube('prod', { KUBE_CONTEXT: 'staging' }, kube)?.env.KUBE_CONTEXT, 'staging');
  t.is(agentKube('prod', {}, undefined), undefined, 'no kubeconfig: the simulated cluster');
});
