// Verifies an audit log's hash chain: every line re-hashes to its `hash`, links to the line before it by
// `prev_hash`, and has a higher stream `seq`. Rotated predecessors (audit.log.N … audit.log.1) are read
// first, so the chain is checked across rotation. CLI: `npx tsx audit/verify.ts <file>` (exit 0 ok, 1 broken).

import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { GENESIS_HASH, lineHash } from './hash-chain.js';
import { rotatedPath } from './sinks/file-sink.js';

export interface VerifyResult {
  ok: boolean;
  /** Lines read (across every file) up to and including the first broken one. */
  lines: number;
  /** 1-based line number inside `file` of the first line that breaks the chain. */
  firstBrokenLine?: number;
  file?: string;
  reason?: string;
  /** Files checked, oldest first. */
  files: string[];
  /** prev_hash of the first line when it is not the genesis hash (older files were rotated away). */
  anchor?: string;
}

export interface VerifyOptions {
  /** Also check audit.log.N … audit.log.1 before the given file (default true). */
  includeRotated?: boolean;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function chainFiles(path: string, includeRotated: boolean): Promise<string[]> {
  const older: string[] = [];
  if (includeRotated) {
    for (let n = 1; await exists(rotatedPath(path, n)); n++) older.unshift(rotatedPath(path, n));
  }
  return [...older, path];
}

export async function verifyAuditLog(path: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const files = await chainFiles(path, options.includeRotated ?? true);
  let prevHash: string | undefined;
  let prevSeq = 0;
  let anchor: string | undefined;
  let total = 0;
  for (const file of files) {
    let lineNo = 0;
    const rl = createInterface({
      input: createReadStream(file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    const broken = (reason: string): VerifyResult => {
      rl.close();
      return { ok: false, lines: total, firstBrokenLine: lineNo, file, reason, files, anchor };
    };
    for await (const text of rl) {
      lineNo++;
      total++;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return broken('not valid JSON');
      }
      if (typeof line !== 'object' || line === null || Array.isArray(line))
        return broken('not a JSON object');
      const { hash, prev_hash: prev, seq } = line;
      if (typeof hash !== 'string' || typeof prev !== 'string' || typeof seq !== 'number') {
        return broken('missing hash, prev_hash or seq');
      }
      if (lineHash(line as never) !== hash) return broken('content does not match its hash (line edited)');
      if (prevHash === undefined) {
        if (prev !== GENESIS_HASH) anchor = prev;
      } else if (prev !== prevHash) {
        return broken('prev_hash does not match the previous line (line removed, inserted or reordered)');
      }
      if (seq <= prevSeq) return broken(`seq ${seq} not above the previous line's ${prevSeq}`);
      prevHash = hash;
      prevSeq = seq;
    }
  }
  return { ok: true, lines: total, files, anchor };
}

/** `kubently audit verify <file>`: prints the result as JSON, returns the exit code. */
export async function runVerifyCommand(
  args: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const noRotated = args.includes('--no-rotated');
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    out.write('usage: verify <audit.log> [--no-rotated]\n');
    return 2;
  }
  const result = await verifyAuditLog(file, { includeRotated: !noRotated }).catch(
    (err: NodeJS.ErrnoException): VerifyResult => ({
      ok: false,
      lines: 0,
      files: [file],
      reason: `cannot read: ${err.code ?? err.message}`,
    }),
  );
  out.write(`${JSON.stringify(result)}\n`);
  return result.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runVerifyCommand(process.argv.slice(2));
}
