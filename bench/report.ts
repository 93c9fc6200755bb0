// Turns the measured figures into the printed table, the target and floor comparisons, and the JSON file.

import type { LatencySummary } from './lib/stats.js';

export interface Row {
  name: string;
  latency?: LatencySummary;
  throughput?: number;
  note?: string;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  /** measured / target for "at least" targets, target / measured for "at most" ones: ≥ 1 means met. */
  margin: number;
  met: boolean;
}

const ms = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '' : v < 10 ? v.toFixed(3) : v.toFixed(1);
const rate = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '' : Math.round(v).toLocaleString('en-US');

export function formatTable(rows: readonly Row[]): string {
  const header = ['measurement', 'p50 ms', 'p99 ms', 'ops/s', 'note'];
  const body = rows.map((r) => [
    r.name,
    ms(r.latency?.p50Ms),
    ms(r.latency?.p99Ms),
    rate(r.throughput),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i > 0 && i < 4 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i > 0 && i < 4 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

export function atMost(name: string, measured: number, limit: number, unit: string): TargetCheck {
  return {
    name,
    target: `< ${limit} ${unit}`,
    measured: `${measured.toFixed(3)} ${unit}`,
    margin: limit / measured,
    met: measured < limit,
  };
}

export function atLeast(name: string, measured: number, floor: number, unit: string): TargetCheck {
  return {
    name,
    target: `≥ ${floor} ${unit}`,
    measured: `${measured.toFixed(1)} ${unit}`,
    margin: measured / floor,
    met: measured >= floor,
  };
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks
    .map(
      (c) =>
        `  ${c.met ? 'MET ' : 'MISS'}  ${c.name}: ${c.measured} (target ${c.target}; ${c.margin.toFixed(2)}x of target)`,
    )
    .join('\n');
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}
