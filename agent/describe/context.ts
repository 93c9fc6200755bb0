// What every describer receives: the reader, the deadline signal and the clock.

import type { ListMeta } from 'kubernetes-types/meta/v1.js';
import type { KubeReader } from './kube-reader.js';

/** kubectl's --chunk-size default: lists are read 500 items at a time. */
export const CHUNK_SIZE = 500;

export interface DescribeContext {
  reader: KubeReader;
  signal: AbortSignal;
  now: number;
}

/**
 * A list read in chunks, following `continue` as kubectl's FollowContinue does. Each page's items are
 * handed out before the next page is read, and the page goes back to the command's budget then.
 */
export async function* listPages<T>(
  ctx: DescribeContext,
  path: string,
  query: Record<string, string> = {},
): AsyncGenerator<T[]> {
  let cont = '';
  do {
    const page = await ctx.reader.getJson<{ items?: T[]; metadata?: ListMeta } | null>(
      path,
      { ...query, limit: String(CHUNK_SIZE), ...(cont ? { continue: cont } : {}) },
      ctx.signal,
    );
    try {
      yield page?.items ?? [];
    } finally {
      ctx.reader.release?.(page);
    }
    cont = page?.metadata?.continue ?? '';
  } while (cont);
}

/** Every item of a list (small lists: an object's events, a node's pods). */
export async function listAll<T>(
  ctx: DescribeContext,
  path: string,
  query: Record<string, string> = {},
): Promise<T[]> {
  const items: T[] = [];
  for await (const page of listPages<T>(ctx, path, query)) items.push(...page);
  return items;
}

export function getObject<T>(ctx: DescribeContext, path: string): Promise<T> {
  return ctx.reader.getJson<T>(path, undefined, ctx.signal);
}

export function nsPath(namespace: string, rest: string, group = ''): string {
  const base = group === '' ? '/api/v1' : `/apis/${group}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${rest}`;
}
