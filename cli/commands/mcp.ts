// `kubently mcp`: an MCP server on stdio for hosts that only launch local servers. Every message goes on, as
// it is, to the gateway's POST /mcp with the CLI's URL and credential (API key, token, or `kubently login`'s
// tokens, refreshed when they are about to expire), and every answer comes back: the tools, the policy and
// the audit are the gateway's. stdout carries protocol messages only; problems go to stderr.

import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  isInitializeRequest,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import type { Command } from 'commander';
import { escapeTerminal } from '../../common/terminal.js';
import { authHeader } from '../api-client.js';
import type { CliContext } from '../context.js';
import { insecureUrlWarning, type Settings } from '../settings.js';
import { CLI_VERSION } from '../version.js';

/** JSON-RPC's code for a server-side failure: the gateway could not be asked, or refused the request. */
const GATEWAY_ERROR = -32000;
/** Longest text of a gateway refusal passed on to the host. */
const MAX_ERROR_CHARS = 500;

/** The gateway's refusal as one line: its `message` when the body is the API's error shape, else the text. */
export function gatewayErrorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const json = text.slice(text.indexOf('{'));
  try {
    const body = JSON.parse(json) as { message?: unknown; error?: unknown };
    if (typeof body.message === 'string')
      return `the gateway refused the request: ${typeof body.error === 'string' ? `${body.error}: ` : ''}${body.message}`;
    const rpc = body.error as { message?: unknown } | undefined;
    if (typeof rpc?.message === 'string') return `the gateway refused the request: ${rpc.message}`;
  } catch {}
  return escapeTerminal(text).slice(0, MAX_ERROR_CHARS);
}

/**
 * `text` as a header value: printable ASCII, the rest percent-encoded (a lone surrogate as `?`). Anything else
 * (a host's name in Japanese, a control character) would make fetch refuse every request.
 */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '?';
    }
  });
}

/**
 * fetch with the CLI's credential on every request (a stored login refreshed first when needed) and a
 * User-Agent naming the CLI and the host (`clientInfo` of its initialize), which the gateway's audit records
 * show as the MCP client: a stateless server sees clientInfo on initialize only.
 */
function authedFetch(settings: Settings, host: () => string | undefined): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(await authHeader(settings))) headers.set(name, value);
    const client = host();
    headers.set('user-agent', `kubently-cli/${CLI_VERSION} mcp${client ? ` (${client})` : ''}`);
    return fetch(input, { ...init, headers });
  };
}

export interface Bridge {
  /** Settles when the host closes stdin (or the bridge fails for good). */
  done: Promise<void>;
  close(): Promise<void>;
}

/** Connects the host on `stdin`/`stdout` to the gateway's /mcp. */
export async function startBridge(
  settings: Settings,
  stdin: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): Promise<Bridge> {
  let host: string | undefined;
  const local = new StdioServerTransport(stdin as never, stdout as never);
  const gateway = new StreamableHTTPClientTransport(new URL(`${settings.apiUrl}/mcp`), {
    fetch: authedFetch(settings, () => host),
  });
  /** Requests sent on whose answer the protocol version depends. */
  const initializing = new Set<string | number>();
  const report = (line: string) => stderr.write(`kubently mcp: ${escapeTerminal(line)}\n`);

  local.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message) && isInitializeRequest(message)) {
      const info = message.params.clientInfo;
      host = headerSafe(`${info.name}/${info.version}`.slice(0, 128));
      initializing.add(message.id);
    }
    gateway.send(message).catch((err: unknown) => {
      const text = gatewayErrorText(err);
      report(text);
      // A request the gateway did not answer still gets an answer: the host must not wait forever.
      if (isJSONRPCRequest(message))
        void local.send({ jsonrpc: '2.0', id: message.id, error: { code: GATEWAY_ERROR, message: text } });
    });
  };
  gateway.onmessage = (message: JSONRPCMessage) => {
    // Later requests carry the agreed revision in MCP-Protocol-Version, as the transport requires.
    if (isJSONRPCResultResponse(message) && initializing.delete(message.id)) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') gateway.setProtocolVersion(version);
    }
    void local.send(message);
  };
  gateway.onerror = (err) => report(gatewayErrorText(err));
  local.onerror = (err) => report(err.message);

  const done = new Promise<void>((resolve) => {
    stdin.once('end', resolve);
    stdin.once('close', resolve);
  });
  await gateway.start();
  await local.start();
  return {
    done,
    async close() {
      await local.close();
      await gateway.close();
    },
  };
}

export function registerMcp(program: Command, ctx: CliContext): void {
  program
    .command('mcp')
    .description(
      "serve MCP on stdin/stdout for a host that launches local servers, forwarding to the gateway's /mcp",
    )
    .action(async () => {
      const settings = await ctx.settings();
      const warning = insecureUrlWarning(settings.apiUrl);
      if (warning) ctx.stderr.write(`kubently mcp: ${warning}\n`);
      // Checked now, so a host that starts the bridge without a credential hears why at once.
      await authHeader(settings);
      const bridge = await startBridge(settings, ctx.stdin, ctx.stdout, ctx.stderr);
      await bridge.done;
      await bridge.close();
    });
}
