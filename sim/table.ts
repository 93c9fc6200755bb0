// Server-side printing: meta.k8s.io Table responses, as kubectl get asks for them.

import { printerFor } from './printers/index.js';
import type { KubeObject } from './types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The Table version kubectl accepts, or undefined when it did not ask for a Table. */
export function acceptedTableVersion(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  if (!accept?.includes('as=Table')) return undefined;
  for (const media of accept.split(',')) {
    const params = media.split(';').map((p) => p.trim());
    if (params[0] !== 'application/json' || !params.includes('as=Table')) continue;
    if (!params.includes('g=meta.k8s.io')) continue;
    if (params.includes('v=v1')) return 'v1';
    if (params.includes('v=v1beta1')) return 'v1beta1';
  }
  return undefined;
}

export interface TableMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export function renderTable(
  resource: string,
  objects: readonly KubeObject[],
  meta: TableMeta,
  version: 'v1' | 'v1beta1',
  include: IncludeObject,
  now: number,
): string {
  const printer = printerFor(resource);
  const rows = objects.map((obj) => {
    const conditions = printer.conditions?.(obj);
    const row: Record<string, unknown> = { cells: printer.cells(obj, now) };
    if (conditions) row.conditions = conditions;
    if (include === 'Object') row.object = obj;
    else if (include === 'Metadata')
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    return row;
  });
  return JSON.stringify({
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: meta,
    columnDefinitions: printer.columns,
    rows,
  });
}
