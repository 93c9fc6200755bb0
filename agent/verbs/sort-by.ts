// kubectl --sort-by, as kubectl 1.32 sorts (pkg/cmd/get/sorter.go): the path is made a JSONPath by
// RelaxedJSONPathExpression and read from each full object with client-go's jsonpath (missing keys
// allowed, the first result counts); rows compare with isLess (numbers as numbers, two strings that
// both parse as quantities as quantities, any other strings byte by byte since 1.31); a row without
// the field is "less" than any row, even another without it, which is what Go's sort.Sort (ported
// in go-sort.ts) is then handed, so ties and missing values land where kubectl puts them.

import { cmpQuantity, parseQuantity as parseExactQuantity } from '../describe/quantity.js';
import { goSort } from '../printers/go-sort.js';

type Json = unknown;

/** One step of a parsed path: a field (map key), an array index, or `[*]` (every element). */
export type PathStep = string | number | { wildcard: true };

/** kubectl's RelaxedJSONPathExpression: `metadata.name`, `{.metadata.name}`, ... → `{.metadata.name}`. */
export function relaxedJsonPath(expression: string): string {
  const m = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/.exec(expression);
  return m ? `{.${m[1] ?? m[2]}}` : expression;
}

/**
 * The steps of a relaxed path, read as client-go's jsonpath reads a field list: `.name` up to the next
 * `.`, `[` or `]` (a backslash escapes the next character, so `app\.kubernetes\.io/name` is one key),
 * `[N]`, `[*]`, `['key']` and `["key"]`. Throws for anything else; the parser allows only these forms.
 */
export function parseSortPath(expression: string): PathStep[] {
  const relaxed = relaxedJsonPath(expression.trim());
  const text = relaxed.startsWith('{') ? relaxed.slice(1, -1) : relaxed;
  const steps: PathStep[] = [];
  const re = /\.((?:\\.|[^.[\]\\])+)|\[(\d+)\]|\[(\*)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`error: invalid sort-by expression ${JSON.stringify(expression)}`);
    if (m[1] !== undefined) steps.push(m[1] === '*' ? { wildcard: true } : m[1].replace(/\\(.)/g, '$1'));
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else if (m[3] !== undefined) steps.push({ wildcard: true });
    else steps.push((m[4] ?? m[5]) as string);
    at = re.lastIndex;
  }
  return steps;
}

/** client-go jsonpath FindResults with AllowMissingKeys, first result only: undefined when there is none. */
export function evaluate(value: Json, path: readonly PathStep[]): Json {
  let current: Json[] = [value];
  for (const step of path) {
    const next: Json[] = [];
    for (const v of current) {
      if (v === null || typeof v !== 'object') continue;
      if (typeof step === 'object') {
        next.push(...(Array.isArray(v) ? v : Object.values(v)));
      } else if (typeof step === 'number') {
        if (Array.isArray(v) && step < v.length) next.push(v[step]);
      } else if (!Array.isArray(v) && Object.hasOwn(v, step)) {
        next.push((v as Record<string, Json>)[step]);
      }
    }
    current = next;
  }
  return current.length > 0 ? current[0] : undefined;
}

// `\d+(?:\.\d*)?`, not `\d+\.?\d*`: the latter splits a run of digits two ways at every length, so a long
// digit string that is not a quantity cost quadratic time.
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$/;

/** resource.ParseQuantity's acceptance, for telling quantities from other strings. */
export function isQuantity(s: string): boolean {
  return QUANTITY.test(s);
}

/** Go's `a < b` on strings: UTF-8 byte order, which is code point order (not UTF-16 unit order). */
export function byteLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after U+E000..U+FFFF in code point order.
    if (x >= 0xd800) x += x <= 0xdfff ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y <= 0xdfff ? 0x2000 : -0x800;
    return x < y;
  }
  return a.length < b.length;
}

/**
 * kubectl exits when two values cannot be compared (klog.Exitf in its Less); the agent answers a
 * failure with the same text, without klog's header line prefix.
 */
export class UnsortableError extends Error {}

/** Go's %T of a value decoded from JSON into interface{}. */
function goTypeOf(v: Json): string {
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** isLess for two values found at the path (reflect.Interface branch: JSON decodes into interfaces). */
export function valueLess(a: Json, b: Json): boolean {
  if (a === null) return b !== null;
  if (b === null) return false;
  if (typeof a === 'number' || typeof a === 'string') {
    if (typeof a !== typeof b) throw new UnsortableError('unsortable interface: interface');
    if (typeof a === 'number') return a < (b as number);
    const bs = b as string;
    if (isQuantity(a) && isQuantity(bs))
      return cmpQuantity(parseExactQuantity(a), parseExactQuantity(bs)) < 0;
    return byteLess(a, bs);
  }
  throw new UnsortableError(`unsortable type: ${goTypeOf(a)}`);
}

/** kubectl's error when no object has the path; `expression` as the user gave it. */
export function notFoundMessage(expression: string): string {
  return `couldn't find any field with path ${JSON.stringify(relaxedJsonPath(expression))} in the list of objects`;
}

/**
 * Sorts in place by the value at `expression` of each element's `objectOf`, with Go's sort.Sort.
 * Returns false, leaving `items` alone, when no element has the field (kubectl's "couldn't find any
 * field" case, which the caller reports as kubectl does for its output format). Throws
 * UnsortableError where kubectl exits; `goType` is the %T its message names (TableSorter's rows, or
 * `*unstructured.Unstructured` for objects).
 */
export function sortByPath<T>(
  items: T[],
  expression: string,
  objectOf: (item: T) => Json,
  goType = '[][][]reflect.Value',
): boolean {
  const path = parseSortPath(expression);
  const keyed = items.map((item) => ({ item, key: evaluate(objectOf(item), path) }));
  if (keyed.length > 0 && keyed.every((k) => k.key === undefined)) return false;
  goSort(keyed, (x, y) => {
    if (x.key === undefined) return true;
    if (y.key === undefined) return false;
    try {
      return valueLess(x.key, y.key);
    } catch (err) {
      if (!(err instanceof UnsortableError)) throw err;
      throw new UnsortableError(
        `Field ${relaxedJsonPath(expression)} in ${goType} is an unsortable type: interface, err: ${err.message}`,
      );
    }
  });
  for (let i = 0; i < keyed.length; i++) items[i] = (keyed[i] as { item: T }).item;
  return true;
}
