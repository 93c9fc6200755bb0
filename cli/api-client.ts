// A thin client for the gateway's REST API. Error answers become CliErrors carrying the API's error code.
// Redirects are followed only within the gateway's origin: the API key travels in a header, and fetch
// would resend it to wherever a Location points (another host, or plain http).

import type { ErrorBody } from '../common/api.js';
import { takeSseEvents } from '../common/sse.js';
import { CliError } from './errors.js';
import { EXIT, exitCodeForStatus } from './exit-codes.js';
import { needsRefresh, refreshLogin } from './oidc-login.js';
import { type Settings, updateConfigFile } from './settings.js';

export interface ApiResponse<T> {
  status: number;
  body: T;
}

export interface ApiClient {
  request<T>(
    method: string,
    path: string,
    body?: unknown,
    options?: { allowStatus?: number[] },
  ): Promise<ApiResponse<T>>;
  /**
   * A POST that asks for Server-Sent Events: each event goes to `onEvent` as it arrives. Resolves with the JSON
   * body when the gateway answered JSON instead (a command that does not follow), with undefined when the
   * event stream ended or `signal` aborted it. Error answers throw like request().
   */
  stream<T>(
    path: string,
    body: unknown,
    options: { onEvent(event: string, data: unknown): void; signal?: AbortSignal },
  ): Promise<T | undefined>;
}

/** Redirects followed within the origin before giving up (fetch's own limit is 20). */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The header that carries the credential; a stored login is refreshed first when it is about to expire. */
export async function authHeader(settings: Settings): Promise<Record<string, string>> {
  const credential = settings.credential;
  switch (credential?.kind) {
    case 'api_key':
      return { 'x-api-key': credential.value };
    case 'token':
      return { authorization: `Bearer ${credential.value}` };
    case 'login': {
      const now = Math.floor(Date.now() / 1000);
      if (needsRefresh(credential.login, now)) {
        const login = await refreshLogin(credential.login, now);
        credential.login = login;
        await updateConfigFile(settings.configPath, (file) => ({ ...file, oidc: login }));
      }
      return { authorization: `Bearer ${credential.login.token}` };
    }
    case 'unusable':
      throw new CliError(credential.message, EXIT.usage);
    case undefined:
      throw new CliError(
        'not signed in: run kubently login, pass --token or --api-key, or set KUBENTLY_TOKEN or KUBENTLY_API_KEY',
        EXIT.unauthorized,
      );
  }
}

export function createApiClient(settings: Settings, fetchImpl: typeof fetch = fetch): ApiClient {
  /** Sends one request, following redirects within the gateway's origin only. */
  async function send(
    method: string,
    path: string,
    body: unknown,
    accept: string,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...(await authHeader(settings)), accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const origin = new URL(settings.apiUrl).origin;
    let url = `${settings.apiUrl}${path}`;
    let res: Response;
    try {
      for (let hops = 0; ; hops++) {
        res = await fetchImpl(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          redirect: 'manual',
          signal,
        });
        const location = res.headers.get('location');
        if (!REDIRECT_STATUSES.has(res.status) || location === null) break;
        const next = new URL(location, url);
        if (next.origin !== origin) {
          throw new CliError(
            `the gateway at ${origin} redirected to another origin (${next.origin}); refusing to send the API key or token there`,
            EXIT.failure,
            'cross_origin_redirect',
          );
        }
        if (hops >= MAX_REDIRECTS) throw new CliError(`more than ${MAX_REDIRECTS} redirects`, EXIT.failure);
        url = next.href;
      }
    } catch (err) {
      if (err instanceof CliError || signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(
        `cannot reach the gateway at ${settings.apiUrl} (${reason})`,
        EXIT.unavailable,
        'unreachable',
      );
    }
    return res;
  }

  /** The JSON body of an answer; an error answer becomes a CliError with the API's code and its exit code. */
  async function jsonOf<T>(res: Response, allowStatus: number[] = []): Promise<ApiResponse<T>> {
    const text = await res.text();
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new CliError(`the gateway answered ${res.status} with a body that is not JSON`, EXIT.failure);
      }
    }
    if (res.ok || allowStatus.includes(res.status)) return { status: res.status, body: parsed as T };
    // Whatever answered may not be the gateway: every field may be missing.
    const err = (parsed ?? {}) as Partial<ErrorBody>;
    const code = err.error ?? `http_${res.status}`;
    throw new CliError(`${code}: ${err.message ?? res.statusText}`, exitCodeForStatus(res.status), code);
  }

  return {
    async request<T>(method: string, path: string, body?: unknown, options: { allowStatus?: number[] } = {}) {
      return jsonOf<T>(await send(method, path, body, 'application/json'), options.allowStatus);
    },
    async stream<T>(
      path: string,
      body: unknown,
      options: { onEvent(event: string, data: unknown): void; signal?: AbortSignal },
    ) {
      let res: Response;
      try {
        res = await send('POST', path, body, 'text/event-stream', options.signal);
      } catch (err) {
        if (options.signal?.aborted) return undefined;
        throw err;
      }
      if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream'))
        return (await jsonOf<T>(res)).body;
      try {
        await readEvents(res, options.onEvent);
      } catch (err) {
        if (!options.signal?.aborted) throw err;
      }
      return undefined;
    },
  };
}

/** Reads an SSE body, handing each event on as it completes. */
async function readEvents(res: Response, onEvent: (event: string, data: unknown) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const taken = takeSseEvents(buffer + decoder.decode(chunk, { stream: true }));
    buffer = taken.rest;
    for (const { event, data } of taken.events) onEvent(event, data);
  }
}
