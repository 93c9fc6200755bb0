// What every `kubently doctor` check takes and answers. Checks get their dependencies passed in (the API
// client, fetch, the clusters to look at, where the audit log and metrics are) so tests run them against a
// real stack in process.

import type { ApiClient } from '../api-client.js';

export const CHECK_RESULTS = ['pass', 'warn', 'fail', 'skip'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];

/** One row of the table: a check (on one cluster, or on the deployment), what it saw and what to do. */
export interface CheckRow {
  check: string;
  /** The cluster the row is about; null for deployment-wide checks. */
  cluster: string | null;
  result: CheckResult;
  /** What was observed: statuses, rules, record counts. Never a secret. */
  evidence: string;
  /** What to do about it; empty when the check passed. */
  action: string;
}

export interface DoctorDeps {
  client: ApiClient;
  /** The gateway URL the client talks to (no trailing slash). */
  apiUrl: string;
  fetch: typeof fetch;
  /** The clusters to check: `--cluster <id>`, or every cluster the caller may use. */
  clusters: string[];
  /** When this run started: audit records from before it are not its own. */
  startedAt: Date;
  /** Random text marking this run's probes (the wrong key's User-Agent), so their records can be found. */
  nonce: string;
  /** How long to wait for a record to appear, in ms. */
  waitMs: number;
  /** The audit log file to verify (`--audit-log`), when it is reachable from here. */
  auditLog?: string;
  /** Its chain key file (`--audit-key-file`). */
  auditKeyFile?: string;
  /** The audit service's metrics URL (`--audit-metrics-url`), for the consumer lag. */
  auditMetricsUrl?: string;
}

export type DoctorCheck = (deps: DoctorDeps) => Promise<CheckRow[]>;

/** A row with its defaults: deployment-wide, nothing to do. */
export function row(
  check: string,
  result: CheckResult,
  evidence: string,
  action = '',
  cluster: string | null = null,
): CheckRow {
  return { check, cluster, result, evidence, action };
}

/**
 * Calls `probe` until it returns a value other than undefined or `timeoutMs` has passed, then returns the
 * last answer (undefined when none came). For records that the gateway publishes after it has answered.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() >= deadline) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
