// kubectl get -w / --watch-only with table output, as kubectl 1.32's get.go watch(): the list (or the named
// object) printed first unless --watch-only, then a watch from the list's resourceVersion ("0" for one object,
// whose synthetic first ADDED event is not printed) with a row per change. One tabwriter that remembers column
// widths is flushed after the list and after each event, so rows line up exactly as kubectl's do.

import type { Command } from '../../common/command/types.js';
import { collectionPath } from '../../common/resources.js';
import { escapeTerminal } from '../../common/terminal.js';
import type { FollowOutcome, StreamSink } from '../executor-types.js';
import { type Table, TablePrinter } from '../printers/table.js';
import { TABLE_TABWRITER, TabWriter } from '../printers/tabwriter.js';
import type { VerbContext } from './context.js';
import { listPages, resolveTargets, TABLE_ACCEPT } from './get.js';
import { WatchEventTooLargeError, watchEvents } from './watch-events.js';

interface WatchEvent {
  type: string;
  object: Table & { kind?: string; message?: string; metadata?: { resourceVersion?: string } };
}

export async function watchGet(ctx: VerbContext, command: Command, sink: StreamSink): Promise<FollowOutcome> {
  const resolved = await resolveTargets(ctx, command);
  if (resolved.length !== 1) {
    // kubectl get.go watch(): one REST mapping only.
    return {
      status: 'failure',
      error: `error: watch is only supported on individual resources and resource collections, but ${resolved.length} resources were found`,
    };
  }
  const { target, type, namespace } = resolved[0]!;
  const printer = new TablePrinter({
    wide: command.output === 'wide',
    noHeaders: command.flags.noHeaders === true,
    withNamespace: command.allNamespaces && type.namespaced,
    showLabels: command.flags.showLabels === true,
    kindPrefix: null,
  });
  const writer = new TabWriter({ ...TABLE_TABWRITER, rememberWidths: true });
  let printed = 0;
  /** Lays out the rows the printer added since the last call, flushes, and sends them (escaped per cell already). */
  const send = async (): Promise<void> => {
    for (; printed < printer.lines.length; printed++) writer.writeRow(printer.lines[printed]!);
    const text = writer.flush();
    if (text !== '') await sink.write(text);
  };
  const base = collectionPath(type, namespace);
  const name = target.names[0];
  const selectors = { labelSelector: command.selectors.label, fieldSelector: command.selectors.field };
  let resourceVersion = '0';
  if (name !== undefined) {
    const res = await ctx.kube.get(`${base}/${encodeURIComponent(name)}`, {
      accept: TABLE_ACCEPT,
      query: { includeObject: 'Metadata' },
      signal: ctx.signal,
    });
    if (!command.flags.watchOnly) printer.add(JSON.parse(res.body) as Table);
    selectors.fieldSelector = `metadata.name=${name}`;
  } else {
    for await (const page of listPages(ctx, command, base, TABLE_ACCEPT, { includeObject: 'Metadata' })) {
      resourceVersion =
        ((page.metadata as { resourceVersion?: string } | undefined)?.resourceVersion ?? '0') || '0';
      if (!command.flags.watchOnly) printer.add(page as unknown as Table);
    }
  }
  await send();
  // A watch started at "0" for one object begins with a synthetic ADDED event that kubectl does not print.
  let skip = name !== undefined;
  const res = await ctx.kube.open(base, {
    accept: TABLE_ACCEPT,
    query: {
      ...selectors,
      watch: true,
      resourceVersion,
      includeObject: 'Metadata',
      allowWatchBookmarks: undefined,
    },
    signal: ctx.signal,
  });
  try {
    for await (const event of watchEvents<WatchEvent>(res)) {
      if (event.type === 'ERROR') {
        return {
          status: 'failure',
          error: escapeTerminal(`error: ${event.object.message ?? 'the watch failed'}`),
        };
      }
      if (event.type === 'BOOKMARK') continue;
      if (skip) {
        skip = false;
        continue;
      }
      printer.add(event.object);
      await send();
    }
  } catch (err) {
    if (err instanceof WatchEventTooLargeError) return { status: 'failure', error: err.message };
    throw err;
  }
  return { status: 'success', error: null };
}
