// What a server-side printer is: column definitions plus a function from object to cells, as in
// k8s.io/kubernetes pkg/printers/internalversion. The server always prints wide; kubectl hides
// priority-1 columns unless -o wide.

import { since } from '../../common/duration.js';
import type { KubeObject } from '../types.js';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface RowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Printer {
  columns: readonly Column[];
  cells(obj: KubeObject, now: number): unknown[];
  conditions?(obj: KubeObject): RowCondition[] | undefined;
}

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** col('Name', ...) with type string, no format, priority 0 unless said. */
export function col(
  name: string,
  description: string,
  opts: Partial<Omit<Column, 'name' | 'description'>> = {},
): Column {
  return {
    name,
    type: opts.type ?? 'string',
    format: opts.format ?? '',
    description,
    priority: opts.priority ?? 0,
  };
}

export const NAME = col('Name', NAME_DESCRIPTION, { format: 'name' });
export const AGE = col('Age', AGE_DESCRIPTION);

export function age(obj: KubeObject, now: number): string {
  return since(obj.metadata.creationTimestamp, now);
}

/** labels.FormatLabels: sorted k=v joined by commas, '<none>' when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key. */
export function selectorString(sel: LabelSelector | undefined | null): string {
  if (!sel) return '';
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    const op = e.operator;
    const text =
      op === 'In'
        ? `${e.key} in (${values})`
        : op === 'NotIn'
          ? `${e.key} notin (${values})`
          : op === 'Exists'
            ? e.key
            : `!${e.key}`;
    reqs.push([e.key, text]);
  }
  reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return reqs.map((r) => r[1]).join(',');
}

/** metav1.FormatLabelSelector: '<none>' for an empty selector. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = selectorString(sel);
  return s === '' ? '<none>' : s;
}

export function containerCells(containers: { name: string; image: string }[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image).join(',')];
}

/** Reads a nested field without a cast at every step; printers know the shapes they read. */
export function spec<T>(obj: KubeObject): T {
  return (obj.spec ?? {}) as T;
}
export function status<T>(obj: KubeObject): T {
  return (obj.status ?? {}) as T;
}
