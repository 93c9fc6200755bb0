// kubectl get. Human-readable output (default, -o wide) comes from the apiserver's Table rendering,
// laid out like kubectl's table printer; -o json|yaml|name read the full objects and print them (or a
// List of them) like kubectl's generic printers. Partial results print what was found and report the
// rest in `error`, as kubectl prints its output to stdout and the errors to stderr.

import type { Command, Target } from '../../common/command/types.js';
import { collectionPath, RESOURCE_TYPES, type ResourceType } from '../../common/resources.js';
import { KubeApiError } from '../kube-client.js';
import { printJson } from '../printers/json.js';
import { kindPrefix, printNames } from '../printers/name.js';
import { type Table, TablePrinter } from '../printers/table.js';
import { formatTabbed } from '../printers/tabwriter.js';
import { printYaml } from '../printers/yaml.js';
import { redactObject } from '../redact.js';
import { defaultChunkSize, type VerbContext, type VerbResult } from './context.js';
import { sortByPath } from './sort-by.js';

/** The Accept header kubectl sends for server-side printing. */
export const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

type Json = Record<string, unknown>;

interface ResolvedTarget {
  target: Target;
  type: ResourceType;
  namespace: string | null;
}

export class RefusedError extends Error {}

export function resolveTargets(command: Command): ResolvedTarget[] {
  return command.targets.map((target) => {
    // Defense in depth: the policy already denies Secrets; the executor refuses them again.
    if (target.resource === 'secrets')
      throw new RefusedError('error: the Kubently agent never reads secrets');
    const type = RESOURCE_TYPES.find((t) => t.resource === target.resource && t.group === target.group);
    if (!type) throw new RefusedError(`error: the server doesn't have a resource type "${target.resource}"`);
    const namespace = type.namespaced && !command.allNamespaces ? (command.namespace ?? 'default') : null;
    return { target, type, namespace };
  });
}

export async function runGet(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const targets = resolveTargets(command);
  if (command.output === 'table' || command.output === 'wide') return getTables(ctx, command, targets);
  return getObjects(ctx, command, targets);
}

/** Lists follow `continue` in pages like kubectl's --chunk-size, unless --limit asks for one page. */
async function* listPages(
  ctx: VerbContext,
  command: Command,
  path: string,
  accept: string,
  query: Record<string, string> = {},
): AsyncGenerator<Json> {
  const { limit, chunkSize } = command.flags;
  const pageSize = limit ?? (command.flags.sortBy ? 0 : (chunkSize ?? defaultChunkSize));
  let cont: string | undefined;
  do {
    const res = await ctx.kube.get(path, {
      accept,
      query: {
        labelSelector: command.selectors.label,
        fieldSelector: command.selectors.field,
        ...query,
        limit: pageSize > 0 ? pageSize : undefined,
        continue: cont,
      },
      signal: ctx.signal,
    });
    const page = JSON.parse(res.body) as Json;
    yield page;
    cont =
      limit === undefined
        ? ((page.metadata as Json | undefined)?.continue as string | undefined) || undefined
        : undefined;
  } while (cont);
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
  const errors: string[] = [];
  const sections: string[] = [];
  const withKind = new Set(targets.map((t) => t.type.resource)).size > 1;
  let allNamespaced = !command.allNamespaces;
  // kubectl sorts on the full objects, so it asks for them when --sort-by is given.
  const includeObject = flags.sortBy ? 'Object' : 'Metadata';
  for (const { target, type, namespace } of targets) {
    if (!type.namespaced) allNamespaced = false;
    const printer = new TablePrinter({
      wide: command.output === 'wide',
      noHeaders: flags.noHeaders === true,
      withNamespace: command.allNamespaces && type.namespaced,
      showLabels: flags.showLabels === true,
      kindPrefix: withKind ? kindPrefix(type.kind, type.group) : null,
    });
    const base = collectionPath(type, namespace);
    const tables: Table[] = [];
    if (target.names.length > 0) {
      for (const name of target.names) {
        const table = await collect(errors, async () => {
          const res = await ctx.kube.get(`${base}/${encodeURIComponent(name)}`, {
            accept: TABLE_ACCEPT,
            query: { includeObject },
            signal: ctx.signal,
          });
          return JSON.parse(res.body) as Table;
        });
        if (table) tables.push(table);
      }
    } else {
      await collect(errors, async () => {
        for await (const page of listPages(ctx, command, base, TABLE_ACCEPT, { includeObject }))
          tables.push(page as unknown as Table);
      });
    }
    for (const table of tables) {
      if (flags.sortBy) sortByPath(table.rows, flags.sortBy, (row) => row.object);
      printer.add(table);
    }
    const text = formatTabbed(printer.lines);
    if (text) sections.push(text);
  }
  // kubectl separates the types' tables by a blank line, unless headers are off.
  let output = sections.join(flags.noHeaders ? '' : '\n');
  if (output === '' && errors.length === 0) {
    // kubectl writes this to stderr; it is what the user sees, so it is the output here.
    output = allNamespaced
      ? `No resources found in ${command.namespace ?? 'default'} namespace.\n`
      : 'No resources found\n';
  }
  return { output, error: errors.length > 0 ? errors.join('\n') : null };
}

async function getObjects(
  ctx: VerbContext,
  command: Command,
  targets: ResolvedTarget[],
): Promise<VerbResult> {
  const errors: string[] = [];
  const items: Json[] = [];
  const singleItemImplied = targets.length === 1 && targets[0]?.target.names.length === 1;
  for (const { target, type, namespace } of targets) {
    const base = collectionPath(type, namespace);
    if (target.names.length > 0) {
      for (const name of target.names) {
        const object = await collect(errors, async () => {
          const res = await ctx.kube.get(`${base}/${encodeURIComponent(name)}`, { signal: ctx.signal });
          return JSON.parse(res.body) as Json;
        });
        if (object) items.push(object);
      }
    } else {
      await collect(errors, async () => {
        for await (const page of listPages(ctx, command, base, 'application/json')) {
          // The apiserver leaves kind and apiVersion off a typed list's items; kubectl fills them in.
          const kind = String(page.kind ?? '').replace(/List$/, '');
          for (const item of (page.items as Json[] | undefined) ?? []) {
            if (item.kind === undefined && item.apiVersion === undefined)
              items.push({ apiVersion: page.apiVersion, kind, ...item });
            else items.push(item);
          }
        }
      });
    }
  }
  const error = errors.length > 0 ? errors.join('\n') : null;
  if (error && singleItemImplied) return { output: '', error };
  if (command.flags.sortBy) sortByPath(items, command.flags.sortBy, (item) => item);
  for (const item of items) redactObject(item);
  if (command.output === 'name') return { output: printNames(items), error };
  const document =
    singleItemImplied && items.length === 1
      ? items[0]
      : { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
  return { output: command.output === 'json' ? printJson(document) : printYaml(document), error };
}
