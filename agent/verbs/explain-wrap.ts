// The text helpers of kubectl explain's template: `wrap` is github.com/mitchellh/go-wordwrap 1.0.1
// (kubectl's term.NewWordWrapWriter), `indent` is the template's own. Ported rule for rule, because
// explain output must match kubectl's byte for byte, including its quirks (a word longer than the
// limit stays whole; trailing spaces of a line are dropped only when they would overflow it).

const NBSP = 0xa0;

/** Go's unicode.IsSpace, minus U+00A0 which go-wordwrap treats as part of a word. */
function isBreakingSpace(code: number): boolean {
  switch (code) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return code !== NBSP && code >= 0x2000 && code <= 0x200a;
  }
}

/** Wraps `s` at whitespace so lines stay within `limit` characters (runes) where words allow. */
export function wordWrap(s: string, limit: number): string {
  let out = '';
  let current = 0;
  let word = '';
  let wordLen = 0;
  let space = '';
  let spaceLen = 0;
  for (const char of s) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n') {
      if (wordLen === 0) {
        if (current + spaceLen <= limit) out += space;
      } else {
        out += space + word;
      }
      space = '';
      spaceLen = 0;
      word = '';
      wordLen = 0;
      out += char;
      current = 0;
    } else if (isBreakingSpace(code)) {
      if (spaceLen === 0 || wordLen > 0) {
        current += spaceLen + wordLen;
        out += space + word;
        space = '';
        spaceLen = 0;
        word = '';
        wordLen = 0;
      }
      space += char;
      spaceLen++;
    } else {
      word += char;
      wordLen++;
      if (current + spaceLen + wordLen > limit && wordLen < limit) {
        out += '\n';
        current = 0;
        space = '';
        spaceLen = 0;
      }
    }
  }
  if (wordLen === 0) {
    if (current + spaceLen <= limit) out += space;
  } else {
    out += space + word;
  }
  return out;
}

/** The template's `indent`: pads the first line and every line after a newline, even empty ones. */
export function indent(amount: number, s: string): string {
  const pad = ' '.repeat(amount);
  return pad + s.replaceAll('\n', `\n${pad}`);
}
