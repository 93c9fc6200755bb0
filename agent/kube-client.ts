// The agent's HTTP client for the kube-apiserver. Server, TLS material and auth headers come from a
// KubeAccess (agent/kube-access.ts); the requests go through node's http(s) with one keep-alive Agent,
// because client-node 1.4 opens a new connection per call and converts every body into model classes
// (3-4x the cost of a JSON.parse the printers do not need).

import http from 'node:http';
import https from 'node:https';
import { BudgetExceededError } from './budget.js';
import type { KubeAccess } from './kube-access.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  accept?: string;
  query?: Query;
  signal?: AbortSignal;
  /** get: a body larger than this is not read; the request fails with a BudgetExceededError. */
  maxBytes?: number;
  /** Called with each chunk's size as it arrives; a throw drops the connection and fails the request. */
  onBytes?: (bytes: number) => void;
}

export interface StreamOptions extends RequestOptions {
  /** Stop reading (and drop the connection) once this many bytes have arrived. */
  maxBytes: number;
}

export interface KubeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body's size in bytes as it arrived. */
  bytes: number;
}

export interface KubeStreamResponse extends KubeResponse {
  truncated: boolean;
}

export interface KubeClient {
  /** The API server URL of the current context, as kubectl cluster-info prints it. */
  readonly server: string;
  /** A GET whose 2xx body is returned whole; any other status throws a KubeApiError. */
  get(path: string, options?: RequestOptions): Promise<KubeResponse>;
  /** A GET whose body is read up to `maxBytes` (log streams); other statuses throw a KubeApiError. */
  stream(path: string, options: StreamOptions): Promise<KubeStreamResponse>;
  /**
   * A GET that stays open (a watch, a followed log): the 2xx response to read as it arrives (destroy it, or
   * abort `signal`, to close it); other statuses throw a KubeApiError.
   */
  open(path: string, options: RequestOptions): Promise<http.IncomingMessage>;
  close(): void;
}

/** What the apiserver said, with the text kubectl would print to stderr for it. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string;
  /** kubectl's stderr line: `Error from server (NotFound): pods "x" not found`. */
  readonly text: string;

  constructor(statusCode: number, reason: string, text: string, serverMessage: string) {
    super(serverMessage);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
    this.text = text;
  }
}

export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === 'AbortError' || (err as NodeJS.ErrnoException).code === 'ABORT_ERR')
  );
}

/** An error body larger than this is cut; kubectl shows only its message anyway. */
const maxErrorBodyBytes = 64 * 1024;

export interface KubeClientOptions {
  maxSockets?: number;
}

export async function createKubeClient(
  access: KubeAccess,
  options: KubeClientOptions = {},
): Promise<KubeClient> {
  const server = access.server.replace(/\/+$/, '');
  const base = new URL(server);
  const isHttps = base.protocol === 'https:';
  const { tls } = access;
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 64,
    // As many idle sockets as may be busy: under full load none is closed and reopened per request.
    maxFreeSockets: options.maxSockets ?? 64,
    ...(isHttps
      ? {
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          servername: tls.servername,
          ...(tls.skipTLSVerify ? { rejectUnauthorized: false } : {}),
        }
      : {}),
  };
  const agent = isHttps ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const transport = isHttps ? https : http;

  async function open(path: string, options: RequestOptions): Promise<http.IncomingMessage> {
    const auth = await access.authHeaders();
    options.signal?.throwIfAborted();
    const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return new Promise((resolve, reject) => {
      const req = transport.request(url, {
        method: 'GET',
        agent,
        headers: { ...auth, Accept: options.accept ?? 'application/json', 'User-Agent': 'kubently-agent' },
        signal: options.signal,
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.end();
    });
  }

  /** Reads up to `maxBytes` (then stops: truncated) and reports each chunk to `onBytes` first. */
  async function readBody(
    res: http.IncomingMessage,
    maxBytes: number,
    onBytes?: (bytes: number) => void,
  ): Promise<{ body: string; truncated: boolean; bytes: number }> {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        const kept = size + chunk.length > maxBytes ? chunk.subarray(0, maxBytes - size) : chunk;
        onBytes?.(kept.length);
        chunks.push(kept);
        size += kept.length;
        if (kept !== chunk) {
          truncated = true;
          break;
        }
      }
    } finally {
      // Leaving the iterator early destroys the response, so an endless log stream stops here.
      if (!res.complete) res.destroy();
    }
    return { body: Buffer.concat(chunks, size).toString('utf8'), truncated, bytes: size };
  }

  function tooLarge(path: string, maxBytes: number): BudgetExceededError {
    return new BudgetExceededError(
      'response',
      `error: the apiserver's answer to "${describeRequest(path)}" is larger than the ${Math.floor(maxBytes / 1024)} KiB the agent reads per response; narrow it with -l, --field-selector or --limit`,
    );
  }

  async function failIfNotOk(res: http.IncomingMessage, path: string): Promise<void> {
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    const { body } = await readBody(res, maxErrorBodyBytes);
    throw apiErrorFrom(status, body, path);
  }

  return {
    server,
    async get(path, options = {}) {
      const res = await open(path, options);
      await failIfNotOk(res, path);
      const maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
      if (Number(res.headers['content-length'] ?? 0) > maxBytes) {
        res.destroy();
        throw tooLarge(path, maxBytes);
      }
      // One byte over the cap tells a body that is exactly at the cap from one that is larger.
      const read = await readBody(res, maxBytes + 1, options.onBytes);
      if (read.truncated) throw tooLarge(path, maxBytes);
      return { status: res.statusCode ?? 0, headers: res.headers, body: read.body, bytes: read.bytes };
    },
    async stream(path, options) {
      const res = await open(path, options);
      await failIfNotOk(res, path);
      const { body, truncated, bytes } = await readBody(res, options.maxBytes, options.onBytes);
      return { status: res.statusCode ?? 0, headers: res.headers, body, truncated, bytes };
    },
    async open(path, options) {
      const res = await open(path, options);
      await failIfNotOk(res, path);
      return res;
    },
    close() {
      agent.destroy();
    },
  };
}

interface StatusBody {
  kind?: string;
  reason?: string;
  message?: string;
}

/** What a request path asks for, in RBAC words: `list pods in namespace "x"`. */
export function describeRequest(path: string): string {
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  // /api/v1/... or /apis/<group>/<version>/...
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = decodeURIComponent(rest[1] ?? '');
    rest.splice(0, 2);
  }
  const [resource, name, subresource] = rest;
  const verb = name === undefined ? 'list' : 'get';
  const what = subresource ? `${resource}/${subresource}` : (resource ?? path);
  return `${verb} ${what}${namespace === undefined ? '' : ` in namespace "${namespace}"`}`;
}

/** kubectl's rendering of a failed request (k8s.io/kubectl/pkg/cmd/util StandardErrorMessage). */
export function apiErrorFrom(status: number, body: string, path: string): KubeApiError {
  let parsed: StatusBody | undefined;
  try {
    const value = JSON.parse(body) as StatusBody;
    if (value && value.kind === 'Status') parsed = value;
  } catch {
    // not a Status: fall through to the generic text
  }
  const reason = parsed?.reason ?? '';
  const message = parsed?.message ?? '';
  if (status === 403) {
    const text = `the agent is not allowed to ${describeRequest(path)} (RBAC): ${message || 'forbidden'}`;
    return new KubeApiError(status, reason || 'Forbidden', text, message);
  }
  if (parsed && message) {
    const text = reason ? `Error from server (${reason}): ${message}` : `Error from server: ${message}`;
    return new KubeApiError(status, reason, text, message);
  }
  const text = `error: the server responded with the status code ${status} but did not return more information`;
  return new KubeApiError(status, reason, text, body.slice(0, 200));
}
