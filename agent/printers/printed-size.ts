// How much printing an object would write, found without printing it. kubectl's JSON and YAML printers
// and its generic describer indent each line by its depth, so an object of a few hundred kilobytes
// nested a few hundred levels deep (a custom resource's free-form fields) prints gigabytes: the agent
// measures first and refuses such an object instead of building the text.

import { RefusedError } from '../verbs/refused.js';

/**
 * A lower bound of the characters kubectl's JSON or YAML printer, or a describer, writes for `value`:
 * each key, element and scalar on a line indented one column per enclosing object below the top (the
 * printers indent by 2 or 4). Walks without recursion, whatever the depth, and stops counting once past
 * `stopAt`.
 */
export function printedSizeAtLeast(value: unknown, stopAt: number): number {
  let size = 0;
  const stack: [node: unknown, depth: number][] = [[value, 0]];
  while (stack.length > 0 && size <= stopAt) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (Array.isArray(node)) {
      for (const child of node) {
        size += depth + 1;
        stack.push([child, depth]);
      }
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        size += depth + key.length + 1;
        stack.push([child, depth + 1]);
      }
    } else {
      size += String(node).length;
    }
  }
  return size;
}

/** Bytes one object may print, at least: large objects are printed and cut at the output cap as before. */
const MIN_PRINT_LIMIT = 4 << 20;

/**
 * Throws a RefusedError (kubectl-style text) when `object` would print more than four times
 * `maxOutputBytes` (at least 4 MiB): such output would be cut at the cap after costing the agent its
 * whole size in memory.
 */
export function assertPrintable(object: unknown, maxOutputBytes: number): void {
  const limit = Math.max(4 * maxOutputBytes, MIN_PRINT_LIMIT);
  if (printedSizeAtLeast(object, limit) <= limit) return;
  const meta = (object as { kind?: unknown; metadata?: { name?: unknown } } | null) ?? {};
  throw new RefusedError(
    `error: ${String(meta.kind ?? 'object')} "${String(meta.metadata?.name ?? '')}" nests too deeply to print: its output would pass ${limit} bytes`,
  );
}
