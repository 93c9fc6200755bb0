// `kubently mcp` as an MCP host launches it (the real bin on stdio, through the SDK's StdioClientTransport),
// forwarding to a listening gateway with a real agent on the simulated cluster; and `kubently exec --grep`.

import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import test, { type ExecutionContext } from 'ava';
import { eventually, scaled } from '../harness/eventually.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';
import { type Kubectl, kubectlFor, normalizeAges } from '../harness/kubectl.js';
import { startSimAgent } from '../harness/sim-agent.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'kubently.js');

async function listening(t: ExecutionContext) {
  const s = await startGatewayStack(t, { agents: {}, redis: false });
  const agent = await startSimAgent(t, s.server, 'c1');
  await eventually(t, () => s.tracker.isConnected('c1'), { message: 'the real agent of c1 is connected' });
  const url = await s.app.listen({ host: '127.0.0.1', port: 0 });
  return { s, url, kubectl: await kubectlFor(t, agent.kubeconfig) };
}

/** The bridge as a host starts it: `kubently mcp` with the CLI's settings in its environment. */
async function bridge(
  t: ExecutionContext,
  env: Record<string, string>,
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp'],
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'mcp-stdio-test', version: '1.0.0' });
  t.teardown(() => client.close());
  await client.connect(transport, { timeout: scaled(30_000) });
  return { client, stderr: () => stderr };
}

async function sameAsKubectl(t: ExecutionContext, client: Client, kubectl: Kubectl, command: string) {
  let got = '';
  let want = '';
  let result: CallToolResult | undefined;
  for (let attempt = 0; attempt < 3 && (attempt === 0 || got !== want); attempt++) {
    const [r, k] = await Promise.all([
      client.callTool({ name: 'kubectl', arguments: { cluster_id: 'c1', command } }),
      kubectl(command.split(' ')),
    ]);
    result = r as CallToolResult;
    got = result.content[0]?.type === 'text' ? result.content[0].text : '';
    want = k.stdout;
  }
  if (got === want) t.is(got, want);
  else t.is(normalizeAges(got), normalizeAges(want), 'equal with ages blanked');
  return result as CallToolResult;
}

test('cli mcp - a host on stdio lists the tools, gets kubectl’s exact text and a denial, audited via mcp', async (t) => {
  const { s, url, kubectl } = await listening(t);
  const { client } = await bridge(t, { KUBENTLY_API_URL: url, KUBENTLY_API_KEY: KEYS.alice });
  t.is(client.getServerVersion()?.name, 'kubently');
  const { tools } = await client.listTools();
  t.deepEqual(tools.map((x) => x.name).sort(), [
    'kubectl',
    'kubectl_fleet',
    'list_clusters',
    'validate_command',
  ]);
  t.regex(tools.find((x) => x.name === 'kubectl')?.description ?? '', /On c1, c2 you may run:/);

  const pods = await sameAsKubectl(t, client, kubectl, 'get pods');
  t.falsy(pods.isError);
  const denied = (await client.callTool({
    name: 'kubectl',
    arguments: { cluster_id: 'c1', command: 'get secrets' },
  })) as CallToolResult;
  t.true(denied.isError);
  t.regex(denied.content[0]?.type === 'text' ? denied.content[0].text : '', /denied by policy: .*\(rule: /);

  const executed = await eventually(t, () => s.captured.of('command_executed')[0], { message: 'executed' });
  t.like(executed.details, { via: 'mcp', client: 'kubently-cli/0.1.0 mcp (mcp-stdio-test/1.0.0)' });
  t.is(executed.identity, 'alice');
  const refused = await eventually(t, () => s.captured.of('unauthorized_command_attempt')[0], {
    message: 'refused',
  });
  t.like(refused.details, { via: 'mcp' });
});

test('cli mcp - a wrong key: the host gets a JSON-RPC error that says why', async (t) => {
  const { url } = await listening(t);
  const err = await t.throwsAsync(
    bridge(t, { KUBENTLY_API_URL: url, KUBENTLY_API_KEY: 'wrong-key-0123456789' }),
  );
  t.regex(err?.message ?? '', /the gateway refused the request: unauthorized: invalid API key/);
});

test('cli mcp - without any credential it says so on stderr and exits 5 before speaking MCP', async (t) => {
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'mcp'],
      {
        env: { PATH: process.env.PATH, HOME: tmpdir(), KUBENTLY_API_URL: 'http://127.0.0.1:1' },
        timeout: scaled(30_000),
      },
      (e, stdout, stderr) => resolve({ code: e ? Number(e.code) : 0, stdout, stderr }),
    );
  });
  t.is(r.code, 5);
  t.is(r.stdout, '');
  t.regex(r.stderr, /not signed in/);
});

test('cli - exec --grep (repeatable) and --max-output-bytes reach the agent: kubectl’s lines that match, header kept', async (t) => {
  const { url, kubectl } = await listening(t);
  const env = { PATH: process.env.PATH, HOME: tmpdir(), KUBENTLY_API_URL: url, KUBENTLY_API_KEY: KEYS.alice };
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env, timeout: scaled(30_000) }, (e, stdout, stderr) =>
        resolve({ code: e ? Number(e.code) : 0, stdout, stderr }),
      );
    });
  let got = '';
  let want = '';
  for (let attempt = 0; attempt < 3 && (attempt === 0 || got !== want); attempt++) {
    const [r, k] = await Promise.all([
      run(['exec', '--grep', 'WEB', '--grep', 'crash', 'c1', 'get', 'pods', '-A']),
      kubectl(['get', 'pods', '-A']),
    ]);
    t.is(r.code, 0, r.stderr);
    got = r.stdout;
    const [header, ...rows] = k.stdout.split('\n');
    want = `${[header, ...rows.filter((l) => /web|crash/i.test(l))].join('\n')}\n`;
  }
  if (got === want) t.is(got, want);
  else t.is(normalizeAges(got), normalizeAges(want));
  t.regex(got, /CrashLoopBackOff/);

  const cut = await run(['exec', '--max-output-bytes', '300', 'c1', 'get', 'pods', '-A']);
  t.is(cut.code, 0, cut.stderr);
  t.true(Buffer.byteLength(cut.stdout) <= 301);
  t.regex(cut.stdout, /output truncated at 300 bytes/);
  const json = await run(['exec', '--grep', 'web', 'c1', 'get', 'pods', '-o', 'json']);
  t.is(json.code, 2, json.stderr);
  t.regex(json.stderr, /grep applies to table rows/);
});
