// `npm run bench -- --mcp`: what MCP's stateless Streamable HTTP costs over the REST API on the same stack.
// One keep-alive client, sequential: POST /debug/execute and MCP tools/call `kubectl` with the same command on
// the instant cluster (delivery only: the per-request MCP server and transport are the difference) and on the
// simulated cluster (the real executor); tools/list (the policy summary built per request) against GET
// /clusters. Prints p50/p99 and the ratios of MCP to REST measured in the same run.

import { type JsonPost, sequentialPosts } from './lib/http-load.js';
import { INSTANT_CLUSTER, SIM_CLUSTER, startBenchStack } from './lib/stack.js';
import { formatTable, type Row, ratio } from './report.js';

export async function runMcpBench(options: { count: number; warmup: number }): Promise<string> {
  const stack = await startBenchStack();
  try {
    const headers = { 'x-api-key': stack.apiKey, 'content-type': 'application/json' };
    const mcpHeaders = {
      ...headers,
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    };
    const rest = (cluster: string): JsonPost => ({
      url: `${stack.gatewayUrl}/debug/execute`,
      headers,
      body: JSON.stringify({ cluster_id: cluster, command: 'get pods -n default' }),
    });
    const mcp = (cluster: string): JsonPost => ({
      url: `${stack.gatewayUrl}/mcp`,
      headers: mcpHeaders,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'kubectl', arguments: { cluster_id: cluster, command: 'get pods -n default' } },
      }),
    });
    const listTools: JsonPost = {
      url: `${stack.gatewayUrl}/mcp`,
      headers: mcpHeaders,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    };
    const { count, warmup } = options;
    const restInstant = await sequentialPosts(rest(INSTANT_CLUSTER), count, warmup);
    const mcpInstant = await sequentialPosts(mcp(INSTANT_CLUSTER), count, warmup);
    const restSim = await sequentialPosts(rest(SIM_CLUSTER), count, warmup);
    const mcpSim = await sequentialPosts(mcp(SIM_CLUSTER), count, warmup);
    const tools = await sequentialPosts(listTools, count, warmup);
    const rows: Row[] = [
      { name: 'REST execute, instant agent', latency: restInstant },
      { name: 'MCP kubectl, instant agent', latency: mcpInstant },
      { name: 'REST execute, get pods (sim)', latency: restSim },
      { name: 'MCP kubectl, get pods (sim)', latency: mcpSim },
      { name: 'MCP tools/list', latency: tools },
    ];
    return [
      formatTable(rows),
      '',
      `MCP / REST p50, instant agent: ${ratio(mcpInstant.p50Ms, restInstant.p50Ms)}`,
      `MCP / REST p50, get pods on the simulated cluster: ${ratio(mcpSim.p50Ms, restSim.p50Ms)}`,
      `MCP tools/list / REST execute (instant) p50: ${ratio(tools.p50Ms, restInstant.p50Ms)}`,
    ].join('\n');
  } finally {
    await stack.close();
  }
}
