// The cap on what one command may return. The cut never splits a UTF-8 character, and a cut output
// ends with a line that says so, so neither a person nor a model mistakes it for the whole answer.

import { utf8Prefix } from '../common/utf8.js';

export { utf8Prefix };

export interface LimitedText {
  text: string;
  truncated: boolean;
}

/** The hint every cut output ends with: how to ask for less. */
export const NARROW_HINT = 'narrow it with -l, --field-selector or --limit';

export function truncationNotice(maxBytes: number): string {
  return `\n[kubently: output truncated at ${maxBytes} bytes; ${NARROW_HINT}]\n`;
}

/** The last line of an output the agent stopped early for another reason than its size. */
export function stoppedNotice(because: string): string {
  return `\n[kubently: output truncated: ${because}]\n`;
}

export function limitOutput(text: string, maxBytes: number): LimitedText {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes)
    return { text, truncated: false };
  const notice = truncationNotice(maxBytes);
  const room = Math.max(0, maxBytes - Buffer.byteLength(notice, 'utf8'));
  return { text: utf8Prefix(text, room) + notice, truncated: true };
}
