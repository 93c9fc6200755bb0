// A thin client for the gateway's REST API. Error answers become CliErrors carrying the API's error code.

import type { ErrorBody } from '../common/api.js';
import { CliError } from './errors.js';
import { EXIT, exitCodeForStatus } from './exit-codes.js';
import type { Settings } from './settings.js';

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
}

export function createApiClient(settings: Settings, fetchImpl: typeof fetch = fetch): ApiClient {
  return {
    async request<T>(method: string, path: string, body?: unknown, options: { allowStatus?: number[] } = {}) {
      if (!settings.apiKey) {
        throw new CliError(
          'no API key: pass --api-key, set KUBENTLY_API_KEY or add api_key to the config file',
          EXIT.unauthorized,
        );
      }
      const headers: Record<string, string> = { 'x-api-key': settings.apiKey, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetchImpl(`${settings.apiUrl}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const reason = cause?.code ?? cause?.message ?? (err as Error).message;
        throw new CliError(
          `cannot reach the gateway at ${settings.apiUrl} (${reason})`,
          EXIT.unavailable,
          'unreachable',
        );
      }
      const text = await res.text();
      let parsed: unknown;
      if (text) {
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new CliError(`the gateway answered ${res.status} with a body that is not JSON`, EXIT.failure);
        }
      }
      if (res.ok || options.allowStatus?.includes(res.status))
        return { status: res.status, body: parsed as T };
      // Whatever answered may not be the gateway: every field may be missing.
      const err = (parsed ?? {}) as Partial<ErrorBody>;
      const code = err.error ?? `http_${res.status}`;
      throw new CliError(`${code}: ${err.message ?? res.statusText}`, exitCodeForStatus(res.status), code);
    },
  };
}
