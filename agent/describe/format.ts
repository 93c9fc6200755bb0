// Formatting helpers shared by the describers, each a port of the kubectl function it is named after.

import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { PrefixWriter } from './prefix-writer.js';
import { LEVEL_0 } from './prefix-writer.js';

/** An object as the kube-apiserver returns it: its metadata, and the name in it, are always set. */
export type Stored<T> = T & { metadata: ObjectMeta & { name: string } };

/** An object of any kind, as describe reads it before its kind's describer takes it. */
export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const GO_ZERO_TIME = 'Mon, 01 Jan 0001 00:00:00 +0000';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Go's time.RFC1123Z in UTC (the agent runs in UTC): 'Mon, 02 Jan 2006 15:04:05 +0000'. */
export function rfc1123z(timestamp: unknown): string {
  if (typeof timestamp !== 'string' || timestamp === '') return GO_ZERO_TIME;
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return GO_ZERO_TIME;
  return `${DAY_NAMES[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

export { humanDuration, since } from '../../common/duration.js';

export function isZeroTime(timestamp: unknown): boolean {
  return typeof timestamp !== 'string' || timestamp === '' || Number.isNaN(Date.parse(timestamp));
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortedKeys(m: Record<string, unknown> | undefined | null): string[] {
  return Object.keys(m ?? {}).sort(byCodeUnits);
}

export function sortStrings(list: string[]): string[] {
  return list.sort(byCodeUnits);
}

/** labels.FormatLabels, shared with the table printer's LABELS column. */
export { formatLabels } from '../printers/table.js';

/** labels.Selector.String() of metav1.LabelSelectorAsSelector; null when the selector is nil. */
export function selectorString(sel: LabelSelector | undefined | null): string | null {
  if (sel === undefined || sel === null) return null;
  const reqs: { key: string; text: string }[] = [];
  for (const k of sortedKeys(sel.matchLabels)) reqs.push({ key: k, text: `${k}=${sel.matchLabels?.[k]}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = sortStrings([...new Set<string>(e.values ?? [])]).join(',');
    const text =
      e.operator === 'In'
        ? `${e.key} in (${values})`
        : e.operator === 'NotIn'
          ? `${e.key} notin (${values})`
          : e.operator === 'Exists'
            ? e.key
            : `!${e.key}`;
    reqs.push({ key: e.key, text });
  }
  reqs.sort((a, b) => byCodeUnits(a.key, b.key));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: '<none>' for an empty selector. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = selectorString(sel);
  return s === null || s === '' ? '<none>' : s;
}

/** printLabelsMultilineWithIndent. */
export function printLabelsMultiline(
  w: PrefixWriter,
  title: string,
  labels: Record<string, string> | undefined | null,
  initialIndent = '',
  innerIndent = '\t',
): void {
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  const keys = sortedKeys(labels);
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, innerIndent);
    }
    w.write(LEVEL_0, `${key}=${labels?.[key]}\n`);
  });
}

const MAX_ANNOTATION_LEN = 140;
const SKIP_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/** printAnnotationsMultiline: long or multi-line values go below their key, cut at 140 characters. */
export function printAnnotationsMultiline(
  w: PrefixWriter,
  title: string,
  annotations: Record<string, string> | undefined | null,
): void {
  w.write(LEVEL_0, `${title}:\t`);
  const keys = sortedKeys(annotations).filter((k) => !SKIP_ANNOTATIONS.has(k));
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const indent = '\t';
  keys.forEach((key, i) => {
    if (i !== 0) w.write(LEVEL_0, indent);
    let value = String(annotations?.[key] ?? '');
    if (value.endsWith('\n')) value = value.slice(0, -1);
    if (goLen(value) + goLen(key) + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(LEVEL_0, `${key}:\n`);
      for (const s of value.split('\n'))
        w.write(LEVEL_0, `${indent}  ${shorten(s, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(LEVEL_0, `${key}: ${value}\n`);
    }
  });
}

/** Go's len(string): bytes of the UTF-8 encoding. */
function goLen(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Taint.ToString. */
export function taintString(t: Taint): string {
  const key = t.key ?? '';
  const value = t.value ?? '';
  const effect = t.effect ?? '';
  if (effect === '') return value === '' ? key : `${key}=${value}:`;
  return value === '' ? `${key}:${effect}` : `${key}=${value}:${effect}`;
}

export function printTaintsMultiline(w: PrefixWriter, title: string, taints: Taint[] | undefined): void {
  w.write(LEVEL_0, `${title}:\t`);
  const list = [...(taints ?? [])];
  if (list.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const key = (t: Taint) => `${t.effect ?? ''},${t.key ?? ''}`;
  list.sort((a, b) => byCodeUnits(key(a), key(b)));
  list.forEach((t, i) => {
    if (i !== 0) w.write(LEVEL_0, '\t');
    w.write(LEVEL_0, `${taintString(t)}\n`);
  });
}

/** printTolerationsMultilineWithIndent. */
export function printTolerationsMultiline(
  w: PrefixWriter,
  title: string,
  tolerations: Toleration[] | undefined,
  initialIndent = '',
): void {
  w.write(LEVEL_0, `${initialIndent}${title}:\t`);
  const list = [...(tolerations ?? [])];
  if (list.length === 0) {
    w.writeLine('<none>');
    return;
  }
  list.sort((a, b) => byCodeUnits(a.key ?? '', b.key ?? ''));
  list.forEach((t, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, '\t');
    }
    const key = t.key ?? '';
    const value = t.value ?? '';
    const effect = t.effect ?? '';
    let s = key;
    if (value !== '') s += `=${value}`;
    if (effect !== '') s += `:${effect}`;
    if (t.operator === 'Exists' && value === '')
      s += key !== '' || effect !== '' ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null)
      s += ` for ${t.tolerationSeconds}s`;
    w.write(LEVEL_0, `${s}\n`);
  });
}

/** printController: 'Kind/name' of the controlling owner reference, or ''. */
export function controllerOf(obj: { metadata?: ObjectMeta } | undefined): string {
  const ref = (obj?.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  return ref ? `${ref.kind}/${ref.name}` : '';
}

export function controllerUid(obj: { metadata?: ObjectMeta } | undefined): string | undefined {
  return (obj?.metadata?.ownerReferences ?? []).find((r) => r.controller === true)?.uid;
}

/** intstr.IntOrString.String(). */
export function intOrString(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

export function printBool(v: unknown): string {
  return v === true ? 'True' : 'False';
}

/** Go's %q for the plain strings describe quotes. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
