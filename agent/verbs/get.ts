// kubectl get. Human-readable output (default, -o wide) comes from the apiserver's Table rendering,
// laid out like kubectl's table printer; -o json|yaml|name read the full objects and print them (or a
// List of them) like kubectl's generic printers. Partial results print what was found and report the
// rest in `error`, as kubectl prints its output to stdout and the errors to stderr.

import type { Command, Target } from '../../common/command/types.js';
import { collectionPath, RESOURCE_TYPES, type ResourceType } from '../../common/resources.js';
import { KubeApiError } from '../kube-client.js';
import { jsonListPrinter, printJson } from '../printers/json.js';
import { kindPrefix, printNames } from '../printers/name.js';
import { assertPrintable } from '../printers/printed-size.js';
import { type Table, TablePrinter } from '../printers/table.js';
import { formatTabbed } from '../printers/tabwriter.js';
import { type ListPrinter, printYaml, yamlListPrinter } from '../printers/yaml.js';
import { redactObject } from '../redact.js';
import { pageSize, type VerbContext, type VerbResult } from './context.js';
import { RefusedError } from './refused.js';
import { notFoundMessage, sortByPath, UnsortableError } from './sort-by.js';

export { RefusedError } from './refused.js';

/** The Accept header kubectl sends for server-side printing. */
export const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

type Json = Record<string, unknown>;

interface ResolvedTarget {
  target: Target;
  type: ResourceType;
  namespace: string | null;
}

/** The served types of the command's targets: the catalog's, or discovery's for a custom target. */
export async function resolveTargets(ctx: VerbContext, command: Command): Promise<ResolvedTarget[]> {
  const resolved: ResolvedTarget[] = [];
  for (const target of command.targets) {
    // Defense in depth: the policy already denies Secrets; the executor refuses them again.
    if (target.resource === 'secrets')
      throw new RefusedError('error: the Kubently agent never reads secrets');
    const types = target.custom
      ? await ctx.types.resolve(ctx, target)
      : RESOURCE_TYPES.filter((t) => t.resource === target.resource && t.group === target.group);
    if (types.length === 0)
      throw new RefusedError(`error: the server doesn't have a resource type "${target.resource}"`);
    for (const type of types) {
      const namespace = type.namespaced && !command.allNamespaces ? (command.namespace ?? 'default') : null;
      resolved.push({ target, type, namespace });
    }
  }
  return resolved;
}

export async function runGet(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const targets = await resolveTargets(ctx, command);
  try {
    if (command.output === 'table' || command.output === 'wide')
      return await getTables(ctx, command, targets);
    return await getObjects(ctx, command, targets);
  } catch (err) {
    // kubectl exits mid-sort on values it cannot compare, before printing anything.
    if (err instanceof UnsortableError) return { output: '', error: err.message };
    throw err;
  }
}

const UNSTRUCTURED = '*unstructured.Unstructured';

/**
 * Lists follow `continue` in pages like kubectl's --chunk-size; --limit stops after that many objects.
 * Each page's response bytes go back to the command's budget when the caller asks for the next one,
 * unless `retain` says the caller keeps the page (to sort it).
 */
export async function* listPages(
  ctx: VerbContext,
  command: Command,
  path: string,
  accept: string,
  query: Record<string, string> = {},
  retain = false,
): AsyncGenerator<Json> {
  const { limit, chunkSize } = command.flags;
  let remaining = limit ?? Number.POSITIVE_INFINITY;
  let cont: string | undefined;
  do {
    const res = await ctx.kube.get(path, {
      accept,
      query: {
        labelSelector: command.selectors.label,
        fieldSelector: command.selectors.field,
        ...query,
        limit: Math.min(remaining, pageSize(chunkSize)),
        continue: cont,
      },
      signal: ctx.signal,
    });
    const page = JSON.parse(res.body) as Json;
    const count = Array.isArray(page.items)
      ? page.items.length
      : Array.isArray(page.rows)
        ? page.rows.length
        : 0;
    remaining -= count;
    try {
      yield page;
    } finally {
      if (!retain) ctx.kube.release(res);
    }
    cont = ((page.metadata as Json | undefined)?.continue as string | undefined) || undefined;
  } while (cont && remaining > 0);
}

/** Runs one request, turning an apiserver error into kubectl's stderr line; other errors propagate. */
async function collect<T>(errors: string[], run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof KubeApiError) {
      errors.push(err.text);
      return undefined;
    }
    throw err;
  }
}

async function getTables(ctx: VerbContext, command: Command, targets: ResolvedTarget[]): Promise<VerbResult> {
  const { flags } = command;
  if (flags.sortBy !== undefined) return getSortedTables(ctx, command, targets, flags.sortBy);
  const errors: string[] = [];
  const sections: string[] = [];
  const withKind = new Set(targets.map((t) => t.type.resource)).size > 1;
  let truncated = false;
  const laidOut = layoutSize();
  let allNamespaced = !command.allNamespaces;
  for (const { target, type, namespace } of targets) {
    if (!type.namespaced) allNamespaced = false;
    const printer = tablePrinterFor(command, type, withKind);
    const base = collectionPath(type, namespace);
    if (target.names.length > 0) {
      for (const name of target.names) {
        const table = await getTable(ctx, errors, `${base}/${encodeURIComponent(name)}`, 'Metadata');
        if (table) printer.add(table);
      }
    } else {
      await collect(errors, async () => {
        for await (const page of listPages(ctx, command, base, TABLE_ACCEPT, { includeObject: 'Metadata' })) {
          printer.add(page as unknown as Table);
          // Beyond the output limit nothing more would be shown: stop reading pages.
          if (laidOut.add(printer) > ctx.limits.maxOutputBytes) {
            truncated = true;
            break;
          }
        }
      });
    }
    const text = formatTabbed(printer.lines);
    if (text) sections.push(text);
    if (truncated) break;
  }
  return tablesResult(command, sections, errors, allNamespaced, truncated);
}

function tablePrinterFor(command: Command, type: ResourceType, withKind: boolean): TablePrinter {
  return new TablePrinter({
    wide: command.output === 'wide',
    noHeaders: command.flags.noHeaders === true,
    withNamespace: command.allNamespaces && type.namespaced,
    showLabels: command.flags.showLabels === true,
    kindPrefix: withKind ? kindPrefix(type.kind, type.group) : null,
  });
}

function getTable(
  ctx: VerbContext,
  errors: string[],
  path: string,
  includeObject: 'Object' | 'Metadata',
): Promise<Table | undefined> {
  return collect(errors, async () => {
    const res = await ctx.kube.get(path, {
      accept: TABLE_ACCEPT,
      query: { includeObject },
      signal: ctx.signal,
    });
    return JSON.parse(res.body) as Table;
  });
}

/** kubectl separates the types' tables by a blank line, unless headers are off; nothing printed is a notice. */
function tablesResult(
  command: Command,
  sections: string[],
  errors: string[],
  allNamespaced: boolean,
  truncated: boolean,
): VerbResult {
  let output = sections.join(command.flags.noHeaders ? '' : '\n');
  if (output === '' && errors.length === 0) {
    // kubectl writes this to stderr; it is what the user sees, so it is the output here.
    output = allNamespaced
      ? `No resources found in ${command.namespace ?? 'default'} namespace.\n`
      : 'No resources found\n';
  }
  return { output, error: errors.length > 0 ? errors.join('\n') : null, truncated };
}

/**
 * get --sort-by in a table, as kubectl 1.32's get.go does it: every response (one Table per named
 * object, one unchunked Table per listed type) is an "info"; with more than one, the infos themselves
 * are sorted by the path read on the Table objects (none having it is kubectl's "couldn't find any
 * field" error, exit 1); then each Table of more than one row has its rows sorted by the SortingPrinter,
 * whose error (no row has the path) kubectl drops, so that type prints nothing.
 */
async function getSortedTables(
  ctx: VerbContext,
  command: Command,
  targets: ResolvedTarget[],
  sortBy: string,
): Promise<VerbResult> {
  const errors: string[] = [];
  const withKind = new Set(targets.map((t) => t.type.resource)).size > 1;
  let allNamespaced = !command.allNamespaces;
  const infos: { type: ResourceType; table: Table }[] = [];
  for (const { target, type, namespace } of targets) {
    if (!type.namespaced) allNamespaced = false;
    const base = collectionPath(type, namespace);
    if (target.names.length > 0) {
      for (const name of target.names) {
        const table = await getTable(ctx, errors, `${base}/${encodeURIComponent(name)}`, 'Object');
        if (table) infos.push({ type, table });
      }
      continue;
    }
    let merged: Table | undefined;
    await collect(errors, async () => {
      for await (const page of listPages(
        ctx,
        command,
        base,
        TABLE_ACCEPT,
        { includeObject: 'Object' },
        true,
      )) {
        const table = page as unknown as Table;
        if (merged) merged.rows.push(...table.rows);
        else merged = table;
      }
    });
    if (merged) infos.push({ type, table: merged });
  }
  // Sorted by what may be printed: an order by a redacted value (the Tables' rows hold the objects)
  // would tell that value apart.
  for (const { table } of infos) for (const row of table.rows) redactObject(row.object);
  if (infos.length > 1 && !sortByPath(infos, sortBy, (info) => info.table, UNSTRUCTURED)) {
    return { output: '', error: `error: ${notFoundMessage(sortBy)}` };
  }
  const sections: string[] = [];
  let printer: TablePrinter | undefined;
  let printerType: ResourceType | undefined;
  const flush = () => {
    const text = printer ? formatTabbed(printer.lines) : '';
    if (text) sections.push(text);
  };
  for (const { type, table } of infos) {
    if (table.rows.length > 1 && !sortByPath(table.rows, sortBy, (row) => row.object)) continue;
    if (type !== printerType) {
      flush();
      printer = tablePrinterFor(command, type, withKind);
      printerType = type;
    }
    printer?.add(table);
  }
  flush();
  return tablesResult(command, sections, errors, allNamespaced, false);
}

/** A lower bound of the laid-out tables' size (every cell, one space between cells), counted as lines come. */
function layoutSize() {
  let bytes = 0;
  const counted = new WeakMap<TablePrinter, number>();
  return {
    add(printer: TablePrinter): number {
      const { lines } = printer;
      for (let i = counted.get(printer) ?? 0; i < lines.length; i++)
        for (const cell of lines[i] as string[]) bytes += cell.length + 1;
      counted.set(printer, lines.length);
      return bytes;
    },
  };
}

async function getObjects(
  ctx: VerbContext,
  command: Command,
  targets: ResolvedTarget[],
): Promise<VerbResult> {
  const errors: string[] = [];
  const singleItemImplied = targets.length === 1 && targets[0]?.target.names.length === 1;
  if (singleItemImplied) return getOneObject(ctx, command, targets[0] as ResolvedTarget);
  const sorting = command.flags.sortBy !== undefined;
  const sorted: Json[] = [];
  const out = objectWriter(command.output, ctx.limits.maxOutputBytes);
  for (const { target, type, namespace } of targets) {
    const base = collectionPath(type, namespace);
    if (target.names.length > 0) {
      for (const name of target.names) {
        const object = await collect(errors, async () => {
          const res = await ctx.kube.get(`${base}/${encodeURIComponent(name)}`, { signal: ctx.signal });
          return JSON.parse(res.body) as Json;
        });
        if (object && sorting) sorted.push(object);
        else if (object) out.add(object);
      }
    } else {
      await collect(errors, async () => {
        for await (const page of listPages(ctx, command, base, 'application/json', {}, sorting)) {
          // The apiserver leaves kind and apiVersion off a typed list's items; kubectl fills them in.
          const kind = String(page.kind ?? '').replace(/List$/, '');
          for (const item of (page.items as Json[] | undefined) ?? []) {
            const object =
              item.kind === undefined && item.apiVersion === undefined
                ? { apiVersion: page.apiVersion, kind, ...item }
                : item;
            if (sorting) sorted.push(object);
            else out.add(object);
          }
          if (out.full) break;
        }
      });
    }
    if (out.full) break;
  }
  if (sorting) {
    // kubectl's SortingPrinter fails the whole print when no object has the path.
    // Redacted before sorting, as for tables: the order must not depend on a value never printed.
    if (!sortByPath(sorted, command.flags.sortBy as string, redactObject, UNSTRUCTURED)) {
      return {
        output: '',
        error: [...errors, `error: ${notFoundMessage(command.flags.sortBy as string)}`].join('\n'),
      };
    }
    for (const object of sorted) if (!out.full) out.add(object);
  }
  return { output: out.end(), error: errors.length > 0 ? errors.join('\n') : null, truncated: out.full };
}

/** `get <type> <name> -o json|yaml|name`: the object itself, not a List. */
async function getOneObject(
  ctx: VerbContext,
  command: Command,
  resolved: ResolvedTarget,
): Promise<VerbResult> {
  const base = collectionPath(resolved.type, resolved.namespace);
  const name = resolved.target.names[0] as string;
  const errors: string[] = [];
  const object = await collect(errors, async () => {
    const res = await ctx.kube.get(`${base}/${encodeURIComponent(name)}`, { signal: ctx.signal });
    return JSON.parse(res.body) as Json;
  });
  if (!object) return { output: '', error: errors.join('\n') };
  redactObject(object);
  if (command.output === 'name') return { output: printNames([object]), error: null };
  assertPrintable(object, ctx.limits.maxOutputBytes);
  return { output: command.output === 'json' ? printJson(object) : printYaml(object), error: null };
}

/**
 * Prints objects as they come (redacted first) and says when the output limit is passed, so the caller
 * stops reading: the pieces join to exactly what printing the whole List at once would give.
 */
function objectWriter(output: Command['output'], maxBytes: number) {
  const printer: ListPrinter =
    output === 'name'
      ? { item: (object) => printNames([object as Json]), end: () => '' }
      : output === 'json'
        ? jsonListPrinter()
        : yamlListPrinter();
  // Bytes, not strings: a printed item is a tree of many small string pieces until flattened, which
  // over a few MB of output costs several times the text's size in heap.
  const pieces: Buffer[] = [];
  let bytes = 0;
  return {
    get full() {
      return bytes > maxBytes;
    },
    add(object: Json): void {
      if (output !== 'name') assertPrintable(object, maxBytes);
      const piece = Buffer.from(printer.item(redactObject(object)), 'utf8');
      pieces.push(piece);
      bytes += piece.length;
    },
    end(): string {
      pieces.push(Buffer.from(printer.end(), 'utf8'));
      return Buffer.concat(pieces, bytes + (pieces.at(-1)?.length ?? 0)).toString('utf8');
    },
  };
}
