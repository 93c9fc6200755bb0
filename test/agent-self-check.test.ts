// The agent's self-check, end to end: a real agent (agent/start.ts) reading the simulated cluster answers
// GET /clusters/:id/self-check with what SelfSubjectAccessReview and SelfSubjectRulesReview say of its
// ServiceAccount, and `kubently doctor` fails the cluster whose ServiceAccount can read Secrets or write.

import test, { type ExecutionContext } from 'ava';
import { credentialExpiry, ruleFindings, runSelfCheck } from '../agent/self-check.js';
import { transportRow } from '../cli/doctor/agent-self-check.js';
import { createOperatorSetup } from '../common/nats-auth/setup.js';
import { PRESETS } from '../common/policy/index.js';
import type { SelfCheckAnswer } from '../common/self-check.js';
import { doctorAgentRows } from '../harness/doctor.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';
import { connectAs, provision, startNats } from '../harness/nats-server.js';
import { makePki } from '../harness/pki.js';
import { startRealAgent } from '../harness/real-agent.js';
import { startSim, writeKubeconfig } from '../harness/sim.js';
import { DEFAULT_SIM_RBAC, parseRbacRules, type SimRbacRule } from '../sim/rbac.js';

const DAY_S = 86_400;

/** Gateway, a real agent of c1 on the sim (credential valid 30 days), the gateway listening. */
async function stack(t: ExecutionContext, rbac?: SimRbacRule[]) {
  const setup = await createOperatorSetup({
    clusters: ['c1'],
    agentExpiresAt: Math.floor(Date.now() / 1000) + 30 * DAY_S,
  });
  const server = await startNats(t, { setup });
  await provision(t, server, ['c1']);
  const s = await startGatewayStack(t, { nats: server, clusters: ['c1'], agents: {}, redis: false });
  const sim = await startSim(t);
  if (rbac) sim.fixtures.rbac = rbac;
  await startRealAgent(t, server, 'c1', await writeKubeconfig(t, sim.url));
  const url = await s.app.listen({ host: '127.0.0.1', port: 0 });
  const { eventually } = await import('../harness/eventually.js');
  await eventually(t, () => s.tracker.isConnected('c1'), { message: 'the real agent of c1 is connected' });
  return { s, sim, url };
}

async function selfCheck(url: string, key: string) {
  const res = await fetch(`${url}/clusters/c1/self-check`, { headers: { 'x-api-key': key } });
  return { status: res.status, body: (await res.json()) as SelfCheckAnswer };
}

test('self-check - the agent reports its RBAC as the reviews answer it, and doctor passes a read-only ServiceAccount', async (t) => {
  const { sim, url } = await stack(t);
  const { status, body } = await selfCheck(url, KEYS.admin);
  t.is(status, 200);
  t.is(body.status, 'success', body.error ?? '');
  const report = body.report!;
  t.is(report.agent_id, 'agent-c1-real');
  t.is(report.policy_preset, 'readOnly');
  const secrets = report.access.find((a) => a.verb === 'get' && a.resource === 'secrets');
  t.deepEqual(secrets, { verb: 'get', group: '', resource: 'secrets', expected: 'denied', allowed: false });
  t.true(
    report.access.some(
      (a) => a.resource === 'deployments' && a.group === 'apps' && a.expected === 'allowed' && a.allowed,
    ),
  );
  t.true(report.access.some((a) => a.resource === 'pods/log' && a.allowed));
  t.deepEqual(report.rules.findings, [], "system:basic-user's self-review rule is no finding");
  t.false(report.transport.nats_tls);
  t.regex(report.transport.nats_server, /^127\.0\.0\.1:\d+$/);
  t.true(Date.parse(report.transport.credential_expires_at ?? '') > Date.now() + 29 * DAY_S * 1000);
  // The reviews reached the apiserver as POSTs to the authorization group, nothing else was written.
  const posts = sim.log.filter((r) => r.method !== 'GET');
  t.true(posts.length > 10);
  t.true(
    posts.every(
      (r) =>
        /^\/apis\/authorization\.k8s\.io\/v1\/selfsubject(access|rules)reviews$/.test(r.path) &&
        r.status === 201,
    ),
  );

  const rows = await doctorAgentRows(url);
  t.deepEqual(
    rows.map((r) => [r.check, r.result]),
    [
      ['agent RBAC', 'pass'],
      ['transport: agent', 'pass'],
    ],
  );
  t.regex(rows[1]!.evidence, /NATS on loopback .*credential expires \d{4}-/);
});

test('self-check - a ServiceAccount that can read Secrets or patch Deployments fails agent RBAC, naming the grant', async (t) => {
  const { url } = await stack(t, [
    ...DEFAULT_SIM_RBAC,
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] },
    { apiGroups: ['apps'], resources: ['*'], verbs: ['*'] },
  ]);
  const rows = await doctorAgentRows(url);
  const rbac = rows.find((r) => r.check === 'agent RBAC')!;
  t.is(rbac.result, 'fail');
  t.is(rbac.cluster, 'c1');
  t.regex(rbac.evidence, /CAN get secrets/);
  t.regex(rbac.evidence, /CAN list secrets/);
  t.notRegex(rbac.evidence, /CAN watch secrets/);
  t.regex(rbac.evidence, /CAN patch deployments\.apps/);
  t.regex(rbac.evidence, /rule in namespace default reads secrets: get,list on secrets/);
  t.regex(rbac.action, /kubently cluster rotate/);
});

test('self-check - a ServiceAccount missing what its preset reads fails agent RBAC with what to grant', async (t) => {
  const { url } = await stack(
    t,
    DEFAULT_SIM_RBAC.filter((r) => !r.apiGroups.includes('apps')),
  );
  const rbac = (await doctorAgentRows(url)).find((r) => r.check === 'agent RBAC')!;
  t.is(rbac.result, 'fail');
  t.regex(rbac.evidence, /cannot list deployments\.apps \(preset readOnly reads it\)/);
  t.regex(rbac.action, /grant the agent's ClusterRole/);
});

test('self-check - admins only; an unknown cluster is 404; an agent answering out of shape gives no report', async (t) => {
  const s = await startGatewayStack(t, {
    redis: false,
    agents: {
      c1: (msg) =>
        msg.kind === 'self_check' ? { output: JSON.stringify({ agent_id: 'x', extra: true }) } : {},
      c2: () => ({ output: '{"agent_id":"forged"' }),
    },
  });
  const get = (id: string, who: keyof typeof KEYS) =>
    s.app.inject({ method: 'GET', url: `/clusters/${id}/self-check`, headers: s.as(who) });
  t.is((await get('c1', 'alice')).statusCode, 403);
  t.is((await get('nope', 'admin')).statusCode, 404);
  for (const id of ['c1', 'c2']) {
    const res = await get(id, 'admin');
    t.is(res.statusCode, 200);
    const body = res.json() as SelfCheckAnswer;
    t.is(body.status, 'failure');
    t.is(body.report, null);
    t.is(body.error, 'the agent answered with a malformed self-check report');
  }
  // The fake agents saw a self_check message with an empty argv: nothing for kubectl to run.
  t.like(s.agents.c1!.received.at(-1), { kind: 'self_check', argv: [] });
});

test('self-check - rule findings: secrets by name or wildcard, writes, never the self-review rule', (t) => {
  t.deepEqual(
    ruleFindings([
      {
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      },
      { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['list'], apiGroups: ['*'], resources: ['*'] },
      { verbs: ['delete'], apiGroups: [''], resources: ['pods'] },
      {
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'pods'],
      },
    ]),
    [
      'reads secrets: list on * (groups *)',
      'writes: delete on pods (groups "")',
      'writes: create on selfsubjectaccessreviews,pods (groups authorization.k8s.io)',
    ],
  );
});

test('self-check - credential expiry read from a creds file or a bare JWT; none, or garbage, is null', async (t) => {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const setup = await createOperatorSetup({ clusters: ['c9'], agentExpiresAt: exp });
  const creds = setup.agentCreds.c9!;
  t.is(credentialExpiry(creds), new Date(exp * 1000).toISOString());
  const jwt = /-----BEGIN NATS USER JWT-----\s*(\S+)/.exec(creds)![1]!;
  t.is(credentialExpiry(jwt), new Date(exp * 1000).toISOString());
  t.is(credentialExpiry((await createOperatorSetup({ clusters: ['c9'] })).agentCreds.c9), null);
  t.is(credentialExpiry('not a jwt'), null);
  t.is(credentialExpiry(undefined), null);
});

test('sim - self reviews: a body over 64 KiB is 413, text that is no JSON 400, a missing spec 400; other writes stay forbidden', async (t) => {
  const sim = await startSim(t);
  const post = (path: string, body: string) =>
    fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const ssar = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
  t.is((await post(ssar, 'x'.repeat(65 * 1024))).status, 413);
  t.is((await post(ssar, '{not json')).status, 400);
  t.is((await post(ssar, '{"spec":{}}')).status, 400);
  const ok = await post(
    ssar,
    JSON.stringify({ spec: { resourceAttributes: { verb: 'get', resource: 'pods', subresource: 'log' } } }),
  );
  t.is(ok.status, 201);
  t.true(((await ok.json()) as { status: { allowed: boolean } }).status.allowed);
  t.is((await post('/api/v1/namespaces/default/pods', '{}')).status, 403);
});

test('sim - --rbac rules: a JSON array of {verbs, apiGroups, resources} string arrays, anything else one clear error', (t) => {
  t.deepEqual(parseRbacRules('[{"verbs":["get"],"apiGroups":[""],"resources":["secrets"]}]', 'r.json'), [
    { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
  ]);
  for (const bad of [
    '{}',
    '[{"verbs":"get","apiGroups":[""],"resources":["x"]}]',
    '[null]',
    '[{"verbs":[1],"apiGroups":[],"resources":[]}]',
  ])
    t.throws(() => parseRbacRules(bad, 'r.json'), { message: /^r\.json: expected a JSON array/ });
});

test('self-check - an agent connected over TLS reports nats_tls; over plain TCP it does not', async (t) => {
  const pki = await makePki(t);
  const server = await startNats(t, {
    clusters: ['c1'],
    tls: { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caFile },
  });
  const overTls = await connectAs(t, server, { agent: 'c1' }, { tls: { caFile: pki.caFile } });
  const plain = await connectAs(t, await startNats(t, { clusters: ['c1'] }), { agent: 'c1' });
  const report = (nc: typeof plain) =>
    runSelfCheck({
      review: async () => ({ status: { allowed: false, resourceRules: [] } }),
      nc,
      policy: () => PRESETS.readOnly,
      clusterId: 'c1',
      agentId: 'a',
      credentials: () => undefined,
    });
  t.true((await report(overTls)).transport.nats_tls);
  t.false((await report(plain)).transport.nats_tls);
  t.regex((await report(overTls)).transport.nats_server, /^127\.0\.0\.1:\d+$/);
});

test('doctor - agent transport: plain TCP to a remote NATS or an expired credential fails; no expiry or one within a week warns', (t) => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const result = (nats_tls: boolean, nats_server: string, credential_expires_at: string | null) => {
    const r = transportRow(
      'c1',
      {
        agent_id: 'a',
        policy_preset: 'readOnly',
        access: [],
        rules: { namespace: 'default', incomplete: false, findings: [] },
        transport: { nats_tls, nats_server, credential_expires_at },
      },
      now,
    );
    return `${r.result}: ${r.evidence}`;
  };
  t.regex(
    result(false, 'nats.example.com:4222', '2027-01-01T00:00:00Z'),
    /^fail: NATS connection to nats\.example\.com:4222 is not TLS/,
  );
  t.regex(result(true, 'nats.example.com:4222', '2026-11-29T00:00:00Z'), /^fail: its credential expired/);
  t.regex(result(true, 'nats.example.com:4222', null), /^warn: .*never expires/);
  t.regex(result(true, 'nats.example.com:4222', '2026-12-02T12:00:00Z'), /^warn: .*expires in 48 h/);
  t.regex(result(true, 'nats.example.com:4222', '2027-01-01T00:00:00Z'), /^pass: NATS over TLS/);
  t.regex(result(false, 'localhost:4222', '2027-01-01T00:00:00Z'), /^pass: NATS on loopback/);
});
