// kubectl --sort-by: a relaxed JSONPath evaluated on each row's full object, compared the way
// kubectl's TableSorter compares (numbers as numbers, quantities as quantities, strings naturally).

import { goSort } from '../printers/go-sort.js';

type Json = unknown;

/** `{.metadata.name}`, `.metadata.name` or `metadata.name` → path segments. */
export function parseSortPath(expression: string): (string | number)[] {
  let text = expression.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1);
  if (!text.startsWith('.') && !text.startsWith('[')) text = `.${text}`;
  const segments: (string | number)[] = [];
  const re = /\.((?:\\.|[^.[\\])+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    match = re.exec(text);
    if (!match) throw new Error(`error: invalid sort-by expression ${JSON.stringify(expression)}`);
    if (match[1] !== undefined) segments.push(match[1].replace(/\\(.)/g, '$1'));
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? match[4]) as string);
    at = re.lastIndex;
  }
  return segments;
}

export function evaluate(value: Json, path: readonly (string | number)[]): Json {
  let current: Json = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, Json>)[segment];
  }
  return current;
}

/** vbom.ml/util/sortorder NaturalLess. */
export function naturalLess(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  while (i < a.length && j < b.length) {
    const ca = a[i];
    const cb = b[j];
    const da = digit(ca);
    const db = digit(cb);
    if (da !== db) return da;
    if (!da) {
      if (ca !== cb) return (ca as string) < (cb as string);
      i++;
      j++;
      continue;
    }
    while (i < a.length && a[i] === '0') i++;
    while (j < b.length && b[j] === '0') j++;
    const na = i;
    const nb = j;
    while (i < a.length && digit(a[i])) i++;
    while (j < b.length && digit(b[j])) j++;
    if (i - na !== j - nb) return i - na < j - nb;
    const ra = a.slice(na, i);
    const rb = b.slice(nb, j);
    if (ra !== rb) return ra < rb;
    if (na !== nb) return na < nb;
  }
  return a.length < b.length;
}

const suffixes: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** resource.ParseQuantity, to the precision sorting needs; undefined when `s` is not a quantity. */
export function parseQuantity(s: string): number | undefined {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(s);
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * (suffixes[m[3] ?? ''] ?? 1);
}

/** isLess of kubectl's sorter for JSON values; missing values sort first. */
export function valueLess(a: Json, b: Json): boolean {
  if (a === undefined || a === null) return b !== undefined && b !== null;
  if (b === undefined || b === null) return false;
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string') {
    const qa = parseQuantity(a);
    const qb = parseQuantity(b);
    if (qa !== undefined && qb !== undefined) return qa < qb;
    return naturalLess(a, b);
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return !a && b;
  return String(a) < String(b);
}

/** Sorts in place by the value at `path` of each element's `objectOf`, with Go's (unstable) sort.Sort as kubectl does. */
export function sortByPath<T>(items: T[], expression: string, objectOf: (item: T) => Json): void {
  const path = parseSortPath(expression);
  const keyed = items.map((item) => ({ item, key: evaluate(objectOf(item), path) }));
  goSort(keyed, (x, y) => valueLess(x.key, y.key));
  for (let i = 0; i < keyed.length; i++) items[i] = (keyed[i] as { item: T }).item;
}
