// POST /mcp: the Model Context Protocol's Streamable HTTP transport (revisions 2025-06-18 and 2025-11-25),
// stateless and answering JSON, through the official SDK: a fresh server and transport per request, bound to
// that request's authenticated caller. GET and DELETE answer 405: this server opens no stream of its own and
// keeps no session (the transport specification's answer for both). Authentication is the REST API's; the
// Origin header is checked against DNS rebinding before anything is parsed.

import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KubentlyError } from '../../common/errors.js';
import { escapeTerminal } from '../../common/terminal.js';
import { MAX_AUDITED_USER_AGENT } from '../auth/authenticate.js';
import type { CommandLimit } from '../command-limit.js';
import type { CommandRunner } from '../command-runner.js';
import type { GatewayContext } from '../context.js';
import type { FleetService } from '../fleet-service.js';
import { originAllowed } from '../mcp/origin.js';
import { type CommandLimiter, createMcpServer, MCP_PROTOCOL_VERSIONS } from '../mcp/server.js';
import { errorRef } from '../schemas.js';

/** JSON-RPC's "invalid request" code, for what the transport must refuse before any message is read. */
const INVALID_REQUEST = -32600;

const jsonRpcMessage = {
  type: 'object',
  required: ['jsonrpc'],
  properties: {
    jsonrpc: { type: 'string', const: '2.0' },
    id: { anyOf: [{ type: 'string', maxLength: 256 }, { type: 'integer' }] },
    method: { type: 'string', minLength: 1, maxLength: 128 },
    params: { type: 'object' },
    result: { type: 'object' },
    error: { type: 'object' },
  },
} as const;

const MCP_EXAMPLES = [
  {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'docs-example', version: '1.0.0' },
    },
  },
  { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  {
    jsonrpc: '2.0',
    id: 3,
    method: 'tools/call',
    params: { name: 'kubectl', arguments: { cluster_id: 'local', command: 'get pods' } },
  },
] as const;

const NO_STREAM =
  'this MCP server keeps no sessions and opens no server-initiated stream: POST each JSON-RPC message to /mcp';

/** A JSON-RPC error answer with its HTTP status, written before the SDK sees the request. */
function rpcError(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ jsonrpc: '2.0', id: null, error: { code: INVALID_REQUEST, message } });
}

/** `name/version` from an initialize request's clientInfo, when the message is one. */
function clientInfoOf(body: unknown): string | undefined {
  const params = (
    body as { method?: unknown; params?: { clientInfo?: { name?: unknown; version?: unknown } } }
  )?.params;
  if ((body as { method?: unknown })?.method !== 'initialize') return undefined;
  const info = params?.clientInfo;
  if (typeof info?.name !== 'string') return undefined;
  return typeof info.version === 'string' ? `${info.name}/${info.version}` : info.name;
}

/**
 * The client's name for the audit records: an initialize message's clientInfo, else the User-Agent (a
 * stateless server sees clientInfo only on initialize). Bounded and shown, never obeyed, like the audit's.
 */
export function mcpClientName(request: FastifyRequest): string {
  const name = clientInfoOf(request.body) ?? request.headers['user-agent'] ?? 'unknown';
  return escapeTerminal(name.slice(0, MAX_AUDITED_USER_AGENT));
}

export async function mcpRoutes(
  app: FastifyInstance,
  opts: { ctx: GatewayContext; runner: CommandRunner; fleet: FleetService; commandLimit: CommandLimit },
): Promise<void> {
  const { ctx, runner, fleet, commandLimit } = opts;
  const { config } = ctx;
  const allowedOrigins = new Set(config.mcpAllowedOrigins);

  /** After authentication: a browser page from a foreign origin is refused (and recorded) before parsing. */
  async function checkOrigin(request: FastifyRequest): Promise<void> {
    const origin = request.headers.origin;
    if (originAllowed(origin, allowedOrigins)) return;
    if (request.caller) {
      ctx.refusals.record(request, {
        reason: 'foreign_origin',
        details: { origin: escapeTerminal(String(origin).slice(0, 256)) },
      });
    }
    throw new KubentlyError('forbidden', 'this Origin may not use the MCP endpoint', {
      details: { reason: 'foreign_origin', setting: 'MCP_ALLOWED_ORIGINS' },
    });
  }

  /** Each kubectl call spends from POST /debug/execute's per-identity budget: one counter for both. */
  function limiterFor(request: FastifyRequest): CommandLimiter {
    return async () => {
      const d = await commandLimit(request, { route: '/mcp', via: 'mcp' });
      return d.allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: d.retryAfterSeconds };
    };
  }

  app.post(
    '/mcp',
    {
      schema: {
        tags: ['mcp'],
        summary: 'Model Context Protocol endpoint (Streamable HTTP, stateless, JSON answers)',
        description:
          'MCP revisions 2025-06-18 and 2025-11-25 over Streamable HTTP, for AI agents and their hosts. Send ' +
          'one JSON-RPC message per request with `Accept: application/json, text/event-stream` and the same ' +
          'API key or OIDC token as the REST API; after initialize, send `MCP-Protocol-Version`. Tools: ' +
          "`list_clusters`, `kubectl` (kubectl's exact text, with `grep` and `max_output_bytes` to ask for less), " +
          '`kubectl_fleet` (one command on many clusters), `validate_command`. A refused, failed or timed-out command is a tool result with `isError: true`, ' +
          'its reason and rule. No sessions: any gateway replica answers. Batches are refused (400), so is a ' +
          'browser `Origin` that is neither loopback nor in MCP_ALLOWED_ORIGINS (403).',
        headers: {
          type: 'object',
          properties: {
            // Checked by the handler, which answers as the transport specification says (400, JSON-RPC error).
            'mcp-protocol-version': {
              type: 'string',
              description: `Required after initialize: ${MCP_PROTOCOL_VERSIONS.join(' or ')}`,
            },
            origin: { type: 'string' },
          },
        },
        body: {
          ...jsonRpcMessage,
          description: 'One JSON-RPC 2.0 request or notification (no batches)',
          examples: MCP_EXAMPLES,
        },
        response: {
          200: { ...jsonRpcMessage, description: 'The JSON-RPC response' },
          202: { type: 'null', description: 'A notification was accepted' },
          400: {
            type: 'object',
            additionalProperties: true,
            description: 'Malformed request (JSON-RPC error)',
          },
          401: errorRef,
          403: errorRef,
          406: { type: 'object', additionalProperties: true, description: 'Accept lacks a required type' },
          415: errorRef,
          429: errorRef,
        },
      },
      onRequest: checkOrigin,
      // Before the body schema: a batch gets the protocol's answer, not a schema error. The revisions served
      // here removed batching, and a batch of tool calls would run many commands for one request's limit.
      preValidation: async (request, reply) => {
        if (Array.isArray(request.body))
          return rpcError(
            reply,
            400,
            'JSON-RPC batches are not supported (removed in MCP 2025-06-18): send one message per request',
          );
      },
    },
    async (request, reply) => {
      const version = request.headers['mcp-protocol-version'];
      if (version !== undefined && !MCP_PROTOCOL_VERSIONS.includes(String(version)))
        return rpcError(
          reply,
          400,
          `unsupported MCP-Protocol-Version; supported: ${MCP_PROTOCOL_VERSIONS.join(', ')}`,
        );
      const server = createMcpServer({
        ctx,
        runner,
        fleet,
        origin: request,
        client: mcpClientName(request),
        limitCommand: limiterFor(request),
      });
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      // The reply is written by the transport from here on; the headers set so far (request id, rate limits) go too.
      reply.hijack();
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined) reply.raw.setHeader(name, value as string);
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (err) {
        ctx.log.error({ err }, 'MCP request failed');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'content-type': 'application/json' });
          reply.raw.end(
            JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'internal error' } }),
          );
        }
      }
    },
  );

  const notAllowed = {
    schema: {
      tags: ['mcp'],
      response: { 405: errorRef },
    },
  };
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      schema: {
        ...notAllowed.schema,
        summary: method === 'GET' ? 'No server-initiated MCP stream (405)' : 'No MCP session to end (405)',
        description:
          method === 'GET'
            ? 'The transport lets a client open a stream for server-initiated messages; this server sends none ' +
              'and answers 405 with `Allow: POST`, as the specification says.'
            : 'The transport lets a client end its session; this stateless server keeps none and answers 405 ' +
              'with `Allow: POST`, as the specification says.',
      },
      handler: async (_request, reply) => {
        reply.header('allow', 'POST');
        throw new KubentlyError('method_not_allowed', NO_STREAM);
      },
    });
  }
}
