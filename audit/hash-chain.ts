// The tamper-evident line format: every line carries the hash of the line before it, so editing,
// removing or reordering a line breaks the chain at that line. The chain continues across rotated files.

import { createHash } from 'node:crypto';
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

/** sha256 over the canonical JSON of the line without its own `hash` (prev_hash included, so lines link). */
export function lineHash(line: Omit<AuditLine, 'hash'> | AuditLine): string {
  const { hash: _ignored, ...content } = line as AuditLine;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Links a record to the chain; returns the line (serialised with a trailing newline) and the new state. */
export function chainLine(
  content: Omit<AuditLine, 'hash' | 'prev_hash'>,
  state: ChainState,
): { line: AuditLine; text: string; state: ChainState } {
  const unsigned = { ...content, prev_hash: state.lastHash };
  const hash = lineHash(unsigned);
  const line: AuditLine = { ...unsigned, hash };
  // Canonical key order on disk too, so a reader can re-hash without knowing the field order.
  const canonical = canonicalJson(unsigned);
  const text = `${canonical.slice(0, -1)},"hash":"${hash}"}\n`;
  return { line, text, state: { lastSeq: content.seq, lastHash: hash } };
}
