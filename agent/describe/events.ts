// searchEvents and DescribeEvents: the `Events:` table every describer ends with.

import type { Event } from 'kubernetes-types/core/v1.js';
import { isAbortError } from '../kube-client.js';
import { type DescribeContext, listAll } from './context.js';
import { humanDuration, isZeroTime, since } from './format.js';
import { LEVEL_0, LEVEL_1, type PrefixWriter } from './prefix-writer.js';

export interface EventRef {
  name: string;
  namespace: string;
  /** Omitted for pods: kubectl clears the kind of a pod's reference. */
  kind?: string;
  uid?: string;
}

/**
 * Events about one object, by kubectl's involvedObject field selector. Errors yield an empty
 * list, as kubectl ignores them (`events, _ = searchEvents(...)`); only an abort propagates.
 */
/** The events of a stored object of `kind`, as a kind's describer searches them. */
export function eventsAbout(
  ctx: DescribeContext,
  obj: { metadata: { name: string; namespace?: string; uid?: string } },
  kind: string,
): Promise<Event[]> {
  const md = obj.metadata;
  return searchEvents(ctx, { name: md.name, namespace: md.namespace ?? '', kind, uid: md.uid });
}

export async function searchEvents(ctx: DescribeContext, ref: EventRef): Promise<Event[]> {
  const terms = [`involvedObject.name=${ref.name}`, `involvedObject.namespace=${ref.namespace}`];
  if (ref.kind) terms.push(`involvedObject.kind=${ref.kind}`);
  if (ref.uid) terms.push(`involvedObject.uid=${ref.uid}`);
  const path = ref.namespace
    ? `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/events`
    : '/api/v1/events';
  try {
    return await listAll<Event>(ctx, path, { fieldSelector: terms.join(',') });
  } catch (err) {
    if (isAbortError(err) || ctx.signal.aborted) throw err;
    return [];
  }
}

function microSince(timestamp: unknown, now: number): string {
  if (isZeroTime(timestamp)) return '<unknown>';
  return humanDuration(now - Date.parse(timestamp as string));
}

/** event.SortableEvents: by lastTimestamp, oldest first (a stable sort keeps the API's order on ties). */
function sortEvents(events: Event[]): Event[] {
  const t = (e: Event) =>
    isZeroTime(e.lastTimestamp) ? Number.NEGATIVE_INFINITY : Date.parse(e.lastTimestamp as string);
  return [...events].sort((a, b) => t(a) - t(b));
}

export function describeEvents(events: Event[], w: PrefixWriter, now: number): void {
  if (events.length === 0) {
    w.write(LEVEL_0, 'Events:\t<none>\n');
    return;
  }
  w.write(LEVEL_0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(LEVEL_1, '----\t------\t----\t----\t-------\n');
  for (const e of sortEvents(events)) {
    const first = isZeroTime(e.eventTime) ? since(e.firstTimestamp, now) : microSince(e.eventTime, now);
    let interval: string;
    if (e.series) {
      interval = `${microSince(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
    } else if ((e.count ?? 0) > 1) {
      interval = `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
    } else {
      interval = first;
    }
    const source = e.source?.component || e.reportingComponent || '';
    w.write(
      LEVEL_1,
      `${e.type ?? ''}\t${e.reason ?? ''}\t${interval}\t${source}\t${String(e.message ?? '').trim()}\n`,
    );
  }
}
