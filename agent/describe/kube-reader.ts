// The one capability describe needs from the API client: GET a path, parse JSON, throw on non-2xx.

import type { KubeClient, KubeResponse } from '../kube-client.js';
import { redactObject } from '../redact.js';
import { unreachableApiText } from '../transport-error.js';
import { RefusedError } from '../verbs/refused.js';

export interface KubeReader {
  /** Throws an error carrying the API `Status` (statusCode, reason, message) on a non-2xx answer. */
  getJson<T>(path: string, query?: Record<string, string>, signal?: AbortSignal): Promise<T>;
  /** The caller is done with a value getJson returned: its bytes go back to the command's budget. */
  release?(value: unknown): void;
}

/** Adapts the agent's keep-alive client (agent/kube-client.ts), or a command's budgeted view of it. */
export function kubeReaderOf(client: KubeClient & { release?(res: KubeResponse): void }): KubeReader {
  const responses = new WeakMap<object, KubeResponse>();
  return {
    async getJson<T>(path: string, query?: Record<string, string>, signal?: AbortSignal): Promise<T> {
      const res = await client.get(path, {
        accept: 'application/json',
        ...(query ? { query } : {}),
        ...(signal ? { signal } : {}),
      });
      // Describers print what they read: redacted like every other printer's input (agent/redact.ts).
      const value = redactObject(JSON.parse(res.body)) as T;
      if (value !== null && typeof value === 'object') responses.set(value, res);
      return value;
    },
    release(value) {
      const res = value !== null && typeof value === 'object' ? responses.get(value) : undefined;
      if (res) client.release?.(res);
    },
  };
}

export interface ApiErrorLike {
  statusCode: number;
  reason: string;
  message: string;
}

export function isApiError(err: unknown): err is ApiErrorLike {
  return (
    err instanceof Error &&
    typeof (err as Partial<ApiErrorLike>).statusCode === 'number' &&
    typeof (err as Partial<ApiErrorLike>).reason === 'string'
  );
}

export function isNotFound(err: unknown): boolean {
  return isApiError(err) && (err.statusCode === 404 || err.reason === 'NotFound');
}

/**
 * Go's err.Error() of a client-go StatusError: the Status message. A transport error is the shared
 * could-not-reach text instead: its message would name the apiserver's internal address.
 */
export function errorText(err: unknown): string {
  return (
    unreachableApiText(err)?.replace(/^error: /, '') ?? (err instanceof Error ? err.message : String(err))
  );
}

/** kubectl's stderr line for an API error: `Error from server (NotFound): pods "x" not found`. */
export function kubectlErrorLine(err: unknown): string {
  if (isApiError(err)) {
    const text = (err as { text?: unknown }).text;
    if (typeof text === 'string' && text.length > 0) return text;
    return err.reason
      ? `Error from server (${err.reason}): ${err.message}`
      : `Error from server: ${err.message}`;
  }
  // The agent's own refusals are kubectl-style lines already.
  if (err instanceof RefusedError) return err.message;
  return `error: ${errorText(err)}`;
}
