// The cap on what one command may return. The cut never splits a UTF-8 character, and a cut output
// ends with a line that says so, so neither a person nor a model mistakes it for the whole answer.

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

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, cut on a character boundary. */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  // Fast path: even at 3 bytes per UTF-16 unit (the worst case) the text fits.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

export function limitOutput(text: string, maxBytes: number): LimitedText {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes)
    return { text, truncated: false };
  const notice = truncationNotice(maxBytes);
  const room = Math.max(0, maxBytes - Buffer.byteLength(notice, 'utf8'));
  return { text: utf8Prefix(text, room) + notice, truncated: true };
}
