// Durations as Kubernetes prints them (k8s.io/apimachinery/pkg/util/duration.HumanDuration): the AGE and
// LAST SEEN cells of the simulated apiserver's tables and of the agent's kubectl-style output; and as Go
// parses them (time.ParseDuration), the one duration parser for kubectl flags, the audit API and the CLI.
// Hand-written on purpose: kubectl reads `--since=1h30m` with Go's grammar, which `ms` and similar npm
// parsers do not implement (they take "1h" but not "1h30m" or "1.5h", and accept "1 hour", which Go refuses).

/** HumanDuration from apimachinery: 5s, 2m30s, 10m, 3h, 3h15m, 2d3h, 45d, 2y30d, 9y. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** translateTimestampSince: '<unknown>' for a missing or unparsable timestamp, else its age at `now`. */
export function since(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string' || timestamp === '') return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** Go's units for time.ParseDuration, in milliseconds. */
const GO_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** Days and weeks, which Go lacks, for ago-relative times (audit `since`/`until`, the CLI's `--since`). */
export const DAY_UNITS_MS: Readonly<Record<string, number>> = { d: 86_400_000, w: 604_800_000 };

/** time.Duration is an int64 of nanoseconds: longer durations do not parse in Go. */
const MAX_GO_DURATION_MS = 9_223_372_036_854.775;

const GO_ELEMENT = /([0-9]*(?:\.[0-9]*)?)([^0-9.]+)/y;

/**
 * Go's time.ParseDuration: an optional sign, then one or more decimal numbers each with a unit
 * ("300ms", "-1.5h", "2h45m"; "0" alone). Returns milliseconds, or undefined where Go returns an error.
 * `extraUnits` adds units Go does not know (DAY_UNITS_MS).
 */
export function parseGoDuration(
  text: string,
  extraUnits: Readonly<Record<string, number>> = {},
): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  GO_ELEMENT.lastIndex = 0;
  while (GO_ELEMENT.lastIndex < rest.length) {
    const m = GO_ELEMENT.exec(rest);
    if (!m) return undefined;
    const [, number = '', unit = ''] = m;
    // "." and "" are not numbers; ".5" and "5." are.
    if (number.replace('.', '') === '') return undefined;
    const perUnit = GO_UNITS_MS[unit] ?? extraUnits[unit];
    if (perUnit === undefined) return undefined;
    total += Number(number) * perUnit;
    if (total > MAX_GO_DURATION_MS) return undefined;
  }
  return sign * total;
}

const ISO_PARTS = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?/;

/**
 * Whether an ISO-8601 text names a real calendar time. Date.parse rolls some impossible ones over silently
 * (February 31 is March 2, 2023-02-29 is March 1, hour 24 is the next day).
 */
function isCalendarTime(value: string): boolean {
  const parts = ISO_PARTS.exec(value);
  if (!parts) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = parts.slice(1).map((p) => Number(p ?? 0));
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

/**
 * An ago-relative duration ("90s", "1h30m", "7d") or an ISO-8601 timestamp, as epoch ms at `now`;
 * NaN when it is neither, or names no real calendar time.
 */
export function timeFromAgoOrTimestamp(value: string, now: number): number {
  const ago = parseGoDuration(value, DAY_UNITS_MS);
  if (ago !== undefined) return ago < 0 ? Number.NaN : now - ago;
  return isCalendarTime(value) ? Date.parse(value) : Number.NaN;
}
