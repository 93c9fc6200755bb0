// How `kubently exec --clusters` prints a fan-out's rows: kubectl tables become one table with a leading
// CLUSTER column and one header (like `kubectl get -A` adds NAMESPACE); anything else is one section per
// cluster. Problems of single clusters go to stderr, one line each.

import type { FleetAnswer, FleetResult, FleetStatus } from '../common/api-fleet.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/** A row's exit code; the command's is the highest (worst) of its rows. */
export const STATUS_EXIT: Record<FleetStatus, ExitCode> = {
  success: EXIT.ok,
  failure: EXIT.failure,
  denied: EXIT.denied,
  timeout: EXIT.timeout,
  unavailable: EXIT.unavailable,
};

/** The exit code of a whole answer: the worst row's; no cluster matched is not found. */
export function fleetExitCode(answer: FleetAnswer): ExitCode {
  if (answer.results.length === 0) return EXIT.notFound;
  return answer.results.reduce<ExitCode>(
    (worst, r) => Math.max(worst, STATUS_EXIT[r.status]) as ExitCode,
    EXIT.ok,
  );
}

/** kubectl's table header: upper-case names (`NAME`, `LAST SEEN`, `PORT(S)`; units in lower case: `CPU(cores)`). */
const isHeader = (line: string) => /^[A-Z][A-Z0-9()%/_. -]*$/.test(line.replace(/\([a-z]+\)/g, ''));

/** What kubectl prints to stderr when a get matches nothing; the agent answers it as the output. */
export const NOTHING_FOUND = /^No resources found\b[^\n]*\n?$/;

interface Table {
  header: string[];
  rows: string[][];
}

/**
 * Splits one kubectl table (as its printer's tabwriter aligned it) into cells at the header's column starts:
 * every cell of a column starts where its header does. Null when the text is not exactly one table.
 */
export function parseTable(text: string): Table | null {
  const lines = text.replace(/\n$/, '').split('\n');
  const head = lines[0] ?? '';
  if (!isHeader(head) || lines.some((l) => l.trim() === '')) return null;
  const starts: number[] = [];
  const header: string[] = [];
  for (const m of head.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index);
    header.push(m[0]);
  }
  const rows = lines.slice(1).map((line) =>
    starts.map((start, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] : undefined;
      return line.slice(start, end).trimEnd();
    }),
  );
  // A cell that runs into the next column means the columns were not aligned as assumed.
  for (const row of rows) for (const [i, c] of row.entries()) if (i > 0 && c.startsWith(' ')) return null;
  return { header, rows };
}

/** Cells aligned like kubectl's tabwriter: columns three spaces apart, the last one not padded. */
export function alignColumns(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows) for (const [i, c] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return rows.map((r) => `${line(r)}\n`).join('');
}

/**
 * One table when every row with output printed a table of the same columns: CLUSTER first, one header, rows
 * in cluster order. Null otherwise (the caller prints sections).
 */
export function mergeTables(results: readonly FleetResult[]): string | null {
  let header: string[] | null = null;
  const cells: string[][] = [];
  for (const r of results) {
    if (r.output === '' || NOTHING_FOUND.test(r.output)) continue;
    const table = parseTable(r.output);
    if (!table) return null;
    if (header && header.join('\t') !== table.header.join('\t')) return null;
    header = table.header;
    for (const row of table.rows) cells.push([r.cluster_id, ...row]);
  }
  return header ? alignColumns([['CLUSTER', ...header], ...cells]) : '';
}

/** One section per cluster with output, headed `==> cluster <==` as tail(1) heads its files. */
export function sections(results: readonly FleetResult[]): string {
  return results
    .filter((r) => r.output !== '')
    .map((r) => `==> ${r.cluster_id} <==\n${r.output.endsWith('\n') ? r.output : `${r.output}\n`}`)
    .join('\n');
}

/**
 * The stderr lines: each cluster that did not succeed, whose output was cut, that said something, or (beside a
 * merged table) that found nothing.
 */
export function problems(results: readonly FleetResult[], merged: boolean): string {
  let text = '';
  for (const r of results) {
    if (merged && NOTHING_FOUND.test(r.output)) text += `${r.cluster_id}: ${r.output.trimEnd()}\n`;
    if (r.status !== 'success')
      text += `kubently: ${r.cluster_id}: ${r.status}: ${(r.error ?? '').trimEnd()}\n`;
    else if (r.error) text += `${r.cluster_id}: ${r.error.trimEnd()}\n`;
    if (r.truncated) text += `kubently: ${r.cluster_id}: output truncated\n`;
  }
  return text;
}
