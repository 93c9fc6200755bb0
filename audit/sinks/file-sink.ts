// Appends chained lines to a file with size-based rotation (audit.log, audit.log.1 … audit.log.<keep>).
// A batch is fsync'ed before write() resolves, and the consumer acks only then: an acknowledged record
// survives a crash of the process or the host. One fdatasync per batch keeps that affordable.

import { type FileHandle, open, readFile, rename, rm, stat, truncate } from 'node:fs/promises';
import { type ChainState, EMPTY_CHAIN } from '../hash-chain.js';
import type { AuditSink } from './types.js';

export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;
export const DEFAULT_KEEP_FILES = 10;
const TAIL_CHUNK_BYTES = 64 * 1024;

export interface FileSinkOptions {
  path: string;
  maxFileBytes?: number;
  /** Rotated files kept besides the active one; older ones are deleted. */
  keepFiles?: number;
  fsync?: boolean;
}

export interface FileSink extends AuditSink {
  /** The chain position recovered from the files at open time. */
  readonly recovered: ChainState;
}

export function rotatedPath(path: string, n: number): string {
  return n === 0 ? path : `${path}.${n}`;
}

export async function openFileSink({
  path,
  maxFileBytes = DEFAULT_MAX_FILE_BYTES,
  keepFiles = DEFAULT_KEEP_FILES,
  fsync = true,
}: FileSinkOptions): Promise<FileSink> {
  await dropPartialLastLine(path);
  const recovered =
    (await lastChainState(path)) ?? (await lastChainState(rotatedPath(path, 1))) ?? EMPTY_CHAIN;
  let fh: FileHandle = await open(path, 'a');
  let size = (await fh.stat()).size;

  async function rotate(): Promise<void> {
    if (fsync) await fh.datasync();
    await fh.close();
    // Everything from .<keep> up goes (also files left by a larger keep setting before a restart).
    for (let n = keepFiles; await exists(rotatedPath(path, n)); n++) await rm(rotatedPath(path, n));
    for (let n = keepFiles - 1; n >= 0; n--) {
      await rename(rotatedPath(path, n), rotatedPath(path, n + 1)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    fh = await open(path, 'a');
    size = 0;
  }

  return {
    recovered,
    async write(lines) {
      let pending: string[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pending.length === 0) return;
        await fh.write(pending.join(''));
        size += pendingBytes;
        pending = [];
        pendingBytes = 0;
      };
      for (const line of lines) {
        const bytes = Buffer.byteLength(line);
        if (size + pendingBytes > 0 && size + pendingBytes + bytes > maxFileBytes) {
          await flush();
          await rotate();
        }
        pending.push(line);
        pendingBytes += bytes;
      }
      await flush();
      if (fsync) await fh.datasync();
    },
    async close() {
      if (fsync) await fh.datasync();
      await fh.close();
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A crash mid-write can leave half a line; that record was never acked, so it is redelivered. */
async function dropPartialLastLine(path: string): Promise<void> {
  const tail = await readTail(path);
  if (!tail || tail.text.length === 0 || tail.text.endsWith('\n')) return;
  const lastNl = tail.text.lastIndexOf('\n');
  if (lastNl < 0 && tail.start > 0)
    throw new Error(`${path}: last line longer than ${TAIL_CHUNK_BYTES} bytes`);
  await truncate(path, tail.start + Buffer.byteLength(tail.text.slice(0, lastNl + 1)));
}

async function lastChainState(path: string): Promise<ChainState | undefined> {
  const tail = await readTail(path);
  if (!tail) return undefined;
  const lines = tail.text.split('\n').filter((l) => l.length > 0);
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  const parsed = JSON.parse(last) as { seq?: unknown; hash?: unknown };
  if (typeof parsed.seq !== 'number' || typeof parsed.hash !== 'string') {
    throw new Error(`${path}: last line is not an audit line (no seq/hash)`);
  }
  return { lastSeq: parsed.seq, lastHash: parsed.hash };
}

async function readTail(path: string): Promise<{ text: string; start: number } | undefined> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (size <= TAIL_CHUNK_BYTES) return { text: await readFile(path, 'utf8'), start: 0 };
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(TAIL_CHUNK_BYTES);
    const start = size - TAIL_CHUNK_BYTES;
    await fh.read(buf, 0, TAIL_CHUNK_BYTES, start);
    // The chunk may begin mid-line (even mid-character): only whole lines after its first '\n' are used.
    const firstNl = buf.indexOf(0x0a);
    if (firstNl < 0) return { text: buf.toString('utf8'), start };
    return { text: buf.subarray(firstNl + 1).toString('utf8'), start: start + firstNl + 1 };
  } finally {
    await fh.close();
  }
}
