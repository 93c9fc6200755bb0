// Writes a secret-bearing file all at once: a reader (a reloading server, another CLI run) never sees half of it.

import { rename, writeFile } from 'node:fs/promises';

/** Writes to a temp file (mode 0600) and renames it over `path`. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}
