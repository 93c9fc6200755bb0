// Reads a policy file: YAML syntax, then the schema, then the semantics, each error pointing at
// the line and column of the offending node.

import { readFile } from 'node:fs/promises';
import { isMap, LineCounter, type Node, parseDocument } from 'yaml';
import { compileDocument, type Fail } from './compile.js';
import { schemaError } from './schema.js';
import type { Policy, PolicyDocument } from './types.js';

export class PolicyLoadError extends Error {
  readonly code = 'KUBENTLY_ERR_POLICY_INVALID';
  readonly source: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path inside the document, e.g. `resources.get.2`; '' for the whole document. */
  readonly path: string;

  constructor(source: string, line: number, column: number, path: string, message: string) {
    super(`${source}:${line}:${column}: ${path ? `${path}: ` : ''}${message}`);
    this.name = 'PolicyLoadError';
    this.source = source;
    this.line = line;
    this.column = column;
    this.path = path;
  }
}

const MAX_POLICY_BYTES = 1024 * 1024;

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function parsePolicy(yamlText: string, sourceName: string): Policy {
  if (yamlText.length > MAX_POLICY_BYTES) {
    throw new PolicyLoadError(sourceName, 1, 1, '', `policy larger than ${MAX_POLICY_BYTES} bytes`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0] ?? { line: 1, col: 1 };
    throw new PolicyLoadError(
      sourceName,
      pos.line,
      pos.col,
      '',
      yamlError.message.split('\n')[0] ?? 'bad YAML',
    );
  }

  /** The node at path, or for a bad key the key itself; falls back to the nearest ancestor. */
  const locate = (path: readonly (string | number)[], key?: string): { line: number; col: number } => {
    for (let n = path.length; n >= 0; n--) {
      const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)) as Node | null | undefined;
      if (!node?.range) continue;
      if (key !== undefined && n === path.length && isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
        const keyRange = (pair?.key as Node | undefined)?.range;
        if (keyRange) return lineCounter.linePos(keyRange[0]);
      }
      return lineCounter.linePos(node.range[0]);
    }
    return { line: 1, col: 1 };
  };
  const fail: Fail = (path, message) => {
    const pos = locate(path);
    throw new PolicyLoadError(sourceName, pos.line, pos.col, path.join('.'), message);
  };

  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (value === null || value === undefined) fail([], 'the policy is empty');
  const err = schemaError(value);
  if (err) {
    const path = decodePointer(err.instancePath);
    const params = err.params as {
      additionalProperty?: string;
      propertyName?: string;
      allowedValues?: unknown[];
    };
    const key = params.additionalProperty ?? params.propertyName;
    const pos = locate(path, key);
    const where = key === undefined ? path : [...path, key];
    const allowed = params.allowedValues ? `: ${params.allowedValues.join(', ')}` : '';
    const what = err.keyword === 'additionalProperties' ? 'unknown field' : (err.message ?? 'invalid');
    throw new PolicyLoadError(sourceName, pos.line, pos.col, where.join('.'), `${what}${allowed}`);
  }
  return compileDocument(value as PolicyDocument, sourceName, fail);
}

export async function loadPolicyFile(path: string): Promise<Policy> {
  return parsePolicy(await readFile(path, 'utf8'), path);
}
