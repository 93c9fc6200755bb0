// POST /mcp attacked over raw HTTP (no SDK client to tidy what is sent): tool calls dressed as notifications or
// responses, prototype keys in arguments, origins that only look local, ids of every JSON type, and the output
// digest of what a tool call returned.

import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import test, { type ExecutionContext } from 'ava';
import { startBridge } from '../cli/commands/mcp.js';
import { type GatewayStack, KEYS, startGatewayStack } from '../harness/gateway.js';

const ACCEPT = 'application/json, text/event-stream';

async function stack(t: ExecutionContext): Promise<{ s: GatewayStack; url: string }> {
  const s = await startGatewayStack(t, {
    clusters: ['c1', 'c2', 'c3'],
    redis: false,
    agents: {
      c1: () => ({ output: 'NAME\u001b[31m  READY\nweb-1  1/1\n' }),
      c2: () => ({ status: 'failure', output: 'partial\n', error: 'Error from server (Forbidden)' }),
    },
  });
  const address = await s.app.listen({ host: '127.0.0.1', port: 0 });
  return { s, url: `${address}/mcp` };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, 'x-api-key': KEYS.alice, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const call = (name: string, args: Record<string, unknown>, id: unknown = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

test('attack mcp - a tool call sent as a notification or as a response runs nothing', async (t) => {
  const { s, url } = await stack(t);
  const { id: _id, ...notification } = call('kubectl', { cluster_id: 'c1', command: 'get pods' });
  const n = await post(url, notification);
  t.is(n.status, 202, await n.text());
  const response = { jsonrpc: '2.0', id: 7, result: { content: [] } };
  t.is((await post(url, response)).status, 202);
  const error = { jsonrpc: '2.0', id: 7, error: { code: 1, message: 'x' } };
  t.is((await post(url, error)).status, 202);
  // A real call afterwards is the only one that reaches the agent.
  const real = await post(url, call('kubectl', { cluster_id: 'c1', command: 'get pods' }));
  t.is(real.status, 200);
  t.is(s.agents.c1!.received.length, 1);
  t.is(s.captured.of('command_attempt').length, 1);
});

test('attack mcp - ids that are not a string or an integer, and prototype keys in arguments, are refused', async (t) => {
  const { s, url } = await stack(t);
  for (const id of [null, 1.5, { a: 1 }, [1], true, 'x'.repeat(257)]) {
    const res = await post(url, call('kubectl', { cluster_id: 'c1', command: 'get pods' }, id));
    t.is(res.status, 400, `id ${JSON.stringify(id).slice(0, 20)}`);
  }
  for (const args of [
    '{"cluster_id":"c1","command":"get pods","__proto__":{"grep":["x"]}}',
    '{"cluster_id":"c1","command":"get pods","constructor":{"prototype":{"grep":["x"]}}}',
    '{"__proto__":{"cluster_id":"c1","command":"get pods"}}',
  ]) {
    const body = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"kubectl","arguments":${args}}}`;
    const res = await post(url, body);
    const answer = (await res.json()) as { result?: { isError?: boolean }; error?: unknown };
    t.true(
      answer.result?.isError === true || answer.error !== undefined,
      `${args}: ${JSON.stringify(answer)}`,
    );
  }
  t.is(s.agents.c1!.received.length, 0, 'nothing reached the cluster');
  t.is(({} as Record<string, unknown>).grep, undefined, 'no prototype was polluted');
});

test('attack mcp - origins that only look like loopback are refused before anything is parsed', async (t) => {
  const { s, url } = await stack(t);
  for (const origin of [
    'http://127.1',
    'HTTP://LOCALHOST',
    'http://localhost.',
    'http://localhost.evil.example',
    'http://[::ffff:127.0.0.1]',
    'http://0.0.0.0',
    'http://localhost:80@evil.example',
    'http://evil.example#@localhost',
    'http://evil.example/localhost',
    'http://localhost, https://evil.example',
    'http://xn--localhost',
  ]) {
    const res = await post(url, call('kubectl', { cluster_id: 'c1', command: 'get pods' }), { origin });
    t.is(res.status, 403, origin);
  }
  t.is(s.agents.c1!.received.length, 0);
});

test('attack mcp - the audit digest is of the text the kubectl tool returned, success or failure', async (t) => {
  const { s, url } = await stack(t);
  const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  for (const cluster of ['c1', 'c2']) {
    const res = await post(url, call('kubectl', { cluster_id: cluster, command: 'get pods' }));
    const answer = (await res.json()) as {
      result: { content: { text: string }[]; structuredContent: { command_id: string } };
    };
    const { content, structuredContent } = answer.result;
    const record = s.captured
      .of('command_executed')
      .find((e) => e.command_id === structuredContent.command_id);
    t.truthy(record, cluster);
    t.is(record?.details?.output_sha256, sha(content[0]!.text), `${cluster}: the first text is the output`);
  }
});

test('attack mcp - the stdio bridge serves a host whose name is not ASCII or carries controls', async (t) => {
  const { s, url } = await stack(t);
  for (const name of [
    'Claude デスクトップ',
    'host\u0001\u001b[2J',
    `${'x'.repeat(127)}😀`,
    'lone \ud800 surrogate',
  ]) {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const bridge = await startBridge(
      {
        apiUrl: url.replace(/\/mcp$/, ''),
        credential: { kind: 'api_key', value: KEYS.alice },
        configPath: '',
      },
      stdin,
      stdout,
      new PassThrough(),
    );
    t.teardown(() => bridge.close());
    const client = new Client({ name, version: '1.0.0' });
    // The host's side of the pipe: it writes the bridge's stdin and reads its stdout.
    const host = new StdioServerTransport(stdout, stdin);
    await client.connect({
      start: () => host.start(),
      send: (m) => host.send(m),
      close: () => host.close(),
      set onmessage(f: ((m: JSONRPCMessage) => void) | undefined) {
        host.onmessage = f;
      },
      set onclose(f: (() => void) | undefined) {
        host.onclose = f;
      },
      set onerror(f: ((e: Error) => void) | undefined) {
        host.onerror = f;
      },
    } as Transport);
    const r = (await client.callTool({
      name: 'kubectl',
      arguments: { cluster_id: 'c1', command: 'get pods' },
    })) as CallToolResult;
    t.falsy(r.isError, JSON.stringify(r).slice(0, 300));
    await client.close();
  }
  const clients = s.captured.of('command_executed').map((e) => String(e.details?.client));
  t.is(clients.length, 4);
  for (const c of clients)
    t.regex(c, /^kubently-cli\/\S+ mcp \([\x20-\x7e]*\)$/, 'printable ASCII in the audit');
});
