// kubectl's human-readable printer for server-side Tables (cli-runtime tableprinter.go):
// decorateTable adds NAMESPACE / kind-prefixed names / LABELS, printTable writes tab-separated rows.

import { escapeTerminal } from '../../common/terminal.js';

export interface TableColumn {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
}

export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;
}

export interface Table {
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

export interface TablePrintOptions {
  wide: boolean;
  noHeaders: boolean;
  withNamespace: boolean;
  showLabels: boolean;
  /** The `kind.group` prefix for names when several types are printed (`deployment.apps`), or null. */
  kindPrefix: string | null;
}

/** Prints one type's tables through one tabwriter, like one kubectl printer for one REST mapping. */
export class TablePrinter {
  private lastColumns: TableColumn[] | null = null;
  private printedHeaders = false;
  readonly lines: string[][] = [];

  constructor(private readonly options: TablePrintOptions) {}

  add(table: Table): void {
    let noHeaders = this.options.noHeaders;
    const sameColumns =
      this.lastColumns !== null && sameDefinitions(table.columnDefinitions, this.lastColumns);
    if (this.printedHeaders && (table.columnDefinitions.length === 0 || sameColumns)) noHeaders = true;
    let columns = table.columnDefinitions;
    if (columns.length === 0) columns = this.lastColumns ?? [];
    else if (!sameColumns) {
      this.lastColumns = columns;
      this.printedHeaders = false;
    }
    if (table.rows.length > 0) this.printedHeaders = true;
    this.print(columns, table.rows, noHeaders);
  }

  private print(definitions: TableColumn[], rows: TableRow[], noHeaders: boolean): void {
    const { wide, withNamespace, showLabels, kindPrefix } = this.options;
    const nameColumn = kindPrefix
      ? definitions.findIndex((c) => c.format === 'name' && c.type === 'string')
      : -1;
    const columns: TableColumn[] = [
      ...(withNamespace ? [{ name: 'Namespace', type: 'string' }] : []),
      ...definitions,
      ...(showLabels ? [{ name: 'Labels', type: 'string' }] : []),
    ];
    if (!noHeaders) {
      // kubectl prints no header above an empty table.
      if (rows.length === 0) return;
      this.lines.push(columns.filter((c) => wide || !c.priority).map((c) => c.name.toUpperCase()));
    }
    for (const row of rows) {
      let cells = [...row.cells];
      if (nameColumn !== -1) cells[nameColumn] = `${kindPrefix}/${goString(cells[nameColumn])}`;
      const meta = row.object?.metadata;
      if (meta) {
        if (withNamespace) cells = [meta.namespace ?? '', ...cells];
        if (showLabels) cells.push(formatLabels(meta.labels));
      } else {
        if (withNamespace) cells = [null, ...cells];
        while (cells.length < columns.length) cells.push(null);
      }
      const out: string[] = [];
      for (let i = 0; i < cells.length && i < columns.length; i++) {
        const column = columns[i];
        if (!wide && column?.priority) continue;
        out.push(cellText(cells[i]));
      }
      this.lines.push(out);
    }
  }
}

function sameDefinitions(a: TableColumn[], b: TableColumn[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * labels.FormatLabels (labels.Set.String): the `k=v` pairs sorted as whole strings, byte by byte, so
 * `app.kubernetes.io/name=x` comes before `app=y` ('.' < '='); `<none>` when there are none.
 */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
  if (pairs.length === 0) return '<none>';
  // Label keys and values are ASCII, where UTF-16 order is byte order.
  return pairs.sort().join(',');
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') {
    // tabwriter would treat these as line breaks; kubectl cuts the cell there and marks it.
    const cut = cell.search(/[\f\n\r]/);
    return escapeTerminal(cut >= 0 ? `${cell.slice(0, cut)}...` : cell);
  }
  return escapeTerminal(goString(cell));
}

/** fmt.Sprint of a JSON-decoded value, for the cell types tables carry. */
export function goString(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${k}:${goString((value as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}
