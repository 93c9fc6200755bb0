// An MCP client session against a running gateway, printed as a transcript: the tools listed, `get pods`
// answered (compared byte for byte with real kubectl when --kubeconfig names the same cluster), a denied
// `get secrets`, and the audit records both left. Against `npm run dev`, with the key and the simulated
// cluster's kubeconfig it prints (both kept in its dev directory):
//
//   node --import tsx scripts/mcp-session.ts --url http://127.0.0.1:8080 --key "$KEY" \
//     --cluster local --kubeconfig "$SIM_KUBECONFIG" [--stdio]

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    key: { type: 'string' },
    cluster: { type: 'string', default: 'local' },
    kubeconfig: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
    /** Through `kubently mcp` on stdio (as a host that launches local servers) instead of HTTP. */
    stdio: { type: 'boolean', default: false },
  },
});
if (!opts.key) throw new Error('--key is required');

const show = (title: string, body: unknown) =>
  console.log(`\n### ${title}\n${typeof body === 'string' ? body : JSON.stringify(body, null, 2)}`);
const textOf = (r: CallToolResult) =>
  r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');

const client = new Client({ name: 'mcp-session-script', version: '1.0.0' });
const transport = opts.stdio
  ? new StdioClientTransport({
      command: process.execPath,
      args: [fileURLToPath(new URL('../bin/kubently.js', import.meta.url)), 'mcp'],
      env: { PATH: process.env.PATH ?? '', KUBENTLY_API_URL: opts.url, KUBENTLY_API_KEY: opts.key },
    })
  : new StreamableHTTPClientTransport(new URL(`${opts.url}/mcp`), {
      requestInit: { headers: { 'x-api-key': opts.key } },
    });
await client.connect(transport);
show(`initialize (${opts.stdio ? 'stdio: kubently mcp' : 'Streamable HTTP'})`, client.getServerVersion());

const { tools } = await client.listTools();
show(
  'tools/list',
  tools.map((t) => ({
    name: t.name,
    readOnlyHint: t.annotations?.readOnlyHint,
    args: t.inputSchema.properties,
  })),
);
show('kubectl tool description', tools.find((t) => t.name === 'kubectl')?.description ?? '');

const command = `get pods -n ${opts.namespace}`;
const callPods = async () =>
  (await client.callTool({
    name: 'kubectl',
    arguments: { cluster_id: opts.cluster, command },
  })) as CallToolResult;
const kubectl = () =>
  opts.kubeconfig
    ? execFileSync('kubectl', ['--kubeconfig', opts.kubeconfig, ...command.split(' ')], { encoding: 'utf8' })
    : undefined;
// Ages follow the clock: when a second boundary falls between the two runs, both are asked again.
let pods = await callPods();
let real = kubectl();
for (let attempt = 1; attempt < 3 && real !== undefined && textOf(pods) !== real; attempt++) {
  [pods, real] = await Promise.all([callPods(), Promise.resolve().then(kubectl)]);
}
show(`tools/call kubectl ${JSON.stringify(command)} → isError ${pods.isError ?? false}`, textOf(pods));
show('structuredContent', pods.structuredContent);
if (real !== undefined) {
  show('real kubectl against the same cluster', real);
  show(
    'identical to kubectl',
    String((pods.content[0]?.type === 'text' ? pods.content[0].text : '') === real),
  );
}

const secrets = (await client.callTool({
  name: 'kubectl',
  arguments: { cluster_id: opts.cluster, command: 'get secrets -A' },
})) as CallToolResult;
show(`tools/call kubectl "get secrets -A" → isError ${secrets.isError ?? false}`, textOf(secrets));

await client.close();

// The records of both calls, as GET /audit shows them to the caller (the audit stream, read back).
const ids = [pods, secrets].map(
  (r) => (r.structuredContent as { command_id?: string } | undefined)?.command_id,
);
for (const id of ids.filter((x): x is string => typeof x === 'string')) {
  let entries: unknown[] = [];
  // The consumer may take a moment to see the records.
  for (let i = 0; i < 50 && entries.length === 0; i++) {
    const res = await fetch(`${opts.url}/audit?command_id=${id}&limit=10`, {
      headers: { 'x-api-key': opts.key },
    });
    entries = ((await res.json()) as { entries?: unknown[] }).entries ?? [];
    if (entries.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  show(
    `GET /audit?command_id=${id}`,
    entries.map((e) => {
      const { event_type, identity, cluster_id, command_id, details } = e as Record<string, unknown>;
      return { event_type, identity, cluster_id, command_id, details };
    }),
  );
}
