// Audit: the refusals this run just caused are in the audit stream (GET /audit); when the audit log file is
// reachable (`--audit-log`), its chain verifies and it already holds them (the consumer keeps up); when the
// audit service's metrics are (`--audit-metrics-url`), its consumer lag is under the alert's threshold.

import { readChainKey } from '../../audit/hash-chain.js';
import { verifyAuditLog } from '../../audit/verify.js';
import type { AuditAnswer } from '../../common/api-audit.js';
import { type CheckRow, type DoctorDeps, row, waitFor } from './check.js';

/** KubentlyAuditConsumerLag's threshold: more pending records than this is a lagging consumer. */
export const MAX_CONSUMER_LAG = 1000;

/** What command filtering leaves per cluster: three refusals through validate (dry runs), one through execute. */
const DRY_RUN_REFUSALS = 3;

async function checkRecords(deps: DoctorDeps): Promise<{ row: CheckRow; seqs: number[] }> {
  const check = 'audit: recent records';
  const since = encodeURIComponent(deps.startedAt.toISOString());
  let missing: string[] = deps.clusters.map((c) => `${c}: no records`);
  const records = await waitFor(async () => {
    const { body } = await deps.client.request<AuditAnswer>(
      'GET',
      `/audit?event_type=unauthorized_command_attempt&since=${since}&limit=1000`,
    );
    missing = [];
    const mine: AuditAnswer['entries'] = [];
    for (const cluster of deps.clusters) {
      const refusals = body.entries.filter((e) => e.cluster_id === cluster);
      const executed = refusals.filter(
        (e) => e.details.rule === 'secret_forbidden' && e.details.dry_run !== true,
      );
      const dryRuns = refusals.filter((e) => e.details.dry_run === true);
      if (executed.length < 1) missing.push(`${cluster}: the refused execute of "get secrets"`);
      if (dryRuns.length < DRY_RUN_REFUSALS)
        missing.push(
          `${cluster}: ${DRY_RUN_REFUSALS - dryRuns.length} of ${DRY_RUN_REFUSALS} refused validations`,
        );
      mine.push(...executed, ...dryRuns);
    }
    return missing.length === 0 ? mine : undefined;
  }, deps.waitMs);
  if (!records)
    return {
      row: row(
        check,
        'fail',
        `not in GET /audit after ${deps.waitMs / 1000} s: ${missing.join('; ')}`,
        'refusals are not audited: check the gateway reaches the audit stream (KubentlyAuditEventsBuffered runbook)',
      ),
      seqs: [],
    };
  const seqs = records.map((r) => r.seq);
  return {
    row: row(
      check,
      'pass',
      `${records.length} unauthorized_command_attempt records of this run (${DRY_RUN_REFUSALS + 1} per cluster), seq ${Math.min(...seqs)}..${Math.max(...seqs)}`,
    ),
    seqs,
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

/** The audit consumer's lag from its metrics (`--audit-metrics-url`), against the alert's threshold. */
export async function checkLag(deps: DoctorDeps): Promise<CheckRow> {
  const check = 'audit: consumer lag';
  if (!deps.auditMetricsUrl)
    return row(
      check,
      'skip',
      'no --audit-metrics-url given',
      'pass the audit service metrics URL (port 9464, e.g. through a port-forward)',
    );
  let res: Response;
  try {
    res = await deps.fetch(deps.auditMetricsUrl);
  } catch (err) {
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code || c?.message || (err as Error).message;
    return row(
      check,
      'fail',
      `cannot reach ${deps.auditMetricsUrl} (${cause})`,
      'check the audit service runs and this is its metrics port (KubentlyAuditConsumerDown runbook)',
    );
  }
  const text = (await res.text()).slice(0, 4 << 20);
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
