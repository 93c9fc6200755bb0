// kubectl events --watch, as kubectl 1.32's events.go runWatch(): a watch of the namespace's (or every) Events
// from now, so the apiserver first sends the current ones; each event that is not a deletion (Events expire)
// and passes --types is printed as a row, the header before the first, through a tabwriter that remembers its
// column widths and is flushed after each row.

import type { Command } from '../../common/command/types.js';
import type { FollowOutcome, StreamSink } from '../executor-types.js';
import { TABLE_TABWRITER, TabWriter } from '../printers/tabwriter.js';
import { defaultChunkSize, type VerbContext } from './context.js';
import { type Event, eventHeader, eventRow, forSelector } from './events.js';
import { WatchEventTooLargeError, watchEvents } from './watch-events.js';

export async function followEvents(
  ctx: VerbContext,
  command: Command,
  sink: StreamSink,
): Promise<FollowOutcome> {
  const all = command.allNamespaces;
  const namespace = all ? null : (command.namespace ?? 'default');
  const path =
    namespace === null ? '/api/v1/events' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
  const { forObject, types } = command.flags;
  const res = await ctx.kube.open(path, {
    query: {
      watch: true,
      limit: defaultChunkSize,
      fieldSelector: forObject ? forSelector(forObject) : undefined,
    },
    signal: ctx.signal,
  });
  const writer = new TabWriter({ ...TABLE_TABWRITER, rememberWidths: true });
  let headed = command.flags.noHeaders === true;
  try {
    for await (const event of watchEvents<{ type: string; object: Event & { message?: string } }>(res)) {
      if (event.type === 'ERROR')
        return { status: 'failure', error: `error: ${event.object.message ?? 'the watch failed'}` };
      if (event.type === 'DELETED' || event.type === 'BOOKMARK') continue;
      const e = event.object;
      if (types && !types.some((t) => t.toLowerCase() === (e.type ?? '').toLowerCase())) continue;
      if (!headed) {
        writer.writeRow(eventHeader(all));
        headed = true;
      }
      writer.writeRow(eventRow(e, ctx.now(), all));
      await sink.write(writer.flush());
    }
  } catch (err) {
    if (err instanceof WatchEventTooLargeError) return { status: 'failure', error: err.message };
    throw err;
  }
  return { status: 'success', error: null };
}
