// Upstream Kubently's clients against this gateway, request by request as they send them (written from
// their source: upstream's Node CLI (kubently-cli/nodejs: its admin client, cluster and audit commands), the A2A agent's and the fleet's
// Python calls). Each test pins the route and the fields that client reads; Kubently's own fields stay too.

import test from 'ava';
import type { AuditAnswer } from '../common/api-audit.js';
import type {
  AdminAgents,
  AdminClusterStatus,
  CapabilitiesAnswer,
  ClusterDetail,
} from '../common/api-clusters.js';
import { eventually } from '../harness/eventually.js';
import { type GatewayStack, KEYS, startGatewayStack } from '../harness/gateway.js';
import { standInContext } from '../harness/stand-in-context.js';

// axios 1.x as upstream's CLI configures it: JSON content type on every request, bodies or not.
const CLI_HEADERS = {
  accept: 'application/json, text/plain, */*',
  'content-type': 'application/json',
  'user-agent': 'Kubently-CLI/2.0.0',
  'accept-encoding': 'gzip, compress, deflate, br',
};
// httpx as upstream's agent and fleet code call it.
const HTTPX_HEADERS = {
  accept: '*/*',
  'user-agent': 'python-httpx/0.27.0',
  'accept-encoding': 'gzip, deflate',
};

let shared: GatewayStack | undefined;
const hook = standInContext();
test.before(async () => {
  // c1 has an agent, c2 is configured but none has connected.
  shared = await startGatewayStack(hook.t, { audit: 'jetstream', redis: false, agents: { c1: 'answer' } });
});
test.after.always(() => hook.runTeardowns());
function stack(): GatewayStack {
  if (!shared) throw new Error('the gateway did not start');
  return shared;
}

async function cli(method: 'GET' | 'POST' | 'DELETE', url: string, key: string = KEYS.admin) {
  const res = await stack().app.inject({ method, url, headers: { ...CLI_HEADERS, 'x-api-key': key } });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
}

test('upstream cli - `cluster list`: GET /admin/agents answers clusters[].id/connected/lastSeen and count', async (t) => {
  const { status, body } = await cli('GET', '/admin/agents');
  t.is(status, 200);
  const answer = body as AdminAgents;
  t.is(answer.count, 2);
  t.deepEqual(
    answer.clusters.map((c) => [c.id, c.connected]),
    [
      ['c1', true],
      ['c2', false],
    ],
  );
  t.regex(answer.clusters[0]!.lastSeen!, /^\d{4}-\d{2}-\d{2}T/);
  t.is(answer.clusters[1]!.lastSeen, null);
  // Kubently's own fields are kept.
  t.like(answer.clusters[0], { cluster_id: 'c1', agents: 1 });
  t.is(answer.agents[0]!.agent_id, 'agent-c1-0');
});

test('upstream cli - `cluster status <cluster>`: keyed by cluster id, with mode and capabilities', async (t) => {
  const { status, body } = await cli('GET', '/admin/agents/c1/status');
  t.is(status, 200);
  const s = body as AdminClusterStatus;
  t.like(s, { id: 'c1', connected: true, status: 'connected', version: 'test', kubernetesVersion: null });
  t.is(s.mode, 'readOnly');
  t.like(s.capabilities, { cluster_id: 'c1', mode: 'readOnly', executor_pod: 'agent-c1-0' });
  t.true(s.capabilities!.allowed_verbs.includes('get'));
  t.false(s.capabilities!.allowed_verbs.includes('delete'));
  t.true(s.capabilities!.allowed_flags.includes('--namespace'));
  t.deepEqual(s.capabilities!.features, { exec: false, port_forward: false, proxy: false, cp: false });

  const quiet = (await cli('GET', '/admin/agents/c2/status')).body as AdminClusterStatus;
  t.like(quiet, { id: 'c2', connected: false, status: 'disconnected', capabilities: null, mode: null });
  t.is((await cli('GET', '/admin/agents/nowhere/status')).status, 404);
  // Still an admin view.
  t.is((await cli('GET', '/admin/agents/c1/status', KEYS.alice)).status, 403);
});

test('upstream cli - `audit` (table, --all -o json, -c/-s/--since/-n): entries with the flat fields, count, service_identity', async (t) => {
  const s = stack();
  const run = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: { ...s.as('admin'), 'content-type': 'application/json', 'x-correlation-id': 'trace-42' },
    payload: { cluster_id: 'c1', command: 'get pods -n kube-system' },
  });
  t.is(run.statusCode, 200);
  const denied = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: { ...s.as('admin'), 'content-type': 'application/json' },
    payload: { cluster_id: 'c1', command: 'get secrets' },
  });
  t.is(denied.statusCode, 403);

  // What `kubently audit` sends by default, asked until the executed command's record is in the stream.
  const answer = await eventually(
    t,
    async () => {
      const r = await cli('GET', '/audit?event_type=command_executed&limit=100', KEYS.admin);
      return r.status === 200 && (r.body as AuditAnswer).count > 0 ? (r.body as AuditAnswer) : undefined;
    },
    { message: "admin's command_executed record is in the audit stream" },
  );
  t.like(answer, { count: 1, service_identity: 'admin' });
  t.like(answer!.entries[0], {
    type: 'command_executed',
    service_identity: 'admin',
    cluster_id: 'c1',
    session_id: null,
    command: 'get pods --namespace=kube-system',
    outcome: 'success',
    error: null,
    correlation_id: 'trace-42',
    event_type: 'command_executed',
    identity: 'admin',
  });
  t.regex(answer!.entries[0]!.command_id!, /^[0-9a-f-]{36}$/);

  // --all -o json: no event_type; the refused attempt reads as denied with its reason.
  const all = (await cli('GET', '/audit?limit=100', KEYS.admin)).body as AuditAnswer;
  const refused = all.entries.find((e) => e.type === 'unauthorized_command_attempt');
  t.like(refused, { outcome: 'denied', command: 'get secrets --namespace=default', cluster_id: 'c1' });
  t.regex(refused!.error!, /secret/);

  // -c c1 -s <none of admin's> --since 2h -n 5: parseSince's ISO form with milliseconds.
  const since = new Date(Date.now() - 2 * 3_600_000).toISOString();
  const narrowed = await cli(
    'GET',
    `/audit?event_type=command_executed&cluster_id=c1&session_id=s-none&since=${encodeURIComponent(since)}&limit=5`,
    KEYS.admin,
  );
  t.is(narrowed.status, 200);
  t.like(narrowed.body, { count: 0, entries: [], service_identity: 'admin' });
  // Someone else's trail stays theirs (bob runs no command in this file).
  t.like((await cli('GET', '/audit?event_type=command_executed&limit=100', KEYS.bob)).body, {
    count: 0,
    service_identity: 'bob',
  });
});

test('upstream cli - `cluster add/remove`: the JSON header with no body is never a 400', async (t) => {
  // This stack holds no operator signing key, so the routes answer their own 503 (minting with a key is
  // test/gateway-credentials.test.ts); what matters here is that the body-less JSON request reaches them.
  for (const method of ['POST', 'DELETE'] as const) {
    const { status, body } = await cli(method, '/admin/agents/c1/token');
    t.not(status, 400, method);
    t.is(status, 503, `${method} answered ${status}`);
    t.regex(String((body as { message?: unknown }).message), /credential issuing is not configured/);
  }
});

test('upstream executor - POST /debug/execute with namespace null, X-Correlation-ID and X-Request-Timeout', async (t) => {
  const s = stack();
  const before = Date.now();
  const res = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: {
      ...HTTPX_HEADERS,
      'x-api-key': KEYS.alice,
      'content-type': 'application/json',
      'x-correlation-id': 'a2a-7f3c',
      'x-request-timeout': '20',
    },
    // json.dumps of upstream's payload: namespace None means "no -n".
    payload:
      '{"cluster_id": "c1", "command_type": "get", "args": ["pods"], "namespace": null, "timeout_seconds": 30}',
  });
  t.is(res.statusCode, 200, res.body);
  t.like(res.json(), { status: 'success', output: 'ok get pods --namespace=default' });
  const after = Date.now();
  // The relay sets deadline = its clock + the timeout: between before + 20 s and after + 20 s when the
  // header's 20 won (the body's 30 would land 10 s later).
  const { deadline } = s.agents.c1!.received.find((c) => c.id === res.json().command_id)!;
  t.true(deadline >= before + 20_000 && deadline <= after + 20_000, 'the header wins over timeout_seconds');
});

test('upstream clients - command_type defaults to get, and a bad X-Request-Timeout names its range', async (t) => {
  const s = stack();
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    s.app.inject({
      method: 'POST',
      url: '/debug/execute',
      headers: { ...s.as('alice'), 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(payload),
    });
  // upstream's adminClient.executeSingleCommand sends only cluster_id and args.
  const defaulted = await post({ cluster_id: 'c1', args: ['nodes'] });
  t.is(defaulted.statusCode, 200, defaulted.body);
  t.is(defaulted.json().output, 'ok get nodes');
  for (const bad of ['0', '61', '5s', '']) {
    const res = await post({ cluster_id: 'c1', args: ['pods'] }, { 'x-request-timeout': bad });
    t.is(res.statusCode, 400, bad);
    t.is(res.json().message, 'invalid headers: X-Request-Timeout must be whole seconds from 1 to 60');
  }
});

test('upstream clients - both or neither request form: the 400 names the fix', async (t) => {
  const s = stack();
  for (const payload of [
    { cluster_id: 'c1' },
    { cluster_id: 'c1', command: 'get pods', command_type: 'get', args: ['pods'] },
    { cluster_id: 'c1', command: 'get pods', args: ['pods'] },
  ]) {
    for (const url of ['/debug/execute', '/debug/validate']) {
      const res = await s.app.inject({
        method: 'POST',
        url,
        headers: { ...s.as('alice'), 'content-type': 'application/json' },
        payload,
      });
      t.is(res.statusCode, 400);
      t.is(
        res.json().message,
        'invalid body: use either `command` (one string) or `command_type` with `args`, not both',
        JSON.stringify(payload),
      );
    }
  }
});

test('upstream agent and fleet - GET /debug/clusters, /debug/clusters/{id}, /api/v1/clusters/{id}/capabilities', async (t) => {
  const s = stack();
  const get = async (url: string, key: string) => {
    const res = await s.app.inject({ method: 'GET', url, headers: { ...HTTPX_HEADERS, 'x-api-key': key } });
    return { status: res.statusCode, body: res.json() };
  };
  t.deepEqual((await get('/debug/clusters', KEYS.alice)).body, { clusters: ['c1', 'c2'], count: 2 });
  t.deepEqual((await get('/debug/clusters', KEYS.bob)).body, { clusters: ['c2'], count: 1 });

  const detail = (await get('/debug/clusters/c1', KEYS.alice)).body as ClusterDetail;
  t.like(detail, {
    clusterId: 'c1',
    status: { hasToken: true, hasActiveSession: false, executorReporting: true },
    ttlRemaining: null,
    connected: true,
  });
  t.is(detail.capabilities?.mode, 'readOnly');
  const session = await s.app.inject({
    method: 'POST',
    url: '/debug/session',
    headers: { ...s.as('alice'), 'content-type': 'application/json', 'x-correlation-id': 'sess-trace' },
    payload: { cluster_id: 'c1' },
  });
  t.is(session.json().correlation_id, 'sess-trace');
  t.true(((await get('/debug/clusters/c1', KEYS.alice)).body as ClusterDetail).status.hasActiveSession);

  const caps = (await get('/api/v1/clusters/c1/capabilities', KEYS.alice)).body as CapabilitiesAnswer;
  t.like(caps, { clusterId: 'c1', available: true });
  t.true(caps.capabilities!.allowed_verbs.includes('logs'));
  t.like((await get('/api/v1/clusters/c2/capabilities', KEYS.alice)).body, {
    clusterId: 'c2',
    available: false,
    capabilities: null,
  });
  // bob may not use c1: the same 404 as a cluster that does not exist.
  const hidden = await get('/debug/clusters/c1', KEYS.bob);
  const missing = await get('/debug/clusters/zz', KEYS.bob);
  t.is(hidden.status, 404);
  t.deepEqual(hidden.body, missing.body);
  t.is((await get('/api/v1/clusters/c1/capabilities', KEYS.bob)).status, 404);
});
