// Splits one command string into argv without any shell: quotes and backslashes group characters,
// nothing is expanded. `;`, `|`, `$(...)` and friends stay ordinary characters so the parser rejects
// them as the bad names or values they are. shell-quote was considered and not used: it turns
// operators into objects, expands `$VAR` and treats `#` as a comment, all semantics we must not have.

import { KubentlyError } from '../errors.js';

export const MAX_COMMAND_CHARS = 4096;
export const MAX_ARGS = 64;
export const MAX_ARG_CHARS = 1024;

function reject(message: string, rule: string, token: string): never {
  throw new KubentlyError('invalid_command', message, { details: { token, rule } });
}

/** Printable ASCII only: kubectl names, selectors and flags never need more, and it rules out look-alikes. */
function checkChar(code: number, text: string, index: number): void {
  if (code >= 0x20 && code < 0x7f) return;
  const shown = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
    reject(`control character ${shown} at position ${index} is not allowed`, 'control_character', shown);
  }
  reject(
    `non-ASCII character ${shown} in "${text.slice(0, 64)}" is not allowed`,
    'non_ascii',
    text.slice(0, 64),
  );
}

/** Checks one argument given as an array element (the `args` form never passes through tokenize). */
export function checkArg(arg: unknown): string {
  if (typeof arg !== 'string') reject('every argument must be a string', 'invalid_argument', String(arg));
  if (arg.length > MAX_ARG_CHARS) {
    reject(`argument longer than ${MAX_ARG_CHARS} characters`, 'argument_too_long', arg.slice(0, 64));
  }
  for (let i = 0; i < arg.length; i++) checkChar(arg.charCodeAt(i), arg, i);
  return arg;
}

export function checkArgCount(count: number): void {
  if (count > MAX_ARGS) reject(`more than ${MAX_ARGS} arguments`, 'too_many_arguments', String(count));
}

/**
 * Tokenizes like a POSIX shell's word splitting and quoting, minus every expansion:
 * '...' is literal, "..." allows \" and \\ escapes, a backslash outside quotes escapes the next character.
 */
export function tokenize(input: string): string[] {
  if (typeof input !== 'string') reject('command must be a string', 'invalid_argument', String(input));
  if (input.length > MAX_COMMAND_CHARS) {
    reject(`command longer than ${MAX_COMMAND_CHARS} characters`, 'command_too_long', input.slice(0, 64));
  }
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let i = 0;
  const push = (): void => {
    if (current.length > MAX_ARG_CHARS) {
      reject(`argument longer than ${MAX_ARG_CHARS} characters`, 'argument_too_long', current.slice(0, 64));
    }
    tokens.push(current);
    checkArgCount(tokens.length);
    current = '';
    inToken = false;
  };
  while (i < input.length) {
    const code = input.charCodeAt(i);
    checkChar(code, input, i);
    const ch = input[i]!;
    if (ch === ' ') {
      if (inToken) push();
      i++;
      continue;
    }
    inToken = true;
    if (ch === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) reject('unterminated single quote', 'unterminated_quote', input.slice(i, i + 64));
      for (let j = i + 1; j < end; j++) checkChar(input.charCodeAt(j), input, j);
      current += input.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= input.length)
          reject('unterminated double quote', 'unterminated_quote', current.slice(0, 64));
        checkChar(input.charCodeAt(i), input, i);
        const c = input[i]!;
        if (c === '"') break;
        if (c === '\\' && (input[i + 1] === '"' || input[i + 1] === '\\')) {
          current += input[i + 1];
          i += 2;
          continue;
        }
        current += c;
        i++;
      }
      i++;
    } else if (ch === '\\') {
      if (i + 1 >= input.length) reject('trailing backslash', 'trailing_backslash', '\\');
      checkChar(input.charCodeAt(i + 1), input, i + 1);
      current += input[i + 1];
      i += 2;
    } else {
      current += ch;
      i++;
    }
  }
  if (inToken) push();
  return tokens;
}
