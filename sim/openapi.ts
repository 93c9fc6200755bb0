// OpenAPI v3 documents for `kubectl explain`, read once at start from sim/openapi/*.json. The index
// at /openapi/v3 carries a content hash per group version, as the real server's does.

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('./openapi/', import.meta.url));

/** File name to group-version path: api__v1.json → api/v1, apis__apps__v1.json → apis/apps/v1. */
function gvPath(file: string): string {
  return file
    .replace(/\.json$/, '')
    .split('__')
    .join('/');
}

export async function loadOpenApi(dir = DIR): Promise<Map<string, string>> {
  const docs = new Map<string, string>();
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return docs;
  }
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const file of files) {
    const text = await readFile(`${dir}${file}`, 'utf8');
    const body = JSON.stringify(JSON.parse(text));
    const gv = gvPath(file);
    const hash = createHash('sha512').update(body).digest('hex').toUpperCase().slice(0, 128);
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` };
    docs.set(`/openapi/v3/${gv}`, body);
  }
  docs.set('/openapi/v3', JSON.stringify({ paths }));
  return docs;
}
