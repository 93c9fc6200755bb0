// kubectl -o json: the object goes through Go's encoding/json as unstructured maps, so keys come out
// sorted, indented by 4 spaces, with <, >, & and U+2028/9 escaped as Go escapes them.

import type { ListPrinter } from './yaml.js';

export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareGoStrings))
      sorted[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/** Go compares strings byte-wise (UTF-8); for JS strings outside the BMP that differs from `<`. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function printJson(value: unknown): string {
  return printJsonInOrder(sortKeysDeep(value));
}

/** Go's json.MarshalIndent of a typed object: fields in the order given (struct order). */
export function printJsonInOrder(value: unknown): string {
  return `${JSON.stringify(value, null, 4).replace(/[<>&\u2028\u2029]/g, goEscape)}\n`;
}

function goEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * kubectl -o json of `{apiVersion: v1, items, kind: List, metadata: {resourceVersion: ""}}`, one item
 * at a time (keys sorted like printJson): the pieces join to printJson(list) exactly.
 */
export function jsonListPrinter(): ListPrinter {
  let count = 0;
  return {
    item(value) {
      const text = printJson(value).slice(0, -1).replaceAll('\n', '\n        ');
      return `${count++ === 0 ? '{\n    "apiVersion": "v1",\n    "items": [\n' : ',\n'}        ${text}`;
    },
    end() {
      const tail = '\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n';
      return count === 0 ? `{\n    "apiVersion": "v1",\n    "items": [],${tail}` : `\n    ],${tail}`;
    },
  };
}
