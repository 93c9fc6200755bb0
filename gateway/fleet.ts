// One command on many clusters: which clusters a request's selectors pick, and the fan-out through the
// command runner with one deadline, a concurrency cap and one output budget for the whole answer.

import { randomUUID } from 'node:crypto';
import type { CommandResult } from '../common/api.js';
import type { FleetAnswer, FleetRequestBody, FleetResult, FleetStatus } from '../common/api-fleet.js';
import type { Command } from '../common/command/types.js';
import { isKubentlyError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { compileGlobs, matches } from '../common/policy/glob.js';
import type { Policy } from '../common/policy/index.js';
import { callerOf } from './auth/authenticate.js';
import type { ClusterAccess } from './cluster-access.js';
import type { CommandRunner, RunOutcome } from './command-runner.js';
import type { Refusals, RequestOrigin } from './refusals.js';

/**
 * How long past its deadline a fan-out may still wait for runs that are finishing (keeping a result, writing
 * an audit record) before it answers without them.
 */
export const FLEET_ANSWER_MARGIN_MS = 1_000;

const isGlob = (selector: string) => /[*?]/.test(selector);

/**
 * The clusters `selectors` pick, in cluster id order, each once. Globs match only clusters the caller may
 * use. A selector without `*`/`?` names one cluster exactly: if the caller may not use it or it does not
 * exist, this throws the same 404 as /debug/execute (recorded as `access_denied`) naming no other cluster.
 */
export function selectClusters(
  deps: { clusters: ClusterAccess; refusals: Refusals },
  origin: RequestOrigin,
  selectors: readonly string[],
  policy: Policy,
): string[] {
  const unique = [...new Set(selectors)];
  for (const s of unique) if (!isGlob(s)) deps.refusals.requireCluster(origin, s, policy);
  const wanted = compileGlobs(unique);
  return deps.clusters.visible(callerOf(origin), policy).filter((id) => matches(wanted, id));
}

/** The first `bytes` bytes of `text` as UTF-8, never splitting a character. */
export function utf8Prefix(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= bytes) return text;
  let end = bytes;
  // A continuation byte (10xxxxxx) at the cut means the character started before it.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/** A pool of output bytes shared by a fan-out's rows, taken in the order results arrive. */
export function outputBudget(totalBytes: number): (result: CommandResult) => CommandResult {
  let left = totalBytes;
  return (result) => {
    const size = Buffer.byteLength(result.output, 'utf8');
    if (size <= left) {
      left -= size;
      return result;
    }
    const output = utf8Prefix(result.output, left);
    left = 0;
    return { ...result, output, truncated: true };
  };
}

export interface FanOut {
  origin: RequestOrigin;
  body: FleetRequestBody;
  /** The selected clusters, in answer order. */
  clusters: readonly string[];
  /** The request's policy snapshot. */
  policy: Policy;
  /** The command parsed once; each cluster's run evaluates its own policy on it. */
  parsed: Command;
  fleetId: string;
  /** The whole fan-out's time: no cluster's command outlives it, and the answer waits at most this plus the margin. */
  timeoutMs: number;
  /**
   * When the request began (performance.now()); the deadline counts from there, so selection and the cluster
   * budget's Redis round trips are inside `timeoutMs`. Default: now.
   */
  startedAt?: number;
  concurrency: number;
  outputBudgetBytes: number;
  /** Merged into every cluster's audit records (e.g. `{via: 'mcp'}`). */
  auditDetails?: Record<string, unknown>;
}

function row(
  clusterId: string,
  commandId: string | null,
  status: FleetStatus,
  error: string | null,
  fields: Partial<FleetResult> = {},
): FleetResult {
  return {
    cluster_id: clusterId,
    command_id: commandId,
    status,
    output: '',
    error,
    execution_time_ms: 0,
    truncated: false,
    ...fields,
  };
}

function resultRow(clusterId: string, commandId: string, result: CommandResult): FleetResult {
  const { status, output, error, execution_time_ms, truncated } = result;
  return row(clusterId, commandId, status, error, { output, execution_time_ms, truncated });
}

function outcomeRow(clusterId: string, commandId: string, outcome: RunOutcome): FleetResult {
  switch (outcome.kind) {
    case 'invalid':
      return row(clusterId, null, 'failure', outcome.error.message);
    case 'denied':
      return row(clusterId, commandId, 'denied', outcome.decision.reason);
    case 'result':
      return resultRow(clusterId, commandId, outcome.result);
    case 'stream':
      // Never reached: the fleet refuses a follow command before its fan-out.
      return row(clusterId, commandId, 'failure', 'follow commands stream through POST /debug/execute only');
  }
}

/**
 * Runs the command on every cluster, at most `concurrency` at a time, and answers in cluster order. A cluster
 * without a connected agent is `unavailable` at once; one whose turn comes after the deadline is a `timeout`
 * that was never sent; one whose run is still busy at the deadline plus the margin is a `timeout` (the run goes
 * on and keeps and audits its own result), unless its result was already shaped and audited: then that result
 * is the row, so the record's digest is of what the caller got.
 */
export async function fanOut(runner: CommandRunner, log: Logger, f: FanOut): Promise<FleetResult[]> {
  const deadline = (f.startedAt ?? performance.now()) + f.timeoutMs;
  const shape = outputBudget(f.outputBudgetBytes);
  const { clusters: _selectors, max_concurrency: _concurrency, ...command } = f.body;
  const rows: FleetResult[] = new Array(f.clusters.length);

  async function runOne(clusterId: string): Promise<FleetResult> {
    const remaining = Math.floor(deadline - performance.now());
    if (remaining <= 0)
      return row(clusterId, null, 'timeout', "the fan-out's deadline passed before this cluster's turn");
    const commandId = randomUUID();
    // The result as shaped, audited (its digest) and charged to the budget: once it exists, it is the row even if
    // the run is still keeping it when the answer is due, so the record never names output the caller did not get.
    let shaped: CommandResult | undefined;
    const run = runner
      .run({
        origin: f.origin,
        body: { ...command, cluster_id: clusterId },
        policy: f.policy,
        parsed: f.parsed,
        maxTimeoutMs: remaining,
        deadline,
        auditDetails: { fleet_id: f.fleetId, ...f.auditDetails },
        commandId,
        shape: (result) => {
          shaped = shape(result);
          return shaped;
        },
      })
      .then(
        (outcome) => outcomeRow(clusterId, commandId, outcome),
        (err: unknown) => {
          if (isKubentlyError(err)) {
            if (err.code === 'agent_unavailable' || err.code === 'not_found')
              return row(clusterId, null, 'unavailable', err.message);
            return row(clusterId, commandId, 'failure', err.message);
          }
          log.error({ err, clusterId, fleetId: f.fleetId }, 'fleet command failed');
          return row(clusterId, commandId, 'failure', 'internal error');
        },
      );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<FleetResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve(
            shaped
              ? resultRow(clusterId, commandId, shaped)
              : row(clusterId, commandId, 'timeout', `no result within ${remaining} ms`),
          ),
        remaining + FLEET_ANSWER_MARGIN_MS,
      );
    });
    try {
      return await Promise.race([run, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  let next = 0;
  async function worker(): Promise<void> {
    while (next < f.clusters.length) {
      const i = next++;
      rows[i] = await runOne(f.clusters[i]!);
    }
  }
  const workers = Math.max(1, Math.min(f.concurrency, f.clusters.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return rows;
}

/** The answer's summary: how many rows ended how. */
export function summarize(rows: readonly FleetResult[]): FleetAnswer['summary'] {
  const summary = { clusters: rows.length, success: 0, failure: 0, timeout: 0, denied: 0, unavailable: 0 };
  for (const r of rows) summary[r.status]++;
  return summary;
}
