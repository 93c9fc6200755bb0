// Reads audit records back from KUBENTLY_AUDIT for `GET /audit`, newest first, with direct get by
// sequence (the gateway's NATS permissions allow direct get and stream info on the audit stream, nothing
// that creates server state). Work per query is bounded: at most `maxScan` stream messages are read.

import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { AUDIT_STREAM } from '../subjects.js';
import { decodeJson } from '../wire.js';
import type { AuditEventType, AuditRecord, StoredAuditRecord } from './events.js';

export const DEFAULT_MAX_SCAN = 5_000;
/** Records one `GET /audit` answers when the caller names no limit, and the most it may ask for. */
export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1_000;
/** Direct gets in flight at once: enough to hide the round trip, few enough to stay polite. */
export const DEFAULT_READ_CONCURRENCY = 32;

export interface AuditFilter {
  /** Only this identity's records: callers see their own. */
  identity: string;
  /**
   * Also the records that belong to no identity (a wrong key's authentication_failure, an agent's
   * connection failure, an address's failed-authentication limit): the gateway sets it for admins only.
   */
  unattributed?: boolean;
  event_type?: AuditEventType;
  cluster_id?: string;
  session_id?: string;
  command_id?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

export type { StoredAuditRecord } from './events.js';

export interface AuditQueryResult {
  records: StoredAuditRecord[];
  /** Stream messages read for this answer. */
  scanned: number;
  /** True when the scan bound was reached before `since` or the start of the stream: older matches may exist. */
  truncated: boolean;
}

export interface AuditReader {
  query(filter: AuditFilter): Promise<AuditQueryResult>;
}

export interface AuditReaderDeps {
  js: JetStreamClient;
  jsm?: JetStreamManager;
  stream?: string;
  maxScan?: number;
  concurrency?: number;
}

function matches(r: AuditRecord, f: AuditFilter, at: number): boolean {
  return (
    (r.identity === f.identity || (f.unattributed === true && r.identity === null)) &&
    (f.event_type === undefined || r.event_type === f.event_type) &&
    (f.cluster_id === undefined || r.cluster_id === f.cluster_id) &&
    (f.session_id === undefined || r.session_id === f.session_id) &&
    (f.command_id === undefined || r.command_id === f.command_id) &&
    (f.until === undefined || at <= f.until.getTime())
  );
}

export function createAuditReader(deps: AuditReaderDeps): AuditReader {
  const stream = deps.stream ?? AUDIT_STREAM;
  const maxScan = deps.maxScan ?? DEFAULT_MAX_SCAN;
  const concurrency = deps.concurrency ?? DEFAULT_READ_CONCURRENCY;
  let jsm: Promise<JetStreamManager> | undefined = deps.jsm ? Promise.resolve(deps.jsm) : undefined;
  const manager = () => (jsm ??= deps.js.jetstreamManager());

  return {
    async query(filter) {
      const m = await manager();
      const { state } = await m.streams.info(stream);
      const records: StoredAuditRecord[] = [];
      if (state.messages === 0) return { records, scanned: 0, truncated: false };
      const floor = Math.max(state.first_seq, state.last_seq - maxScan + 1);
      const since = filter.since?.getTime();
      let scanned = 0;
      let seq = state.last_seq;
      while (seq >= floor) {
        const batch: Promise<StoredMsg | null>[] = [];
        for (let s = seq; s > seq - concurrency && s >= floor; s--) {
          // A message removed by retention between info and get answers "not found": skip it.
          batch.push(m.direct.getMessage(stream, { seq: s }).catch(() => null));
        }
        seq -= batch.length;
        for (const msg of await Promise.all(batch)) {
          scanned++;
          if (!msg) continue;
          let record: AuditRecord;
          try {
            record = decodeJson<AuditRecord>(msg.data);
          } catch {
            continue;
          }
          const at = Date.parse(record.timestamp);
          // Records are appended in time order (give or take clock skew between gateways).
          if (since !== undefined && at < since) return { records, scanned, truncated: false };
          if (!matches(record, filter, at)) continue;
          records.push({ seq: msg.seq, ...record });
          if (records.length >= filter.limit) return { records, scanned, truncated: false };
        }
      }
      return { records, scanned, truncated: floor > state.first_seq };
    },
  };
}
