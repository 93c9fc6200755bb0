// kubectl -o yaml: sigs.k8s.io/yaml turns the JSON into go-yaml v2 values and marshals them with
// libyaml's emitter. This is a port of the parts of that emitter JSON data can reach (block maps and
// sequences, the four scalar styles with their quoting and 80-column folding rules, key order), so
// the output matches kubectl byte for byte.

const bestWidth = 80;
const bestIndent = 2;

class Emitter {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;
  indent = -1;

  put(text: string): void {
    this.out += text;
    for (const _ of text) this.column++;
  }

  putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  /** write_break: a newline is put as one; any other break character (U+2028, U+2029) is written as itself. */
  writeBreak(c: string): void {
    this.out += c;
    this.column = 0;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }
}

export function printYaml(value: unknown): string {
  const e = new Emitter();
  emitNode(e, value, 'root');
  e.indent = -1;
  e.writeIndent();
  return e.out;
}

/** Text a printer hands out piece by piece: the concatenation of every piece is the whole document. */
export interface ListPrinter {
  /** The text of one more item of the List. */
  item(value: unknown): string;
  /** The rest of the document after the last item. */
  end(): string;
}

/**
 * kubectl -o yaml of `{apiVersion: v1, items, kind: List, metadata: {resourceVersion: ""}}`, one item
 * at a time, so a long list is printed (and cut at the output limit) without holding it whole. The
 * emitter keeps its column and indentation between items: the pieces join to printYaml(list) exactly.
 */
export function yamlListPrinter(): ListPrinter {
  const e = new Emitter();
  let started = false;
  const take = () => {
    const text = e.out;
    e.out = '';
    return text;
  };
  // The root mapping (indent 0) up to its `items` key.
  increaseIndent(e, false);
  for (const [key, value] of [['apiVersion', 'v1']] as const) {
    e.writeIndent();
    emitNode(e, key, 'key');
    e.writeIndicator(':', false, false, false);
    emitNode(e, value, 'value');
  }
  e.writeIndent();
  emitNode(e, 'items', 'key');
  e.writeIndicator(':', false, false, false);
  const rootIndent = e.indent;
  return {
    item(value) {
      if (!started) {
        started = true;
        // As emitSequence does for a mapping's value: an indentless block sequence.
        increaseIndent(e, !e.indention);
      }
      e.writeIndent();
      e.writeIndicator('-', true, false, true);
      emitNode(e, value, 'item');
      return take();
    },
    end() {
      if (started) e.indent = rootIndent;
      else emitFlowEmpty(e, '[]');
      for (const [key, value] of [
        ['kind', 'List'],
        ['metadata', { resourceVersion: '' }],
      ] as const) {
        e.writeIndent();
        emitNode(e, key, 'key');
        e.writeIndicator(':', false, false, false);
        emitNode(e, value, 'value');
      }
      e.indent = -1;
      e.writeIndent();
      return take();
    },
  };
}

type Context = 'root' | 'key' | 'value' | 'item';

function emitNode(e: Emitter, value: unknown, context: Context): void {
  if (Array.isArray(value)) {
    if (value.length === 0) emitFlowEmpty(e, '[]');
    else emitSequence(e, value, context);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) emitFlowEmpty(e, '{}');
    else emitMapping(e, value as Record<string, unknown>, keys);
    return;
  }
  emitScalar(e, value, context === 'key');
}

function emitFlowEmpty(e: Emitter, text: string): void {
  e.writeIndicator(text.charAt(0), true, true, false);
  e.writeIndicator(text.charAt(1), false, false, false);
}

function increaseIndent(e: Emitter, indentless: boolean): void {
  if (e.indent < 0) e.indent = 0;
  else if (!indentless) e.indent += bestIndent;
}

function emitMapping(e: Emitter, map: Record<string, unknown>, keys: string[]): void {
  const saved = e.indent;
  increaseIndent(e, false);
  for (const key of keys.sort(yamlKeyLess)) {
    e.writeIndent();
    emitNode(e, key, 'key');
    e.writeIndicator(':', false, false, false);
    emitNode(e, map[key], 'value');
  }
  e.indent = saved;
}

function emitSequence(e: Emitter, items: unknown[], context: Context): void {
  const saved = e.indent;
  // A block sequence that is a mapping's value is not indented further ("indentless").
  increaseIndent(e, context === 'value' && !e.indention);
  for (const item of items) {
    e.writeIndent();
    e.writeIndicator('-', true, false, true);
    emitNode(e, item, 'item');
  }
  e.indent = saved;
}

function emitScalar(e: Emitter, value: unknown, simpleKey: boolean): void {
  const saved = e.indent;
  increaseIndent(e, false);
  if (typeof value === 'string') emitString(e, throughYamlReader(value), simpleKey);
  else writePlain(e, value === null || value === undefined ? 'null' : formatNumberOrBool(value), false);
  e.indent = saved;
}

function formatNumberOrBool(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return String(value);
  }
  return String(value);
}

type Style = 'plain' | 'single' | 'double' | 'literal';

function emitString(e: Emitter, s: string, simpleKey: boolean): void {
  // go-yaml's encoder: literal for multi-line, plain unless the text would read back as another type.
  let style: Style;
  if (s.includes('\n')) style = 'literal';
  else if (resolvesToString(s) && !isBase60Float(s)) style = 'plain';
  else style = 'double';
  // libyaml's select_scalar_style.
  const a = analyze(s);
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlainAllowed) style = 'single';
    if (s.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  const allowBreaks = !simpleKey;
  switch (style) {
    case 'plain':
      writePlain(e, s, allowBreaks);
      return;
    case 'single':
      writeSingle(e, s, allowBreaks);
      return;
    case 'double':
      writeDouble(e, s, allowBreaks);
      return;
    case 'literal':
      writeLiteral(e, s);
      return;
  }
}

const isBreak = (c: string | undefined): boolean =>
  c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * go-yaml v2's is_printable, which (unlike libyaml's) leaves out U+0085 and every code point beyond
 * U+FFFF: an emoji or a mathematical letter forces double quotes and prints as \U0001F680.
 */
function isPrintable(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff)
  );
}

/** sigs.k8s.io/yaml reads the JSON text with go-yaml's reader, which refuses these when encoding/json leaves them raw. */
const READER_REFUSED = /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;
/** Raw U+0085 in a double-quoted JSON string is a YAML line break: folded, with the blanks around it. */
const FOLDED_BREAKS = /[ \t]*\u0085+[ \t]*/g;

/** kubectl's error when go-yaml's reader meets a refused character (nothing is printed). */
export class YamlReaderError extends Error {
  constructor() {
    super('error: yaml: control characters are not allowed');
  }
}

/**
 * A string as it comes out of sigs.k8s.io/yaml's JSON → YAML round trip: one NEL becomes a space,
 * n NELs in a row become n - 1 newlines, blanks around them go; refused characters throw.
 */
export function throughYamlReader(s: string): string {
  if (READER_REFUSED.test(s)) throw new YamlReaderError();
  if (!s.includes('\u0085')) return s;
  return s.replace(FOLDED_BREAKS, (run) => {
    const breaks = run.split('\u0085').length - 1;
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
  });
}

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** libyaml's yaml_emitter_analyze_scalar (block context; the emitter allows unicode). */
function analyze(s: string): Analysis {
  if (s.length === 0)
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  const chars = [...s];
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || isBlank(next) || isBreak(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) blockIndicators = true;
    } else if (c === ':' && followedByWhitespace) blockIndicators = true;
    else if (c === '#' && precededByWhitespace) blockIndicators = true;
    if (!isPrintable(c)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c) || isBreak(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks || blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

function writePlain(e: Emitter, s: string, allowBreaks: boolean): void {
  if (!e.whitespace) e.put(' ');
  const chars = [...s];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === ' ') {
      if (allowBreaks && !spaces && e.column > bestWidth && chars[i + 1] !== ' ') e.writeIndent();
      else e.put(c);
      spaces = true;
    } else {
      e.put(c);
      spaces = false;
    }
  }
  e.whitespace = false;
  e.indention = false;
}

function writeSingle(e: Emitter, s: string, allowBreaks: boolean): void {
  e.writeIndicator("'", true, false, false);
  const chars = [...s];
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (isBreak(c)) {
      // write_single_quoted: a newline is doubled (YAML folds one), then the break and the next line's indent.
      if (!breaks && c === '\n') e.putBreak();
      e.writeBreak(c);
      e.indention = true;
      breaks = true;
      continue;
    }
    if (c === ' ') {
      if (
        allowBreaks &&
        !spaces &&
        e.column > bestWidth &&
        i > 0 &&
        i < chars.length - 1 &&
        chars[i + 1] !== ' '
      )
        e.writeIndent();
      else e.put(c);
      spaces = true;
    } else {
      if (breaks) e.writeIndent();
      e.put(c === "'" ? "''" : c);
      e.indention = false;
      spaces = false;
      breaks = false;
    }
  }
  e.writeIndicator("'", false, false, false);
}

const doubleEscapes: Record<number, string> = {
  0: '0',
  7: 'a',
  8: 'b',
  9: 't',
  10: 'n',
  11: 'v',
  12: 'f',
  13: 'r',
  27: 'e',
  34: '"',
  92: '\\',
  133: 'N',
  160: '_',
  8232: 'L',
  8233: 'P',
};

function writeDouble(e: Emitter, s: string, allowBreaks: boolean): void {
  e.writeIndicator('"', true, false, false);
  const chars = [...s];
  // go-yaml v2's is_bom(value, i) looks at the first bytes of the whole value, not at i: a value
  // that starts with a BOM has every character escaped.
  const startsWithBom = chars[0] === '\ufeff';
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const code = c.codePointAt(0) ?? 0;
    if (!isPrintable(c) || startsWithBom || isBreak(c) || c === '"' || c === '\\') {
      const short = doubleEscapes[code];
      if (short !== undefined) e.put(`\\${short}`);
      else if (code <= 0xff) e.put(`\\x${code.toString(16).toUpperCase().padStart(2, '0')}`);
      else if (code <= 0xffff) e.put(`\\u${code.toString(16).toUpperCase().padStart(4, '0')}`);
      else e.put(`\\U${code.toString(16).toUpperCase().padStart(8, '0')}`);
      spaces = false;
    } else if (c === ' ') {
      if (allowBreaks && !spaces && e.column > bestWidth && i !== 0 && i !== chars.length - 1) {
        e.writeIndent();
        if (chars[i + 1] === ' ') e.put('\\');
      } else e.put(c);
      spaces = true;
    } else {
      e.put(c);
      spaces = false;
    }
  }
  e.writeIndicator('"', false, false, false);
}

function writeLiteral(e: Emitter, s: string): void {
  e.writeIndicator('|', true, false, false);
  const chars = [...s];
  if (chars[0] === ' ' || isBreak(chars[0])) e.writeIndicator(String(bestIndent), false, false, false);
  const last = chars.length - 1;
  if (!isBreak(chars[last])) e.writeIndicator('-', false, false, false);
  else if (last === 0 || isBreak(chars[last - 1])) e.writeIndicator('+', false, false, false);
  e.putBreak();
  e.indention = true;
  e.whitespace = true;
  let breaks = true;
  for (const c of chars) {
    if (isBreak(c)) {
      e.writeBreak(c);
      e.indention = true;
      breaks = true;
    } else {
      if (breaks) {
        e.writeIndent();
        breaks = false;
      }
      e.put(c);
      e.indention = false;
    }
  }
}

// --- go-yaml v2 resolve(): would this text, unquoted, read back as something other than a string?

const nonStringWords = new Set([
  '~',
  'null',
  'Null',
  'NULL',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '<<',
]);
const goInt = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const yamlFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const goFloat = /^[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|infinity|nan)$/i;
const base60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const timestamps = [
  /^\d{4}-\d{1,2}-\d{1,2}[Tt]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  /^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?$/,
  /^\d{4}-\d{1,2}-\d{1,2}$/,
];

function isBase60Float(s: string): boolean {
  return s !== '' && '+-0123456789'.includes(s.charAt(0)) && base60.test(s);
}

function resolvesToString(s: string): boolean {
  if (s === '') return false;
  const first = s.charAt(0);
  if (nonStringWords.has(s)) return false;
  if (first === '.') return !goFloat.test(s);
  if (!'+-0123456789'.includes(first)) return true;
  if (timestamps.some((re) => re.test(s)) && validDate(s)) return false;
  const plain = s.replaceAll('_', '');
  if (goInt.test(plain) || yamlFloat.test(plain)) return false;
  if (/^-?0b[01]+$/.test(plain)) return false;
  return true;
}

function validDate(s: string): boolean {
  const [y, m, d] = s
    .slice(0, 10)
    .split(/[-Tt ]/)
    .map(Number);
  if (m === undefined || d === undefined || y === undefined || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

// --- go-yaml v2 keyList.Less: a "natural" order where digit runs compare as numbers.

const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export function yamlKeyLess(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return (ac.codePointAt(0) ?? 0) - (bc.codePointAt(0) ?? 0);
    if (al || bl) return bl ? -1 : 1;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return (ac.codePointAt(0) ?? 0) - (bc.codePointAt(0) ?? 0);
  }
  return ar.length - br.length;
}
