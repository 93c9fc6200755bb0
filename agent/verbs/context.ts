// What every verb receives, and what it hands back to the executor.

import type { Logger } from '../../common/logger.js';
import type { KubeClient } from '../kube-client.js';
import type { DocumentCache } from './document-cache.js';

export interface ExecutorLimits {
  /** The most bytes one command's output may hold; longer output is cut and marked. */
  maxOutputBytes: number;
  /** The tail applied to `logs` when the command gives none (undefined: the whole log, like kubectl). */
  defaultLogTail?: number;
  /** The largest tail a `logs` command may ask for. */
  maxLogTail?: number;
}

export interface VerbContext {
  kube: KubeClient;
  log: Logger;
  limits: ExecutorLimits;
  cache: DocumentCache;
  signal: AbortSignal;
  now: () => number;
}

/** A verb's answer: stdout as kubectl writes it and, when kubectl would fail, its stderr text. */
export interface VerbResult {
  output: string;
  error: string | null;
  truncated?: boolean;
}

export const ok = (output: string): VerbResult => ({ output, error: null });

/** kubectl's list page size (--chunk-size default). */
export const defaultChunkSize = 500;

/** JSON of a GET; the caller knows the shape it asked for. */
export async function getJson<T>(
  ctx: VerbContext,
  path: string,
  query?: Record<string, string | number | boolean | undefined>,
): Promise<T> {
  const res = await ctx.kube.get(path, { query: query ?? {}, signal: ctx.signal });
  return JSON.parse(res.body) as T;
}
