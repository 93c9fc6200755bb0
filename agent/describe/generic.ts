// kubectl's genericDescriber, which is what `describe event` uses: every field, sorted, with
// camel-case keys turned into labels ('involvedObject' -> 'Involved Object').

import type { DescribeContext } from './context.js';
import { describeEvents, searchEvents } from './events.js';
import {
  type ApiObject,
  printAnnotationsMultiline,
  printLabelsMultiline,
  type Stored,
  sortedKeys,
} from './format.js';
import { LEVEL_0, type PrefixWriter, tabbed } from './prefix-writer.js';

const ACRONYMS = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);

function charClass(ch: string): number {
  if (/\p{Ll}/u.test(ch)) return 1;
  if (/\p{Lu}/u.test(ch)) return 2;
  if (/\p{Nd}/u.test(ch)) return 3;
  return 4;
}

/** github.com/fatih/camelcase.Split. */
export function camelSplit(src: string): string[] {
  const runs: string[][] = [];
  let last = 0;
  for (const ch of src) {
    const cls = charClass(ch);
    if (cls === last) runs[runs.length - 1]?.push(ch);
    else runs.push([ch]);
    last = cls;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const cur = runs[i] as string[];
    const next = runs[i + 1] as string[];
    if (charClass(cur[0] as string) === 2 && charClass(next[0] as string) === 1) {
      next.unshift(cur.pop() as string);
    }
  }
  return runs.filter((r) => r.length > 0).map((r) => r.join(''));
}

/** smartLabelFor. */
export function smartLabel(field: string): string {
  if ([...field].some((ch) => !/\p{L}/u.test(ch) && ch !== '-')) return field;
  return camelSplit(field)
    .filter((p) => p !== '_')
    .map((p) => (ACRONYMS.has(p.toUpperCase()) ? p.toUpperCase() : p.charAt(0).toUpperCase() + p.slice(1)))
    .join(' ');
}

/** Go's %v of a decoded JSON scalar. */
function scalar(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  return String(v);
}

const SKIP = new Set([
  '.metadata.managedFields',
  '.metadata.name',
  '.metadata.namespace',
  '.metadata.labels',
  '.metadata.annotations',
]);

function printContent(
  w: PrefixWriter,
  level: number,
  content: Record<string, unknown>,
  prefix: string,
): void {
  for (const field of sortedKeys(content)) {
    const value = content[field];
    const path = `${prefix}.${field}`;
    if (SKIP.has(path)) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      w.write(level, `${smartLabel(field)}:\n`);
      printContent(w, level + 1, value as Record<string, unknown>, path);
    } else if (Array.isArray(value)) {
      w.write(level, `${smartLabel(field)}:\n`);
      for (const child of value) {
        if (child !== null && typeof child === 'object' && !Array.isArray(child))
          printContent(w, level + 1, child as Record<string, unknown>, path);
        else
          w.write(
            level + 1,
            `${Array.isArray(child) ? `[${child.map(scalar).join(' ')}]` : scalar(child)}\n`,
          );
      }
    } else {
      w.write(level, `${smartLabel(field)}:\t${scalar(value)}\n`);
    }
  }
}

export async function describeGeneric(ctx: DescribeContext, obj: Stored<ApiObject>): Promise<string> {
  const md = obj.metadata;
  const events = await searchEvents(ctx, {
    name: md.name,
    namespace: md.namespace ?? '',
    kind: obj.kind,
    uid: md.uid,
  });
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${md.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    printContent(w, LEVEL_0, obj, '');
    describeEvents(events, w, ctx.now);
  });
}
