// Text from a cluster or a client is data, never terminal commands. kubectl's printers escape ESC as
// `^[` and CR as `\r` (k8s.io/cli-runtime printers.EscapeTerminal, issue kubernetes#101695); Kubently
// does the same and escapes the rest of C0 (as `^G`, `^H`, ...), DEL (`^?`) and C1 (U+0080 to U+009F,
// which includes the one-character CSI U+009B, as `\u009b`) too. Newline and tab stay: they lay out text.

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const C1 = /[\u0080-\u009f]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\r') return '\\r';
  if (code === 0x7f) return '^?';
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every C0 control but newline and tab, DEL and every C1 control shown as visible text. */
export function escapeTerminal(text: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text) ? text.replace(CONTROL, visible) : text;
}

/** True when `text` holds no control character but newline and tab (what `escapeTerminal` leaves). */
export function isTerminalSafe(text: string): boolean {
  CONTROL.lastIndex = 0;
  return !CONTROL.test(text);
}

/**
 * JSON text with C1 controls written as `\u0080`..`\u009f` escapes: the same JSON value, but nothing a
 * terminal acts on when the JSON is printed (JSON.stringify already escapes C0 and leaves C1 raw).
 */
export function escapeJsonControls(json: string): string {
  C1.lastIndex = 0;
  return C1.test(json) ? json.replace(C1, visible) : json;
}

/** A single-line identifier (correlation id, user id): printable characters only, no controls at all. */
export const PRINTABLE_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]*$';

/**
 * A copy of a JSON-like value with every string (keys too) passed through escapeTerminal: what an audit
 * record holds of a User-Agent, a correlation id or a command line can then be printed anywhere.
 */
export function escapeTerminalDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return escapeTerminal(value) as T;
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => escapeTerminalDeep(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[escapeTerminal(k)] = escapeTerminalDeep(v, depth + 1);
  return out as T;
}
