// NamespaceDescriber: status, conditions, resource quotas and limit ranges (no events, as kubectl).

import type { LimitRange, LimitRangeItem, Namespace, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { type DescribeContext, listAll } from './context.js';
import {
  printAnnotationsMultiline,
  printLabelsMultiline,
  rfc1123z,
  type Stored,
  sortedKeys,
  sortStrings,
} from './format.js';
import { isNotFound } from './kube-reader.js';
import { LEVEL_0, LEVEL_1, type PrefixWriter, tabbed } from './prefix-writer.js';
import { canonicalQuantity } from './quantity.js';

async function listOrNull<T>(ctx: DescribeContext, path: string): Promise<T[] | null> {
  try {
    return await listAll<T>(ctx, path);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** helpTextForResourceQuotaScope. */
export const QUOTA_SCOPE_HELP: Readonly<Record<string, string>> = {
  Terminating:
    'Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.',
  NotTerminating:
    'Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.',
  BestEffort:
    'Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.',
  NotBestEffort:
    'Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.',
};

function describeQuotas(quotas: Stored<ResourceQuota>[], w: PrefixWriter): void {
  if (quotas.length === 0) {
    w.write(LEVEL_0, 'No resource quota.\n');
    return;
  }
  w.write(LEVEL_0, 'Resource Quotas\n');
  for (const q of [...quotas].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    w.write(LEVEL_1, `Name:\t${q.metadata.name}\n`);
    const scopes = sortStrings([...(q.spec?.scopes ?? [])]);
    if (scopes.length > 0) {
      w.write(LEVEL_1, `Scopes:\t${scopes.join(', ')}\n`);
      for (const s of scopes) if (QUOTA_SCOPE_HELP[s]) w.write(LEVEL_1, `* ${QUOTA_SCOPE_HELP[s]}\n`);
    }
    w.write(LEVEL_1, 'Resource\tUsed\tHard\n');
    w.write(LEVEL_1, '--------\t---\t---\n');
    for (const r of sortedKeys(q.status?.hard)) {
      w.write(
        LEVEL_1,
        `${r}\t${canonicalQuantity(q.status?.used?.[r] ?? '0')}\t${canonicalQuantity(q.status?.hard?.[r])}\n`,
      );
    }
  }
}

function describeLimitRanges(ranges: LimitRange[], w: PrefixWriter): void {
  if (ranges.length === 0) {
    w.write(LEVEL_0, 'No LimitRange resource.\n');
    return;
  }
  w.write(
    LEVEL_0,
    'Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n',
  );
  w.write(LEVEL_0, ' ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n');
  for (const lr of ranges) describeLimitRangeSpec(lr, ' ', w);
}

/**
 * describeLimitRangeSpec: one row per item and resource. kubectl takes an item's resources in Go map
 * order, which is random; they are sorted here.
 */
export function describeLimitRangeSpec(lr: LimitRange, prefix: string, w: PrefixWriter): void {
  for (const item of lr.spec?.limits ?? []) {
    const fields = [item.min, item.max, item.defaultRequest, item.default, item.maxLimitRequestRatio];
    const names = sortStrings([...new Set(fields.flatMap((f) => Object.keys(f ?? {})))]);
    for (const k of names) {
      const cell = (f: LimitRangeItem['min']) => (f?.[k] === undefined ? '-' : canonicalQuantity(f[k]));
      w.write(LEVEL_0, `${prefix}${item.type}\t${k}\t${fields.map(cell).join('\t')}\n`);
    }
  }
}

export async function describeNamespace(ctx: DescribeContext, ns: Stored<Namespace>): Promise<string> {
  const name = ns.metadata.name;
  const [quotas, ranges] = await Promise.all([
    listOrNull<Stored<ResourceQuota>>(ctx, `/api/v1/namespaces/${encodeURIComponent(name)}/resourcequotas`),
    listOrNull<LimitRange>(ctx, `/api/v1/namespaces/${encodeURIComponent(name)}/limitranges`),
  ]);
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${name}\n`);
    printLabelsMultiline(w, 'Labels', ns.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', ns.metadata.annotations);
    w.write(LEVEL_0, `Status:\t${ns.status?.phase ?? ''}\n`);
    const conditions = ns.status?.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n');
      w.write(LEVEL_1, 'Type\tStatus\tLastTransitionTime\tReason\tMessage\n');
      w.write(LEVEL_1, '----\t------\t------------------\t------\t-------\n');
      for (const c of conditions) {
        w.write(
          LEVEL_1,
          `${c.type}\t${c.status}\t${rfc1123z(c.lastTransitionTime)}\t${c.reason ?? ''}\t${c.message ?? ''}\n`,
        );
      }
    }
    if (quotas) {
      w.write(LEVEL_0, '\n');
      describeQuotas(quotas, w);
    }
    if (ranges) {
      w.write(LEVEL_0, '\n');
      describeLimitRanges(ranges, w);
    }
  });
}
