// Audit: the refusals this run just caused are in the audit stream (GET /audit); when the audit log file is
// reachable (`--audit-log`), its chain verifies and it already holds them (the consumer keeps up); when the
// audit service's metrics are (`--audit-metrics-url`), its consumer lag is under the alert's threshold.

import { readChainKey } from '../../audit/hash-chain.js';
import { verifyAuditLog } from '../../audit/verify.js';
import type { AuditAnswer } from '../../common/api-audit.js';
import { type CheckRow, type DoctorDeps, row, waitFor } from './check.js';

/** KubentlyAuditConsumerLag's threshold: more pending records than this is a lagging consumer. */
export const MAX_CONSUMER_LAG = 1000;

async function checkRecords(deps: DoctorDeps): Promise<{ row: CheckRow; seqs: number[] }> {
  const check = 'audit: recent records';
  const since = encodeURIComponent(deps.startedAt.toISOString());
  // Command filtering refuses three commands per cluster through validate and one through execute.
  const expected = deps.clusters.length;
  const records = await waitFor(async () => {
    const { body } = await deps.client.request<AuditAnswer>(
      'GET',
      `/audit?event_type=unauthorized_command_attempt&since=${since}&limit=1000`,
    );
    const mine = body.entries.filter(
      (e) => e.details.rule === 'secret_forbidden' && e.details.dry_run !== true,
    );
    return mine.length >= expected ? mine : undefined;
  }, deps.waitMs);
  if (!records)
    return {
      row: row(
        check,
        'fail',
        `the refused "get secrets" of this run is not in GET /audit after ${deps.waitMs / 1000} s`,
        'refusals are not audited: check the gateway reaches the audit stream (KubentlyAuditEventsBuffered runbook)',
      ),
      seqs: [],
    };
  return {
    row: row(
      check,
      'pass',
      `${records.length} unauthorized_command_attempt record(s) of this run, seq ${records.map((r) => r.seq).join(', ')}`,
    ),
    seqs: records.map((r) => r.seq),
  };
}

async function checkLog(deps: DoctorDeps, seqs: number[]): Promise<CheckRow> {
  const check = 'audit: log chain';
  if (!deps.auditLog)
    return row(
      check,
      'skip',
      'no --audit-log given',
      'pass --audit-log <file> (and --audit-key-file) where the audit log is readable',
    );
  const key = deps.auditKeyFile ? await readChainKey(deps.auditKeyFile) : undefined;
  const newest = Math.max(0, ...seqs);
  // The consumer writes asynchronously: wait until the log reaches this run's records, then verify it.
  const result = await waitFor(async () => {
    const r = await verifyAuditLog(deps.auditLog!, { key });
    return !r.ok || (r.lastSeq ?? 0) >= newest ? r : undefined;
  }, deps.waitMs);
  if (!result)
    return row(
      check,
      'fail',
      `${deps.auditLog} has not reached seq ${newest} (this run's records) after ${deps.waitMs / 1000} s`,
      'the audit consumer is behind or stopped (KubentlyAuditConsumerLag / KubentlyAuditConsumerDown runbooks)',
    );
  if (!result.ok)
    return row(
      check,
      'fail',
      `${result.file ?? deps.auditLog} line ${result.firstBrokenLine ?? '?'}: ${result.reason ?? 'chain broken'}`,
      'the audit log was altered or cut: keep the file as evidence and compare with the stream (docs/audit.md)',
    );
  const keyed = result.keyed ? 'HMAC chain intact' : 'hash chain intact, no key given (not tamper-evident)';
  return row(
    check,
    result.keyed ? 'pass' : 'warn',
    `${result.count} records, seq ${result.firstSeq ?? '-'}..${result.lastSeq ?? '-'}, ${keyed}, holds this run's records`,
    result.keyed ? '' : 'pass --audit-key-file <AUDIT_CHAIN_KEY_FILE> to check the HMACs',
  );
}

async function checkLag(deps: DoctorDeps): Promise<CheckRow> {
  const check = 'audit: consumer lag';
  if (!deps.auditMetricsUrl)
    return row(
      check,
      'skip',
      'no --audit-metrics-url given',
      'pass the audit service metrics URL (port 9464, e.g. through a port-forward)',
    );
  const res = await deps.fetch(deps.auditMetricsUrl);
  const text = await res.text();
  const m = /^kubently_audit_consumer_lag(?:\{\})? (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/m.exec(text);
  if (res.status !== 200 || !m)
    return row(
      check,
      'fail',
      `${deps.auditMetricsUrl} answered ${res.status} without kubently_audit_consumer_lag`,
      'check the audit service runs and this is its metrics port (KubentlyAuditConsumerDown runbook)',
    );
  const lag = Number(m[1]);
  return lag > MAX_CONSUMER_LAG
    ? row(check, 'fail', `${lag} records pending`, 'see the KubentlyAuditConsumerLag runbook')
    : row(check, 'pass', `${lag} records pending (threshold ${MAX_CONSUMER_LAG})`);
}

export async function checkAudit(deps: DoctorDeps): Promise<CheckRow[]> {
  const records = await checkRecords(deps);
  return [records.row, await checkLog(deps, records.seqs), await checkLag(deps)];
}
