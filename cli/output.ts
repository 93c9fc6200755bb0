// Renders lists of records as an aligned table, JSON or CSV. The values come from the gateway and, through it,
// from clusters and agents (a self-check report, an audit record): terminal controls in them are printed as
// visible text, never sent to the terminal.

import { escapeJsonControls, escapeTerminal } from '../common/terminal.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

function cell(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : escapeTerminal(String(value));
}

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row)).replace(/\s+/g, ' ')));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return `${[line(columns.map((c) => c.header)), ...cells.map(line)].join('\n')}\n`;
}

function csvField(value: string | number | boolean | null | undefined): string {
  const s = value === null || value === undefined ? '' : escapeTerminal(String(value));
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const lines = [
    columns.map((c) => csvField(c.header)),
    ...rows.map((row) => columns.map((c) => csvField(c.value(row)))),
  ];
  return `${lines.map((l) => l.join(',')).join('\n')}\n`;
}

export function render<T>(
  format: OutputFormat,
  rows: readonly T[],
  columns: readonly Column<T>[],
  json: unknown = rows,
): string {
  switch (format) {
    case 'json':
      // JSON.stringify escapes C0 controls; C1 ones (the one-character CSI) are left raw unless escaped.
      return `${escapeJsonControls(JSON.stringify(json, null, 2))}\n`;
    case 'csv':
      return renderCsv(rows, columns);
    case 'table':
      return rows.length === 0 ? 'No records.\n' : renderTable(rows, columns);
  }
}
