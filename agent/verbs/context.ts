// What every verb receives, and what it hands back to the executor.

import type { Logger } from '../../common/logger.js';
import type { BudgetedKubeClient } from '../budget.js';
import { MAX_PAGE_ITEMS } from '../budget.js';
import type { DocumentCache } from './document-cache.js';
import type { TypeResolver } from './resolve-type.js';

export interface ExecutorLimits {
  /** The most bytes one command's output may hold; longer output is cut and marked. */
  maxOutputBytes: number;
  /** The tail applied to `logs` when the command gives none (undefined: the whole log, like kubectl). */
  defaultLogTail?: number;
  /** The largest tail a `logs` command may ask for. */
  maxLogTail?: number;
}

export interface VerbContext {
  /** This command's view of the apiserver client, drawing on its budgets. */
  kube: BudgetedKubeClient;
  log: Logger;
  limits: ExecutorLimits;
  cache: DocumentCache;
  /** Custom resource types through discovery, judged by the agent's policy. */
  types: TypeResolver;
  signal: AbortSignal;
  now: () => number;
}

/** A verb's answer: stdout as kubectl writes it and, when kubectl would fail, its stderr text. */
export interface VerbResult {
  output: string;
  error: string | null;
  /** Output was left out: the output limit was reached, or a budget ran out. */
  truncated?: boolean;
  /** Why, when not the output limit: the line the user reads at the end of the output. */
  truncatedBecause?: string;
}

export const ok = (output: string): VerbResult => ({ output, error: null });

/** kubectl's list page size (--chunk-size default). */
export const defaultChunkSize = 500;

/**
 * The page size to ask for: --limit or --chunk-size as given (kubectl's paging), but never more than
 * MAX_PAGE_ITEMS or unpaged, because a page is held whole in memory. The output is the same either way.
 */
export function pageSize(requested: number | undefined): number {
  return requested === undefined || requested <= 0 ? MAX_PAGE_ITEMS : Math.min(requested, MAX_PAGE_ITEMS);
}

/** JSON of a GET; the caller knows the shape it asked for. */
export async function getJson<T>(
  ctx: VerbContext,
  path: string,
  query?: Record<string, string | number | boolean | undefined>,
): Promise<T> {
  const res = await ctx.kube.get(path, { query: query ?? {}, signal: ctx.signal });
  return JSON.parse(res.body) as T;
}

/** A GET's JSON whose response bytes are given back to the command's budget once parsed and used. */
export async function getJsonReleased<T>(
  ctx: VerbContext,
  path: string,
  query?: Record<string, string | number | boolean | undefined>,
): Promise<T> {
  const res = await ctx.kube.get(path, { query: query ?? {}, signal: ctx.signal });
  try {
    return JSON.parse(res.body) as T;
  } finally {
    ctx.kube.release(res);
  }
}
