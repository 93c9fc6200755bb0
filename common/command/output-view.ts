// What a caller may ask the agent to leave out of a command's output, so that a model reads the twenty lines
// that matter instead of a megabyte: lines containing none of the `grep` strings, and bytes past
// `max_output_bytes`. Neither changes what kubectl prints by default. The strings are fixed and matched
// case-insensitively (like `grep -iF`): no regular expression, so no catastrophic backtracking.

import { PRINTABLE_PATTERN } from '../terminal.js';
import { isFollowCommand } from './follow.js';
import type { Command, Verb } from './types.js';
import { invalid } from './values.js';

/** At most this many grep strings, each 1..MAX_GREP_CHARS printable characters. */
export const MAX_GREP_STRINGS = 16;
export const MAX_GREP_CHARS = 256;
/** The smallest output cap a caller may ask for: room for a few lines and the truncation notice. */
export const MIN_REQUESTED_OUTPUT_BYTES = 256;
/** The policy schema's own ceiling; a request above the cluster's policy cap is capped to it. */
export const MAX_REQUESTED_OUTPUT_BYTES = 64 * 1024 * 1024;

/** The REST body's, the wire message's and the MCP tool's `grep`: one or more fixed strings. */
export const grepSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_GREP_STRINGS,
  items: { type: 'string', minLength: 1, maxLength: MAX_GREP_CHARS, pattern: PRINTABLE_PATTERN },
  description:
    'Keep only the lines that contain one of these fixed strings (case-insensitive, no regular expressions), ' +
    "applied by the agent to logs and to table rows before the output is cut; a table's header line is kept. " +
    'For logs, and get, events, api-resources or api-versions with the default, wide or name output.',
} as const;

/** The REST body's, the wire message's and the MCP tool's `max_output_bytes`. */
export const maxOutputBytesSchema = {
  type: 'integer',
  minimum: MIN_REQUESTED_OUTPUT_BYTES,
  maximum: MAX_REQUESTED_OUTPUT_BYTES,
  description:
    "Cut the output at this many bytes (UTF-8) instead of the policy's cap; a value above the cap is capped. " +
    'A cut output ends with a line that says so.',
} as const;

/** The two, as a parsed Command carries them (absent: kubectl's whole output up to the policy's cap). */
export interface OutputView {
  grep?: string[];
  maxOutputBytes?: number;
}

const GREP_VERBS: ReadonlySet<Verb> = new Set(['logs', 'get', 'events', 'api-resources', 'api-versions']);

/** Why `grep` cannot apply to this command's output, or null when it can (logs, and line-per-object tables). */
export function grepRefusal(command: Pick<Command, 'verb' | 'output'>): string | null {
  if (!GREP_VERBS.has(command.verb))
    return `grep applies to logs and to table rows (get, events, api-resources, api-versions), not to ${command.verb}`;
  if (command.verb !== 'logs' && !['table', 'wide', 'name'].includes(command.output))
    return `grep applies to table rows, not to -o ${command.output} output; drop -o or use -o wide or -o name`;
  return null;
}

/**
 * The command with the view attached, after checking that it applies: `grep` on an output that is not
 * line-per-object is rejected (invalid_command, rule `grep_not_applicable`) rather than silently ignored.
 */
export function withOutputView(command: Command, view: OutputView | undefined): Command {
  if (view === undefined || (view.grep === undefined && view.maxOutputBytes === undefined)) return command;
  // A stream has its own caps (limits.stream) and its chunks are not filtered: refused, not ignored.
  if (isFollowCommand(command))
    invalid(
      'grep and max_output_bytes apply to finished output, not to a follow command (-f, -w); leave them out or drop the follow flag',
      'grep_not_applicable',
      view.grep === undefined ? 'max_output_bytes' : 'grep',
    );
  if (view.grep !== undefined) {
    const refusal = grepRefusal(command);
    if (refusal !== null) invalid(refusal, 'grep_not_applicable', 'grep');
  }
  const kept: OutputView = {};
  if (view.grep !== undefined) kept.grep = [...view.grep];
  if (view.maxOutputBytes !== undefined) kept.maxOutputBytes = view.maxOutputBytes;
  return { ...command, view: kept };
}

/** Whether the first line of each blank-line-separated section is a header that grep keeps. */
export function hasHeaders(command: Pick<Command, 'verb' | 'output' | 'flags'>): boolean {
  return command.verb !== 'logs' && command.output !== 'name' && command.flags.noHeaders !== true;
}

/**
 * The lines of `text` that contain one of `strings`, case-insensitively. With `keepHeaders`, the first line of
 * the text and of every section after a blank line stay too (kubectl separates the tables of several types by
 * a blank line), so what is left reads like `kubectl get … | { head -1; grep -iF … }`: column widths are the
 * whole table's, as a pipe through grep leaves them.
 */
export function grepLines(text: string, strings: readonly string[], keepHeaders: boolean): string {
  const needles = strings.map((s) => s.toLowerCase());
  const lines = text.split('\n');
  const last = lines.pop();
  const kept: string[] = [];
  let sectionStart = true;
  for (const line of lines) {
    if (line === '') {
      if (keepHeaders) kept.push(line);
      sectionStart = true;
      continue;
    }
    const lower = line.toLowerCase();
    if ((keepHeaders && sectionStart) || needles.some((n) => lower.includes(n))) kept.push(line);
    sectionStart = false;
  }
  let out = kept.length > 0 ? `${kept.join('\n')}\n` : '';
  // An unterminated last line (a log cut mid-line) is a line like the others.
  if (last !== undefined && last !== '') {
    const lower = last.toLowerCase();
    if ((keepHeaders && sectionStart) || needles.some((n) => lower.includes(n))) out += last;
  }
  return out;
}
