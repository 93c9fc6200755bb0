// POST /mcp through the official SDK's client over Streamable HTTP, against a listening gateway, real NATS and
// a real agent reading the simulated cluster: tools listed with the caller's boundary, kubectl's exact text,
// denials as tool errors, the same audit records as REST marked `via: "mcp"`, and the HTTP boundary attacked.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import test, { type ExecutionContext } from 'ava';
import type { AuditEventInput } from '../common/audit/events.js';
import { PRESETS, parsePolicy } from '../common/policy/index.js';
import { type GatewayConfig, loadGatewayConfig, NO_RATE_LIMIT } from '../gateway/config.js';
import { originAllowed } from '../gateway/mcp/origin.js';
import { eventually } from '../harness/eventually.js';
import { type GatewayStack, KEYS, startGatewayStack } from '../harness/gateway.js';
import { type Kubectl, kubectlFor, normalizeAges } from '../harness/kubectl.js';
import { startOidcGateway } from '../harness/oidc-gateway.js';
import { startSimAgent } from '../harness/sim-agent.js';

const WEB = 'web-7c5ddbdf54-2xkqp';
const ACCEPT = 'application/json, text/event-stream';

interface McpStack {
  s: GatewayStack;
  url: string;
  kubectl: Kubectl;
}

/** Gateway (c1 with a real agent on the simulated cluster, c2 without an agent), listening on loopback. */
async function mcpStack(t: ExecutionContext, config: Partial<GatewayConfig> = {}): Promise<McpStack> {
  const s = await startGatewayStack(t, { agents: {}, redis: false, config });
  const agent = await startSimAgent(t, s.server, 'c1');
  await eventually(t, () => s.tracker.isConnected('c1'), { message: 'the real agent of c1 is connected' });
  const address = await s.app.listen({ host: '127.0.0.1', port: 0 });
  return { s, url: `${address}/mcp`, kubectl: await kubectlFor(t, agent.kubeconfig) };
}

/** An SDK client connected to the gateway with `key` (initialize done). */
async function connect(
  t: ExecutionContext,
  url: string,
  key: string,
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name: 'mcp-test', version: '1.2.3' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { 'x-api-key': key, 'user-agent': 'mcp-test-host/1.2.3', ...headers } },
  });
  await client.connect(transport);
  t.teardown(() => client.close());
  return client;
}

const textOf = (r: CallToolResult) =>
  r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n--\n');

/** The first captured audit record of `type` that `match` accepts. */
function recordOf(
  t: ExecutionContext,
  m: Pick<McpStack, 's'>,
  type: AuditEventInput['event_type'],
  match: (e: AuditEventInput) => boolean = () => true,
): Promise<AuditEventInput> {
  return eventually(t, () => m.s.captured.of(type).find(match), { message: `a ${type} record` });
}

async function kubectlTool(client: Client, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name: 'kubectl', arguments: args })) as CallToolResult;
}

/**
 * The tool's first text against real kubectl's stdout for the same command; ages follow the clock, so when a
 * second boundary falls between the two, ask again (then compare with ages blanked).
 */
async function sameAsKubectl(
  t: ExecutionContext,
  m: McpStack,
  client: Client,
  args: { cluster_id: string; command: string; grep?: string[] },
  expected: (stdout: string) => string = (x) => x,
): Promise<CallToolResult> {
  let result: CallToolResult | undefined;
  let want = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const [r, k] = await Promise.all([kubectlTool(client, args), m.kubectl(args.command.split(' '))]);
    result = r;
    want = expected(k.stdout);
    if (r.content[0]?.type === 'text' && r.content[0].text === want) break;
  }
  const got = result?.content[0]?.type === 'text' ? result.content[0].text : '';
  if (got === want) t.is(got, want);
  else t.is(normalizeAges(got), normalizeAges(want), 'equal with ages blanked');
  return result as CallToolResult;
}

test('mcp - tools are listed read-only, with schemas and the caller’s own clusters and verbs', async (t) => {
  const m = await mcpStack(t);
  const client = await connect(t, m.url, KEYS.bob);
  const { tools } = await client.listTools();
  t.deepEqual(tools.map((x) => x.name).sort(), [
    'kubectl',
    'kubectl_fleet',
    'list_clusters',
    'validate_command',
  ]);
  for (const tool of tools) {
    t.true(tool.annotations?.readOnlyHint, `${tool.name} is read-only`);
    t.is(tool.inputSchema.type, 'object');
    t.truthy(tool.outputSchema, `${tool.name} declares its structured result`);
  }
  const kubectl = tools.find((x) => x.name === 'kubectl')!;
  t.deepEqual(kubectl.inputSchema.required, ['cluster_id', 'command']);
  t.deepEqual(Object.keys(kubectl.inputSchema.properties ?? {}).sort(), [
    'cluster_id',
    'command',
    'grep',
    'max_output_bytes',
    'timeout_seconds',
  ]);
  // bob may use c2 only: the description names it and not c1.
  t.regex(kubectl.description ?? '', /On c2 you may run:/);
  t.notRegex(kubectl.description ?? '', /\bc1\b/);
  t.regex(kubectl.description ?? '', /- get: .*pods/);
  t.regex(kubectl.description ?? '', /- logs: /);
  t.regex(kubectl.description ?? '', /Secrets are never readable/);
});

test('mcp - kubectl answers get pods with real kubectl’s exact text and the result’s bookkeeping', async (t) => {
  const m = await mcpStack(t);
  const client = await connect(t, m.url, KEYS.alice);
  const r = await sameAsKubectl(t, m, client, { cluster_id: 'c1', command: 'get pods' });
  t.falsy(r.isError);
  const sc = r.structuredContent as Record<string, unknown>;
  t.is(sc.status, 'success');
  t.is(sc.truncated, false);
  t.is(typeof sc.command_id, 'string');
  t.is(typeof sc.execution_time_ms, 'number');
  const executed = await recordOf(t, m, 'command_executed', (e) => e.command_id === sc.command_id);
  t.is(executed.identity, 'alice');
  t.like(executed.details, { via: 'mcp', client: 'mcp-test-host/1.2.3', status: 'success', verb: 'get' });
  t.deepEqual(executed.details?.argv, ['get', 'pods', '--namespace=default']);
});

test('mcp - a denied get secrets is a tool error with the reason and the rule, audited via mcp', async (t) => {
  const m = await mcpStack(t);
  const client = await connect(t, m.url, KEYS.alice);
  const r = await kubectlTool(client, { cluster_id: 'c1', command: 'get secrets' });
  t.true(r.isError);
  t.regex(textOf(r), /^denied by policy: .*secret.*\(rule: [a-z_]+\)/);
  t.regex(textOf(r), /validate_command/);
  const sc = r.structuredContent as Record<string, unknown>;
  t.is(sc.status, 'denied');
  const denied = await recordOf(t, m, 'unauthorized_command_attempt', (e) => e.command_id === sc.command_id);
  t.is(denied.identity, 'alice');
  t.like(denied.details, { via: 'mcp', client: 'mcp-test-host/1.2.3' });
  t.is(m.s.captured.of('command_attempt').length, 0, 'nothing was sent to the cluster');
});

test('mcp - grep keeps the header and the matching rows as `kubectl … | grep -iF` would, and the audit names it', async (t) => {
  const m = await mcpStack(t);
  const client = await connect(t, m.url, KEYS.alice);
  const keep = (stdout: string) => {
    const [header, ...rows] = stdout.split('\n');
    return `${[header, ...rows.filter((l) => l.toLowerCase().includes('web'))].join('\n')}\n`;
  };
  const r = await sameAsKubectl(t, m, client, { cluster_id: 'c1', command: 'get pods', grep: ['WEB'] }, keep);
  t.regex(textOf(r), new RegExp(WEB));
  t.notRegex(textOf(r), /api-6b8f9d5c7/);
  const sc = r.structuredContent as Record<string, unknown>;
  const executed = await recordOf(t, m, 'command_executed', (e) => e.command_id === sc.command_id);
  t.deepEqual(executed.details?.grep, ['WEB']);

  const json = await kubectlTool(client, { cluster_id: 'c1', command: 'get pods -o json', grep: ['web'] });
  t.true(json.isError);
  t.regex(textOf(json), /grep applies to table rows.*\(rule: grep_not_applicable\)/);
});

test('mcp - max_output_bytes cuts the output, says so, and tells how to narrow the command', async (t) => {
  const m = await mcpStack(t);
  const client = await connect(t, m.url, KEYS.alice);
  const r = await kubectlTool(client, { cluster_id: 'c1', command: 'get pods -A', max_output_bytes: 300 });
  t.falsy(r.isError);
  const [output, hint] = r.content.map((c) => (c.type === 'text' ? c.text : ''));
  t.true(Buffer.byteLength(output ?? '') <= 300);
  t.regex(output ?? '', /output truncated at 300 bytes/);
  t.regex(hint ?? '', /Narrow the command: .*-l.*grep/);
  t.like(r.structuredContent, { status: 'success', truncated: true });
  const executed = await recordOf(t, m, 'command_executed', (e) => e.details?.max_output_bytes === 300);
  t.like(executed.details, { truncated: true, via: 'mcp' });
});

test('mcp - another tenant’s cluster answers exactly like one that does not exist, and the probe is recorded', async (t) => {
  const m = await mcpStack(t);
  const bob = await connect(t, m.url, KEYS.bob);
  const theirs = await kubectlTool(bob, { cluster_id: 'c1', command: 'get pods' });
  const none = await kubectlTool(bob, { cluster_id: 'nowhere', command: 'get pods' });
  t.true(theirs.isError);
  t.is(textOf(theirs).replace('c1', 'X'), textOf(none).replace('nowhere', 'X'));
  t.regex(textOf(theirs), /cluster not found: c1 \(rule: cluster_not_found\)\nlist_clusters/);
  const probe = await recordOf(t, m, 'access_denied', (e) => e.cluster_id === 'c1');
  t.is(probe.identity, 'bob');
  t.like(probe.details, { reason: 'cluster_not_found', route: '/mcp' });
  const validated = (await bob.callTool({
    name: 'validate_command',
    arguments: { cluster_id: 'c1', command: 'get pods' },
  })) as CallToolResult;
  t.true(validated.isError);
  t.regex(textOf(validated), /cluster not found/);
  const listed = (await bob.callTool({ name: 'list_clusters', arguments: {} })) as CallToolResult;
  t.deepEqual(
    (listed.structuredContent as { clusters: Array<{ cluster_id: string }> }).clusters.map(
      (c) => c.cluster_id,
    ),
    ['c2'],
  );
});

test('mcp - list_clusters, validate_command and a cluster without an agent', async (t) => {
  const m = await mcpStack(t);
  const client = await connect(t, m.url, KEYS.alice);
  const listed = (await client.callTool({ name: 'list_clusters', arguments: {} })) as CallToolResult;
  const clusters = (listed.structuredContent as { clusters: Array<Record<string, unknown>> }).clusters;
  t.deepEqual(
    clusters.map((c) => [c.cluster_id, c.connected]),
    [
      ['c1', true],
      ['c2', false],
    ],
  );
  t.regex(String(clusters[0]?.last_seen), /^\d{4}-\d{2}-\d{2}T/);
  t.is(clusters[1]?.last_seen, null);

  const ok = (await client.callTool({
    name: 'validate_command',
    arguments: { cluster_id: 'c1', command: 'get po -A' },
  })) as CallToolResult;
  t.like(ok.structuredContent, { allowed: true, normalized_argv: ['get', 'pods', '--all-namespaces'] });
  const no = (await client.callTool({
    name: 'validate_command',
    arguments: { cluster_id: 'c1', command: 'delete pod x' },
  })) as CallToolResult;
  t.falsy(no.isError, 'a refusal is an answer, not an error');
  t.like(no.structuredContent, { allowed: false });
  t.regex(textOf(no), /^refused by rule [a-z_]+: /);
  const dry = await recordOf(t, m, 'unauthorized_command_attempt', (e) => e.details?.dry_run === true);
  t.like(dry.details, { via: 'mcp' });

  const down = await kubectlTool(client, { cluster_id: 'c2', command: 'get pods' });
  t.true(down.isError);
  t.regex(textOf(down), /no agent of cluster c2 is connected \(rule: agent_unavailable\)/);
});

test('mcp - hostile arguments are tool errors that name the rule; nothing reaches the cluster', async (t) => {
  const m = await mcpStack(t);
  const client = await connect(t, m.url, KEYS.alice);
  const control = await kubectlTool(client, { cluster_id: 'c1', command: 'get pods\u001b[2J -n default' });
  t.true(control.isError);
  t.regex(textOf(control), /control character U\+001B.*\(rule: control_character\)/);
  const cr = await kubectlTool(client, { cluster_id: 'c1', command: 'get pods\r\nlogs x' });
  t.true(cr.isError);
  const huge = await kubectlTool(client, { cluster_id: 'c1', command: `get pods ${'x'.repeat(5000)}` });
  t.true(huge.isError);
  t.regex(textOf(huge), /Input validation error|longer than/);
  const manyGreps = await kubectlTool(client, {
    cluster_id: 'c1',
    command: 'get pods',
    grep: Array.from({ length: 50 }, (_, i) => `s${i}`),
  });
  t.true(manyGreps.isError);
  const grepControl = await kubectlTool(client, {
    cluster_id: 'c1',
    command: 'get pods',
    grep: ['\u001b]52;'],
  });
  t.true(grepControl.isError);
  const follow = await kubectlTool(client, { cluster_id: 'c1', command: `logs ${WEB} -f` });
  t.true(follow.isError);
  t.regex(textOf(follow), /\(rule: follow_needs_event_stream\)\nMCP tools answer once/);
  const deep = await kubectlTool(client, {
    cluster_id: 'c1',
    command: 'get pods',
    grep: ['x'],
    extra: { nested: Array.from({ length: 2_000 }, (_, i) => ({ i })) },
  });
  t.true(deep.isError);
  t.regex(textOf(deep), /more than the maximum of 64 elements/, 'counted before any schema walks it');
  const unknownTool = (await client.callTool({ name: 'kubectl_exec', arguments: {} })) as CallToolResult;
  t.true(unknownTool.isError);
  const extra = await kubectlTool(client, { cluster_id: 'c1', command: 'get pods', kubeconfig: '/etc/x' });
  t.true(extra.isError, 'unknown arguments are refused');
  const forbidden = await kubectlTool(client, { cluster_id: 'c1', command: 'get pods --token=s3cret' });
  t.true(forbidden.isError);
  t.regex(textOf(forbidden), /rule: forbidden_flag/);
  const attempt = await recordOf(
    t,
    m,
    'unauthorized_command_attempt',
    (e) => e.details?.rule === 'forbidden_flag',
  );
  t.false(JSON.stringify(attempt).includes('s3cret'), 'the flag value never reaches the audit trail');
  t.is(m.s.captured.of('command_attempt').length, 0, 'nothing was sent to the cluster');
});

/** A raw POST /mcp: what a client that is not the SDK may send. */
function post(url: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
    body,
  });
}

const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

test('mcp - the HTTP boundary: key, origin, batches, protocol version, body, GET and DELETE', async (t) => {
  const m = await mcpStack(t, { mcpAllowedOrigins: ['https://ops.example.com'] });
  const key = { 'x-api-key': KEYS.alice };

  const noKey = await post(m.url, LIST);
  t.is(noKey.status, 401);
  t.regex(noKey.headers.get('www-authenticate') ?? '', /ApiKey realm="kubently", Bearer realm="kubently"/);
  t.like(await recordOf(t, m, 'authentication_failure'), {
    details: { reason: 'missing_api_key', route: '/mcp' },
  });
  t.is((await post(m.url, LIST, { authorization: `Bearer ${KEYS.alice}` })).status, 200, 'Bearer works too');

  const foreign = await post(m.url, LIST, { ...key, origin: 'https://evil.example' });
  t.is(foreign.status, 403);
  t.like(await foreign.json(), { error: 'forbidden', details: { reason: 'foreign_origin' } });
  t.like(await recordOf(t, m, 'access_denied', (e) => e.details?.reason === 'foreign_origin'), {
    identity: 'alice',
    details: { origin: 'https://evil.example' },
  });
  for (const origin of [
    'null',
    'https://ops.example.com.evil.example',
    'http://ops.example.com',
    'file://',
  ]) {
    t.is((await post(m.url, LIST, { ...key, origin })).status, 403, `${origin} is refused`);
  }
  for (const origin of [
    'http://localhost:6274',
    'http://127.0.0.1',
    'https://[::1]:8443',
    'https://ops.example.com',
  ]) {
    t.is((await post(m.url, LIST, { ...key, origin })).status, 200, `${origin} passes`);
  }

  const batch = await post(m.url, `[${LIST},${LIST}]`, key);
  t.is(batch.status, 400);
  t.like(await batch.json(), { jsonrpc: '2.0', error: { code: -32600 } });
  const calls = Array.from({ length: 200 }, (_, i) => ({
    jsonrpc: '2.0',
    id: i,
    method: 'tools/call',
    params: { name: 'kubectl', arguments: { cluster_id: 'c1', command: 'get pods' } },
  }));
  t.is((await post(m.url, JSON.stringify(calls), key)).status, 400, 'a batch of commands runs none');
  t.is(m.s.captured.of('command_attempt').length, 0);

  const old = await post(m.url, LIST, { ...key, 'mcp-protocol-version': '2024-11-05' });
  t.is(old.status, 400);
  t.regex(JSON.stringify(await old.json()), /supported: 2025-11-25, 2025-06-18/);
  t.is((await post(m.url, LIST, { ...key, 'mcp-protocol-version': '2025-06-18' })).status, 200);
  const init = await post(
    m.url,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'old', version: '0' } },
    }),
    key,
  );
  t.like(await init.json(), { result: { protocolVersion: '2025-11-25', serverInfo: { name: 'kubently' } } });

  t.is((await post(m.url, '{"jsonrpc": "2.0", "id": 1, "method":', key)).status, 400, 'not JSON');
  t.is((await post(m.url, LIST, { ...key, 'content-type': 'application/xml' })).status, 415);
  t.is(
    (await post(m.url, LIST, { ...key, 'content-type': 'text/plain' })).status,
    400,
    'text is not a message',
  );
  t.is((await post(m.url, '"tools/list"', key)).status, 400, 'not a JSON-RPC message');
  const big = await post(
    m.url,
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: { p: 'x'.repeat(2 << 20) } }),
    key,
  );
  t.is(big.status, 413);
  const notAccepting = await post(m.url, LIST, { ...key, accept: 'application/json' });
  t.is(notAccepting.status, 406);

  for (const method of ['GET', 'DELETE']) {
    const res = await fetch(m.url, { method, headers: { ...key, accept: 'text/event-stream' } });
    t.is(res.status, 405, `${method} /mcp`);
    t.is(res.headers.get('allow'), 'POST');
    t.like(await res.json(), { error: 'method_not_allowed' });
  }
});

test('mcp - kubectl calls spend the execute rate limit; the one over it is a tool error and a record', async (t) => {
  const m = await mcpStack(t, {
    rateLimit: { ...NO_RATE_LIMIT, execute: 2 },
  });
  const client = await connect(t, m.url, KEYS.alice);
  const args = { cluster_id: 'c1', command: 'get ns' };
  t.falsy((await kubectlTool(client, args)).isError);
  t.falsy((await kubectlTool(client, args)).isError);
  const third = await kubectlTool(client, args);
  t.true(third.isError);
  t.regex(textOf(third), /rate limit exceeded, retry in \d+ s \(rule: rate_limited\)/);
  t.like(await recordOf(t, m, 'rate_limit_exceeded'), {
    identity: 'alice',
    details: { route: '/mcp', via: 'mcp' },
  });
  t.is(m.s.captured.of('command_attempt').length, 2, 'the third never left the gateway');
  const listed = (await client.callTool({ name: 'list_clusters', arguments: {} })) as CallToolResult;
  t.falsy(listed.isError, 'listing clusters is not a command');
});

test('mcp - kubectl calls and POST /debug/execute spend one budget: neither route doubles the limit', async (t) => {
  const m = await mcpStack(t, { rateLimit: { ...NO_RATE_LIMIT, execute: 3 } });
  const client = await connect(t, m.url, KEYS.alice);
  const rest = () =>
    fetch(m.url.replace(/\/mcp$/, '/debug/execute'), {
      method: 'POST',
      headers: { 'x-api-key': KEYS.alice, 'content-type': 'application/json' },
      body: JSON.stringify({ cluster_id: 'c1', command: 'get ns' }),
    });
  const first = await rest();
  t.is(first.status, 200);
  t.is(first.headers.get('x-ratelimit-limit'), '3');
  t.is(first.headers.get('x-ratelimit-remaining'), '2');
  t.falsy(
    (await kubectlTool(client, { cluster_id: 'c1', command: 'get ns' })).isError,
    'MCP spends the second',
  );
  t.is((await rest()).status, 200, 'REST spends the third');
  const overMcp = await kubectlTool(client, { cluster_id: 'c1', command: 'get ns' });
  t.true(overMcp.isError, 'the fourth through MCP is over the shared budget');
  t.regex(textOf(overMcp), /rule: rate_limited/);
  const overRest = await rest();
  t.is(overRest.status, 429, 'and so is a fifth through REST');
  t.truthy(overRest.headers.get('retry-after'));
  t.is(overRest.headers.get('x-ratelimit-remaining'), '0');
  t.like(await overRest.json(), { error: 'rate_limited', details: { limit: 3 } });
  t.is(m.s.captured.of('command_attempt').length, 3, 'three commands left the gateway, no more');
});

test('mcp - kubectl_fleet runs one command on the clusters a glob picks, a section each, audited via mcp', async (t) => {
  const m = await mcpStack(t);
  const client = await connect(t, m.url, KEYS.alice);
  const call = (args: Record<string, unknown>) =>
    client.callTool({ name: 'kubectl_fleet', arguments: args }) as Promise<CallToolResult>;
  let r: CallToolResult | undefined;
  let want = '';
  for (let attempt = 0; attempt < 3 && (attempt === 0 || !textOf(r!).includes(want)); attempt++) {
    const [answer, k] = await Promise.all([
      call({ clusters: ['c*'], command: 'get ns' }),
      m.kubectl(['get', 'ns']),
    ]);
    r = answer;
    want = `==> c1 (success) <==\n${k.stdout}`;
  }
  const text = r?.content[0]?.type === 'text' ? r.content[0].text : '';
  if (text.startsWith(want)) t.true(text.startsWith(want));
  else t.is(normalizeAges(text.slice(0, want.length)), normalizeAges(want));
  t.regex(text, /==> c2 \(unavailable\) <==\nno agent of this cluster is connected\n/);
  t.regex(text, /2 clusters: 1 success, 1 unavailable$/);
  t.falsy(r?.isError);
  const sc = r?.structuredContent as {
    fleet_id: string;
    results: Array<{ cluster_id: string; status: string }>;
  };
  t.deepEqual(
    sc.results.map((x) => [x.cluster_id, x.status]),
    [
      ['c1', 'success'],
      ['c2', 'unavailable'],
    ],
  );
  const fleet = await recordOf(t, m, 'fleet_execution', (e) => e.details?.fleet_id === sc.fleet_id);
  t.like(fleet.details, { via: 'mcp', client: 'mcp-test-host/1.2.3', selectors: ['c*'] });
  const executed = await recordOf(t, m, 'command_executed', (e) => e.details?.fleet_id === sc.fleet_id);
  t.like(executed.details, { via: 'mcp', cluster_id: undefined });
  t.is(executed.cluster_id, 'c1');

  const denied = await call({ clusters: ['c1'], command: 'get secrets' });
  t.true(denied.isError);
  t.regex(textOf(denied), /^==> c1 \(denied\) <==\n.*secret.*\n\n1 clusters: 1 denied\n--\nvalidate_command/);
  const bob = await connect(t, m.url, KEYS.bob);
  const theirs = (await bob.callTool({
    name: 'kubectl_fleet',
    arguments: { clusters: ['c1'], command: 'get ns' },
  })) as CallToolResult;
  t.true(theirs.isError);
  t.regex(textOf(theirs), /cluster not found/);
  const none = (await bob.callTool({
    name: 'kubectl_fleet',
    arguments: { clusters: ['c1*'], command: 'get ns' },
  })) as CallToolResult;
  t.true(none.isError, 'a glob matching none of your clusters runs nothing');
  t.regex(textOf(none), /0 clusters: none matched/);
});

test('mcp - an OIDC token works like a key: the person’s groups pick the clusters; a bad token is 401 naming the metadata', async (t) => {
  const policy = parsePolicy(
    "name: mcp-oidc\nextends: readOnly\nidentities:\n  'group:sre': { clusters: [c1] }\n",
    'mcp-oidc',
  );
  const { s, issuer } = await startOidcGateway(t, { policy });
  const url = `${await s.app.listen({ host: '127.0.0.1', port: 0 })}/mcp`;
  const token = await issuer.sign({ email: 'ada@example.com', groups: ['sre'] });
  const client = new Client({ name: 'oidc-host', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  t.teardown(() => client.close());
  const listed = (await client.callTool({ name: 'list_clusters', arguments: {} })) as CallToolResult;
  t.deepEqual(
    (listed.structuredContent as { clusters: Array<{ cluster_id: string }> }).clusters.map(
      (c) => c.cluster_id,
    ),
    ['c1'],
  );
  const r = await kubectlTool(client, { cluster_id: 'c1', command: 'get ns' });
  t.falsy(r.isError, textOf(r));
  t.like(s.captured.of('command_executed')[0], { identity: 'ada@example.com', details: { via: 'mcp' } });

  const bad = await post(url, LIST, { authorization: `Bearer ${token.slice(0, -4)}AAAA` });
  t.is(bad.status, 401);
  t.regex(
    bad.headers.get('www-authenticate') ?? '',
    /error="invalid_token", resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource"/,
  );
});

test('mcp - initialize agrees to 2025-06-18 when asked, and later requests may carry it', async (t) => {
  const m = await mcpStack(t);
  const key = { 'x-api-key': KEYS.alice };
  const init = await post(
    m.url,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'older', version: '1' },
      },
    }),
    key,
  );
  t.like(await init.json(), { result: { protocolVersion: '2025-06-18' } });
  const call = await post(
    m.url,
    JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'kubectl', arguments: { cluster_id: 'c1', command: 'get ns' } },
    }),
    { ...key, 'mcp-protocol-version': '2025-06-18' },
  );
  t.is(call.status, 200);
  t.is(call.headers.get('content-type'), 'application/json');
  t.regex(
    call.headers.get('x-request-id') ?? '',
    /^[0-9a-f-]{36}$/,
    'the gateway’s headers survive the hijack',
  );
  const body = (await call.json()) as { result: CallToolResult };
  t.regex(textOf(body.result), /^NAME\s+STATUS\s+AGE\n/);
});

test('mcp - a kubectl failure, an agent policy denial and a timeout are tool errors with kubectl’s stderr, the reason and the rule', async (t) => {
  const s = await startGatewayStack(t, { agents: { c2: 'silent' }, redis: false });
  // The cluster owner's stricter policy on c1: no logs, though the gateway's allows them.
  const agent = await startSimAgent(t, s.server, 'c1', PRESETS.strict);
  await eventually(t, () => s.tracker.isConnected('c1'), { message: 'the real agent of c1 is connected' });
  const url = `${await s.app.listen({ host: '127.0.0.1', port: 0 })}/mcp`;
  const kubectl = await kubectlFor(t, agent.kubeconfig);
  const client = await connect(t, url, KEYS.alice);

  const missing = await kubectlTool(client, { cluster_id: 'c1', command: 'get pod does-not-exist' });
  const real = await kubectl(['get', 'pod', 'does-not-exist']);
  t.not(real.exitCode, 0);
  t.true(missing.isError);
  t.is(textOf(missing), real.stderr.trimEnd(), 'kubectl’s own error text');
  t.like(missing.structuredContent, { status: 'failure' });

  const logs = await kubectlTool(client, { cluster_id: 'c1', command: `logs ${WEB}` });
  t.true(logs.isError);
  t.regex(textOf(logs), /^denied by the cluster's agent: .*\(rule: agent_policy\)$/);
  t.like(logs.structuredContent, { status: 'denied' });

  const silent = await kubectlTool(client, { cluster_id: 'c2', command: 'get pods', timeout_seconds: 1 });
  t.true(silent.isError);
  t.regex(
    textOf(silent),
    /^timed out: .*\(rule: timeout\)\nRetry with a larger timeout_seconds \(at most \d+\)/,
  );
  t.like(silent.structuredContent, { status: 'timeout' });
  const executed = await recordOf(t, { s }, 'command_executed', (e) => e.cluster_id === 'c2');
  t.like(executed.details, { status: 'timeout', via: 'mcp' });
});

test('mcp - MCP_ALLOWED_ORIGINS takes origins only; the guard passes no Origin, loopback and listed ones', (t) => {
  t.deepEqual(
    loadGatewayConfig({ MCP_ALLOWED_ORIGINS: 'https://Ops.Example.com, http://tools.example.com:8080/' })
      .mcpAllowedOrigins,
    ['https://ops.example.com', 'http://tools.example.com:8080'],
  );
  for (const bad of [
    'ops.example.com',
    'https://ops.example.com/app',
    'ftp://x.example',
    'https://u:p@x.example',
  ]) {
    const err = t.throws(() => loadGatewayConfig({ MCP_ALLOWED_ORIGINS: bad }));
    t.regex(err?.message ?? '', /MCP_ALLOWED_ORIGINS: .* is not an origin/, bad);
  }
  const allowed = new Set(['https://ops.example.com']);
  t.true(originAllowed(undefined, allowed), 'a non-browser client sends none');
  for (const ok of [
    'http://localhost',
    'http://localhost:3000',
    'https://127.0.0.1:1',
    'http://[::1]:8080',
    'https://ops.example.com',
  ])
    t.true(originAllowed(ok, allowed), ok);
  for (const no of [
    'null',
    '',
    'https://ops.example.com:444',
    'http://localhost.evil.example',
    'http://127.0.0.1.nip.io',
    'https://ops.example.com/x',
    'chrome-extension://abc',
  ])
    t.false(originAllowed(no, allowed), no);
  t.false(originAllowed(['http://localhost', 'https://evil.example'], allowed), 'two Origin headers');
});
