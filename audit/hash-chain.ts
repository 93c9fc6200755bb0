// The tamper-evident line format: every line carries the hash of the line before it, so editing,
// removing or reordering a line breaks the chain at that line. The chain continues across rotated files.
// With a chain key (AUDIT_CHAIN_KEY_FILE) each hash is an HMAC-SHA256 under that key: whoever holds only
// the file cannot recompute the chain after an edit, a deletion or a cut. Without one it is plain SHA-256,
// which detects accidents but not someone who rewrites the file and recomputes it.

import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AuditRecord } from '../common/audit/events.js';

/** prev_hash of the very first line a consumer ever writes. */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditLine = Omit<AuditRecord, 'event_type'> & {
  /** Stream sequence of the record in KUBENTLY_AUDIT: the consumer's exactly-once key. */
  seq: number;
  /** An AuditEventType, or 'invalid_record' for a message that was not a valid record. */
  event_type: string;
  prev_hash: string;
  hash: string;
};

export interface ChainState {
  lastSeq: number;
  lastHash: string;
}

export const EMPTY_CHAIN: ChainState = { lastSeq: 0, lastHash: GENESIS_HASH };

/** JSON with object keys sorted at every depth: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/**
 * The line's hash over the canonical JSON of the line without its own `hash` (prev_hash included, so lines
 * link): HMAC-SHA256 under `key` when one is given, else SHA-256. Hex.
 */
export function lineHash(line: Omit<AuditLine, 'hash'> | AuditLine, key?: Buffer): string {
  const { hash: _ignored, ...content } = line as AuditLine;
  const mac = key ? createHmac('sha256', key) : createHash('sha256');
  return mac.update(canonicalJson(content)).digest('hex');
}

/** The only bytes a line may have on disk: canonical JSON without `hash`, then `hash` last, then '\n'. */
export function lineText(unsigned: Omit<AuditLine, 'hash'>, hash: string): string {
  return `${canonicalJson(unsigned).slice(0, -1)},"hash":"${hash}"}\n`;
}

/** Links a record to the chain; returns the line (serialised with a trailing newline) and the new state. */
export function chainLine(
  content: Omit<AuditLine, 'hash' | 'prev_hash'>,
  state: ChainState,
  key?: Buffer,
): { line: AuditLine; text: string; state: ChainState } {
  const unsigned = { ...content, prev_hash: state.lastHash };
  const hash = lineHash(unsigned, key);
  const line: AuditLine = { ...unsigned, hash };
  // Canonical key order on disk too, so a reader can re-hash without knowing the field order.
  return { line, text: lineText(unsigned, hash), state: { lastSeq: content.seq, lastHash: hash } };
}

/** Bytes shorter than this are no secret worth the name (a typo'd or empty file): refuse to start. */
export const MIN_CHAIN_KEY_BYTES = 32;

/** The chain key from its file (trailing newline dropped); throws when it is too short. */
export async function readChainKey(path: string): Promise<Buffer> {
  const key = Buffer.from((await readFile(path, 'utf8')).replace(/\r?\n$/, ''), 'utf8');
  if (key.length < MIN_CHAIN_KEY_BYTES)
    throw new Error(
      `AUDIT_CHAIN_KEY_FILE ${path} holds ${key.length} bytes; at least ${MIN_CHAIN_KEY_BYTES} needed`,
    );
  return key;
}
