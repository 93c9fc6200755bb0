// Verifies an audit log's hash chain: every line is in canonical form, re-hashes (HMAC under the chain key
// when given) to its `hash`, links to the line before it by `prev_hash`, and has a higher stream `seq`; the
// chain starts at the genesis hash or at the given anchor, and reaches at least the given last sequence.
// Rotated predecessors (audit.log.N … audit.log.1) are read first, so the chain is checked across rotation.
// CLI: `npx tsx audit/verify.ts <file> [--key-file K] [--anchor SEQ:HASH] [--min-last-seq N]`.

import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { GENESIS_HASH, lineHash, lineText, readChainKey } from './hash-chain.js';
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
  /** Stream sequence of the first and the last line read, and how many lines were read. */
  firstSeq?: number;
  lastSeq?: number;
  count: number;
  /** Whether the hashes were checked as HMACs under a chain key (tamper-evident) or as plain SHA-256. */
  keyed: boolean;
}

export interface VerifyOptions {
  /** Also check audit.log.N … audit.log.1 before the given file (default true). */
  includeRotated?: boolean;
  /** The chain's HMAC key; without it the hashes are checked as plain SHA-256 (not tamper-evident). */
  key?: Buffer;
  /**
   * Where a log whose oldest files were rotated away legitimately begins: the last line before it (its seq
   * and hash, from an earlier verify report). Without it the first line must link to the genesis hash.
   */
  anchor?: { seq: number; hash: string };
  /** The log must reach at least this stream sequence (what the stream says was written): a cut end fails. */
  minLastSeq?: number;
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
  const { key, minLastSeq } = options;
  let prevHash: string | undefined;
  let prevSeq = 0;
  let anchor: string | undefined;
  let firstSeq: number | undefined;
  let total = 0;
  const report = () => ({
    files,
    anchor,
    firstSeq,
    lastSeq: firstSeq === undefined ? undefined : prevSeq,
    count: total,
    keyed: key !== undefined,
  });
  for (const file of files) {
    let lineNo = 0;
    const rl = createInterface({
      input: createReadStream(file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    const broken = (reason: string): VerifyResult => {
      rl.close();
      return { ...report(), ok: false, lines: total, firstBrokenLine: lineNo, file, reason };
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
      if (lineHash(line as never, key) !== hash)
        return broken('content does not match its hash (line edited, or another chain key)');
      const { hash: _h, ...unsigned } = line;
      // Same bytes the writer produces: no reordered keys, spaces, escapes or duplicate keys to hide in.
      if (`${text}\n` !== lineText(unsigned as never, hash)) return broken('line is not in canonical form');
      if (prevHash === undefined) {
        firstSeq = seq;
        if (prev !== GENESIS_HASH) anchor = prev;
        const expected = options.anchor;
        if (expected ? prev !== expected.hash || seq <= expected.seq : prev !== GENESIS_HASH) {
          return broken(
            expected
              ? `the first line does not follow the anchor ${expected.seq}:${expected.hash} (records cut from the start)`
              : 'the first line does not start the chain (records cut from the start, or rotated away: pass --anchor)',
          );
        }
      } else if (prev !== prevHash) {
        return broken('prev_hash does not match the previous line (line removed, inserted or reordered)');
      }
      if (seq <= prevSeq) return broken(`seq ${seq} not above the previous line's ${prevSeq}`);
      prevHash = hash;
      prevSeq = seq;
    }
  }
  if (minLastSeq !== undefined && prevSeq < minLastSeq) {
    return {
      ...report(),
      ok: false,
      lines: total,
      file: files.at(-1),
      reason: `the log ends at seq ${prevSeq}, before ${minLastSeq} (records cut from the end)`,
    };
  }
  return { ...report(), ok: true, lines: total };
}

/** `SEQ:HASH` as the --anchor option takes it (a verify report's lastSeq and the hash of that line). */
export function parseAnchor(value: string): { seq: number; hash: string } {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value);
  if (!m) throw new Error(`--anchor takes SEQ:HASH (64 hex digits), got ${value}`);
  return { seq: Number(m[1]), hash: m[2]! };
}

/** What `verify` takes besides the file: the chain key file, the anchor and the expected last sequence. */
export interface VerifyCliOptions {
  keyFile?: string;
  anchor?: string;
  minLastSeq?: string;
  rotated?: boolean;
}

/** VerifyOptions from the command line's text options; throws an Error with a usage message for bad values. */
export async function verifyOptionsFrom(o: VerifyCliOptions): Promise<VerifyOptions> {
  const options: VerifyOptions = { includeRotated: o.rotated ?? true };
  if (o.keyFile !== undefined) options.key = await readChainKey(o.keyFile);
  if (o.anchor !== undefined) options.anchor = parseAnchor(o.anchor);
  if (o.minLastSeq !== undefined) {
    if (!/^\d+$/.test(o.minLastSeq))
      throw new Error(`--min-last-seq takes a stream sequence, got ${o.minLastSeq}`);
    options.minLastSeq = Number(o.minLastSeq);
  }
  return options;
}

/** `npx tsx audit/verify.ts <file> [options]`: prints the result as JSON, returns the exit code (0, 1, 2 usage). */
export async function runVerifyCommand(
  args: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args[i + 1];
  };
  const takesValue = new Set(['--key-file', '--anchor', '--min-last-seq']);
  const file = args.find((a, i) => !a.startsWith('--') && !takesValue.has(args[i - 1] ?? ''));
  const usage =
    'usage: verify <audit.log> [--key-file FILE] [--anchor SEQ:HASH] [--min-last-seq N] [--no-rotated]\n';
  if (!file) {
    out.write(usage);
    return 2;
  }
  let options: VerifyOptions;
  try {
    options = await verifyOptionsFrom({
      keyFile: value('--key-file'),
      anchor: value('--anchor'),
      minLastSeq: value('--min-last-seq'),
      rotated: !args.includes('--no-rotated'),
    });
  } catch (err) {
    out.write(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  const result = await verifyAuditLog(file, options).catch(
    (err: NodeJS.ErrnoException): VerifyResult => ({
      ok: false,
      lines: 0,
      count: 0,
      keyed: options.key !== undefined,
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
