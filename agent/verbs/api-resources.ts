// kubectl api-resources and api-versions, from discovery.

import type { Command } from '../../common/command/types.js';
import { formatTabbed } from '../printers/tabwriter.js';
import type { VerbContext, VerbResult } from './context.js';
import { serverGroupVersions, serverPreferredResources } from './discovery.js';

export async function runApiResources(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const { apiGroup, namespaced, noHeaders } = command.flags;
  const all = await serverPreferredResources(ctx);
  const kept = all.filter(
    (r) =>
      (r.resource.verbs ?? []).length > 0 &&
      (apiGroup === undefined || r.group === apiGroup) &&
      (namespaced === undefined || r.resource.namespaced === namespaced),
  );
  // kubectl's default order: by API group, then by name (sort.Stable keeps discovery order on ties).
  const sorted = kept
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) => compare(a.r.group, b.r.group) || compare(a.r.resource.name, b.r.resource.name) || a.i - b.i,
    );
  if (command.output === 'name') {
    return {
      output: sorted.map(({ r }) => `${r.resource.name}${r.group ? `.${r.group}` : ''}\n`).join(''),
      error: null,
    };
  }
  const wide = command.output === 'wide';
  const lines: string[][] = [];
  if (!noHeaders)
    lines.push([
      'NAME',
      'SHORTNAMES',
      'APIVERSION',
      'NAMESPACED',
      'KIND',
      ...(wide ? ['VERBS', 'CATEGORIES'] : []),
    ]);
  for (const { r } of sorted) {
    const { name, shortNames, namespaced: ns, kind, verbs, categories } = r.resource;
    const line = [name, (shortNames ?? []).join(','), r.groupVersion, String(ns), kind];
    if (wide) line.push((verbs ?? []).join(','), (categories ?? []).join(','));
    lines.push(line);
  }
  return { output: formatTabbed(lines), error: null };
}

export async function runApiVersions(ctx: VerbContext): Promise<VerbResult> {
  const groups = await serverGroupVersions(ctx);
  const versions = groups.flatMap((g) => g.versions).sort();
  return { output: versions.map((v) => `${v}\n`).join(''), error: null };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
