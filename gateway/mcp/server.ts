// One MCP server per HTTP request (stateless: any gateway replica answers any request), its tools bound to
// the authenticated caller of that request. Every command goes through the same command runner as
// POST /debug/execute: same policy, sessions and audit records, marked `via: "mcp"` with the client's name.
// Whatever happens to a command (denied, failed, timed out, unknown cluster) is a tool result with
// `isError: true` whose text gives the reason and the rule, so a model can correct itself; a protocol error
// is only for a malformed request.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  type CallToolResult,
  InitializeRequestSchema,
  LATEST_PROTOCOL_VERSION,
} from '@modelcontextprotocol/sdk/types.js';
import type { FastifyRequest } from 'fastify';
import * as z from 'zod';
import { MAX_TIMEOUT_SECONDS } from '../../common/api.js';
import { type Policy, policyForCluster } from '../../common/policy/index.js';
import { callerOf } from '../auth/authenticate.js';
import { iso } from '../cluster-views.js';
import type { CommandRunner } from '../command-runner.js';
import type { GatewayContext } from '../context.js';
import type { FleetService } from '../fleet-service.js';
import { validateCommand } from '../routes/validate.js';
import { policySummary } from './descriptions.js';
import { failureResult, fleetResult, kubectlResult, text, toolError } from './tool-results.js';
import {
  type FleetArgs,
  fleetArgsSchema,
  fleetOutputSchema,
  type KubectlArgs,
  kubectlArgsSchema,
  kubectlOutputSchema,
  type ListClustersOutput,
  listClustersArgsSchema,
  listClustersOutputSchema,
  type ValidateArgs,
  validateArgsSchema,
  validateOutputSchema,
} from './tool-schemas.js';

/** The MCP revisions this endpoint speaks; an initialize asking for another is answered with the newest. */
export const MCP_PROTOCOL_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18'];
export const MCP_SERVER_NAME = 'kubently';
export const MCP_SERVER_VERSION = '0.1.0';

/** A per-caller budget for commands sent through MCP (RATE_LIMIT_EXECUTE per window, like /debug/execute). */
export type CommandLimiter = () => Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;

export interface McpServerDeps {
  ctx: GatewayContext;
  runner: CommandRunner;
  fleet: FleetService;
  /** The HTTP request the MCP message came in (its authenticated caller, address, route). */
  origin: FastifyRequest;
  /** The MCP client's name as the audit records give it (clientInfo, else the User-Agent). */
  client: string;
  limitCommand: CommandLimiter;
}

const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
} as const;

const toZod = (schema: object) => z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);

/** The tools' schemas as the SDK takes them, converted once: every request builds its server anew. */
const ZOD = {
  listClusters: { inputSchema: toZod(listClustersArgsSchema), outputSchema: toZod(listClustersOutputSchema) },
  kubectl: { inputSchema: toZod(kubectlArgsSchema), outputSchema: toZod(kubectlOutputSchema) },
  fleet: { inputSchema: toZod(fleetArgsSchema), outputSchema: toZod(fleetOutputSchema) },
  validate: { inputSchema: toZod(validateArgsSchema), outputSchema: toZod(validateOutputSchema) },
};

/** The REST body's command fields from a tool's arguments (absent ones left out). */
function commandFields(a: Omit<KubectlArgs, 'cluster_id'>) {
  return {
    command: a.command,
    ...(a.timeout_seconds === undefined ? {} : { timeout_seconds: a.timeout_seconds }),
    ...(a.grep === undefined ? {} : { grep: a.grep }),
    ...(a.max_output_bytes === undefined ? {} : { max_output_bytes: a.max_output_bytes }),
  };
}

/** The longest timeout the caller may ask for on any of its clusters, in seconds (for the hint). */
function maxTimeoutSeconds(policy: Policy, clusterId: string): number {
  return Math.min(MAX_TIMEOUT_SECONDS, policyForCluster(policy, clusterId).limits.timeoutMaxMs / 1000);
}

export function createMcpServer(deps: McpServerDeps): McpServer {
  const { ctx, runner, origin, client } = deps;
  const caller = callerOf(origin);
  // One policy snapshot for the descriptions and every call of this request.
  const policy = ctx.policy();
  const clusters = ctx.clusters.visible(caller);
  const boundary = policySummary(policy, clusters);
  const auditDetails = { via: 'mcp', client };

  /** A tool error when this call is over the caller's command budget, else null. */
  async function rateLimited(): Promise<CallToolResult | null> {
    const limited = await deps.limitCommand();
    if (limited.allowed) return null;
    return toolError(
      `rate limit exceeded, retry in ${limited.retryAfterSeconds} s`,
      'rate_limited',
      'Each kubectl call counts against RATE_LIMIT_EXECUTE per window, as POST /debug/execute does.',
    );
  }

  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: MCP_SERVER_VERSION },
    {
      capabilities: { tools: { listChanged: false } },
      instructions:
        'Kubently gives read-only, audited access to Kubernetes clusters. Start with list_clusters, then run ' +
        'kubectl commands; validate_command explains a refusal. Ask for less output with grep and ' +
        'max_output_bytes instead of reading whole lists.',
      // Arrays and objects in one call's arguments (grep has at most 16 strings).
      maxToolInputElements: 64,
    },
  );
  // Only the revisions this endpoint implements are agreed to; any other request gets the newest.
  server.server.setRequestHandler(InitializeRequestSchema, (request) => ({
    protocolVersion: MCP_PROTOCOL_VERSIONS.includes(request.params.protocolVersion)
      ? request.params.protocolVersion
      : LATEST_PROTOCOL_VERSION,
    capabilities: { tools: { listChanged: false } },
    serverInfo: { name: MCP_SERVER_NAME, version: MCP_SERVER_VERSION },
  }));

  server.registerTool(
    'list_clusters',
    {
      title: 'List clusters',
      description:
        'The Kubernetes clusters you may use, whether an agent of each is connected, and when one was last ' +
        `heard from (ISO 8601).\n\n${boundary}`,
      ...ZOD.listClusters,
      annotations: READ_ONLY,
    },
    async () => {
      const answer: ListClustersOutput = {
        clusters: ctx.clusters.visible(caller).map((id) => {
          const c = ctx.agents.cluster(id);
          return { cluster_id: id, connected: c.connected, last_seen: iso(c.lastSeen) };
        }),
      };
      return { content: [text(JSON.stringify(answer, null, 2))], structuredContent: answer };
    },
  );

  server.registerTool(
    'kubectl',
    {
      title: 'Run kubectl',
      description:
        'Runs one read-only kubectl command on one cluster and returns exactly what kubectl prints. Errors ' +
        '(denied, failed, timed out, unknown cluster) come back as a tool error with the reason and the rule. ' +
        'Prefer narrow commands: a namespace, -l selectors, --limit, logs --tail, and grep to keep only the ' +
        `matching lines.\n\n${boundary}`,
      ...ZOD.kubectl,
      annotations: READ_ONLY,
    },
    async (args) => {
      const a = args as KubectlArgs;
      const limited = await rateLimited();
      if (limited) return limited;
      try {
        const outcome = await runner.run({
          origin,
          policy,
          body: { cluster_id: a.cluster_id, ...commandFields(a) },
          auditDetails,
        });
        return kubectlResult(outcome, maxTimeoutSeconds(policy, a.cluster_id));
      } catch (err) {
        return failureResult(ctx.log, err, a.cluster_id);
      }
    },
  );

  server.registerTool(
    'kubectl_fleet',
    {
      title: 'Run kubectl on many clusters',
      description:
        'Runs one read-only kubectl command on every cluster the names and globs pick, and answers once: a ' +
        "section per cluster, in cluster order, with its status and kubectl's text. Each cluster's policy " +
        'applies to its own section (denied); a cluster without a connected agent is unavailable. The outputs ' +
        `share one budget, so prefer grep and narrow commands.\n\n${boundary}`,
      ...ZOD.fleet,
      annotations: READ_ONLY,
    },
    async (args) => {
      const a = args as FleetArgs;
      const limited = await rateLimited();
      if (limited) return limited;
      try {
        const answer = await deps.fleet.run(
          origin,
          { clusters: a.clusters, ...commandFields(a) },
          auditDetails,
        );
        return fleetResult(answer);
      } catch (err) {
        return failureResult(ctx.log, err, a.clusters.join(','));
      }
    },
  );

  server.registerTool(
    'validate_command',
    {
      title: 'Validate a kubectl command',
      description:
        'Whether the policy would allow a kubectl command on a cluster, the deciding rule and its reason, and ' +
        `the command as it would run. Runs nothing.\n\n${boundary}`,
      ...ZOD.validate,
      annotations: READ_ONLY,
    },
    async (args) => {
      const a = args as ValidateArgs;
      try {
        ctx.refusals.requireCluster(origin, a.cluster_id, policy);
        const v = validateCommand(ctx, origin, a, policy, auditDetails);
        const verdict = v.allowed ? 'allowed' : 'refused';
        const token = v.token === undefined ? '' : ` (token ${JSON.stringify(v.token)})`;
        const argv = v.normalized_argv.length > 0 ? `\nkubectl ${v.normalized_argv.join(' ')}` : '';
        return {
          content: [text(`${verdict} by rule ${v.rule}: ${v.reason}${token}${argv}`)],
          structuredContent: v,
        };
      } catch (err) {
        return failureResult(ctx.log, err, a.cluster_id);
      }
    },
  );
  return server;
}
