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

/** A list read in chunks, following `continue` as kubectl's FollowContinue does. */
export async function listAll<T>(
  ctx: DescribeContext,
  path: string,
  query: Record<string, string> = {},
): Promise<T[]> {
  const items: T[] = [];
  let cont = '';
  do {
    const page = await ctx.reader.getJson<{ items?: T[]; metadata?: ListMeta } | null>(
      path,
      { ...query, limit: String(CHUNK_SIZE), ...(cont ? { continue: cont } : {}) },
      ctx.signal,
    );
    items.push(...(page?.items ?? []));
    cont = page?.metadata?.continue ?? '';
  } while (cont);
  return items;
}

export function getObject<T>(ctx: DescribeContext, path: string): Promise<T> {
  return ctx.reader.getJson<T>(path, undefined, ctx.signal);
}

export function nsPath(namespace: string, rest: string, group = ''): string {
  const base = group === '' ? '/api/v1' : `/apis/${group}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${rest}`;
}
