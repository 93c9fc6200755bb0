// Files the user names on the command line: a file that cannot be read is bad input (exit 2), said in one
// line that names the file and the reason, never Node's raw error.

import { readFile } from 'node:fs/promises';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

/** One line for an unreadable file, e.g. "cannot read --tokens file x.json: no such file". */
export function unreadable(what: string, file: string, err: unknown): CliError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = (code && REASONS[code]) ?? code ?? (err as Error).message;
  return new CliError(`cannot read ${what} ${file}: ${reason}`, EXIT.usage);
}

/** The file's text, or a CliError with exit 2. */
export async function readInputFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw unreadable(what, file, err);
  }
}
