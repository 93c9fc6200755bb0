// kubectl events: core/v1 Events, filtered by --types, sorted by their last time, printed as
// LAST SEEN / TYPE / REASON / OBJECT / MESSAGE (k8s.io/kubectl/pkg/cmd/events).

import type { Command } from '../../common/command/types.js';
import { humanDuration } from '../../common/duration.js';
import { apiVersionOf, RESOURCE_TYPES } from '../../common/resources.js';
import { escapeTerminal } from '../../common/terminal.js';
import { goSort } from '../printers/go-sort.js';
import { printJsonInOrder } from '../printers/json.js';
import { formatTabbed } from '../printers/tabwriter.js';
import { typedEvent } from '../printers/typed-event.js';
import { printYaml } from '../printers/yaml.js';
import { redactObject } from '../redact.js';
import { pageSize, type VerbContext, type VerbResult } from './context.js';

export interface Event {
  metadata?: { namespace?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  involvedObject?: { kind?: string; name?: string };
}

interface EventList {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: Event[];
}

function since(timestamp: string | null | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** The time kubectl sorts by: the series' last observation, else lastTimestamp, else eventTime. */
function eventTime(e: Event): number {
  const t = e.series?.lastObservedTime ?? (e.lastTimestamp || e.eventTime);
  return t ? Date.parse(t) : Number.NEGATIVE_INFINITY;
}

function interval(e: Event, now: number): string {
  const first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
  if (e.series) return `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
  if ((e.count ?? 0) > 1) return `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

export function forSelector(forObject: string): string {
  const slash = forObject.indexOf('/');
  const type = RESOURCE_TYPES.find((t) => t.resource === forObject.slice(0, slash));
  if (!type) throw new Error(`unknown --for type ${forObject}`);
  return `involvedObject.kind=${type.kind},involvedObject.apiVersion=${apiVersionOf(type)},involvedObject.name=${forObject.slice(slash + 1)}`;
}

export async function runEvents(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const namespace = command.allNamespaces ? null : (command.namespace ?? 'default');
  const path =
    namespace === null ? '/api/v1/events' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
  const { limit, chunkSize, forObject, types } = command.flags;
  // Every page is kept (kubectl sorts them all), so the command's memory budget bounds this loop.
  const items: Event[] = [];
  let cont: string | undefined;
  do {
    const res = await ctx.kube.get(path, {
      query: {
        fieldSelector: forObject ? forSelector(forObject) : undefined,
        limit: Math.min((limit ?? Number.POSITIVE_INFINITY) - items.length, pageSize(chunkSize)),
        continue: cont,
      },
      signal: ctx.signal,
    });
    const page = JSON.parse(res.body) as EventList;
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue || undefined;
  } while (cont && (limit === undefined || items.length < limit));
  const kept = types
    ? items.filter((e) => types.some((t) => t.toLowerCase() === (e.type ?? '').toLowerCase()))
    : items;
  if (kept.length === 0 && command.output === 'table') {
    // kubectl writes this to stderr; it is what the user sees, so it is the output here.
    const text = namespace === null ? 'No events found.\n' : `No events found in ${namespace} namespace.\n`;
    return { output: text, error: null };
  }
  goSort(kept, (a, b) => eventTime(a) < eventTime(b));
  if (command.output === 'json' || command.output === 'yaml') {
    // kubectl prints its typed EventList: TypeMeta first, struct order (the apiserver's order), an
    // empty ListMeta after merging the pages; YAML sorts the keys anyway.
    const list = {
      kind: 'EventList',
      apiVersion: 'v1',
      metadata: {},
      items: kept.map((e) => redactObject(typedEvent(e))),
    };
    return { output: command.output === 'yaml' ? printYaml(list) : printJsonInOrder(list), error: null };
  }
  const now = ctx.now();
  const lines: string[][] = [];
  const all = command.allNamespaces;
  if (!command.flags.noHeaders) lines.push(eventHeader(all));
  for (const e of kept) lines.push(eventRow(e, now, all));
  return { output: formatTabbed(lines), error: null };
}

/** kubectl events' header row. */
export function eventHeader(allNamespaces: boolean): string[] {
  return [...(allNamespaces ? ['NAMESPACE'] : []), 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];
}

/**
 * One event's row. Reasons and messages are free text anyone who may create an Event writes: escaped per
 * cell, so the columns are laid out on what the terminal will show.
 */
export function eventRow(e: Event, now: number, allNamespaces: boolean): string[] {
  return [
    ...(allNamespaces ? [e.metadata?.namespace ?? ''] : []),
    interval(e, now),
    e.type ?? '',
    e.reason ?? '',
    `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
    (e.message ?? '').trim(),
  ].map(escapeTerminal);
}
