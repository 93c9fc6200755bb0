// Per cluster, from the agent's self-check (GET /clusters/:id/self-check, admins): its ServiceAccount cannot
// read Secrets or write anything and can read what its preset needs (agent RBAC), and it reaches NATS over TLS
// (or loopback) with a credential that expires, not too soon (transport: agent).

import type { SelfCheckAnswer } from '../../common/self-check.js';
import type { ApiClient } from '../api-client.js';
import { isLoopbackHost } from '../settings.js';
import { type CheckRow, type DoctorDeps, row } from './check.js';

const RBAC = 'agent RBAC';
const TRANSPORT = 'transport: agent';
/** A credential expiring sooner than this is a warning: rotate it (`kubently cluster rotate`). */
export const CREDENTIAL_WARN_MS = 7 * 24 * 3600 * 1000;

type Report = NonNullable<SelfCheckAnswer['report']>;

function rbacRow(cluster: string, report: Report): CheckRow {
  const what = (a: Report['access'][number]) =>
    `${a.verb} ${a.group ? `${a.resource}.${a.group}` : a.resource}`;
  const problems: string[] = [];
  for (const a of report.access) {
    if (a.allowed === null) problems.push(`review of "${what(a)}" failed: ${a.error ?? 'no answer'}`);
    else if (a.expected === 'denied' && a.allowed) problems.push(`CAN ${what(a)}`);
    else if (a.expected === 'allowed' && !a.allowed)
      problems.push(`cannot ${what(a)} (preset ${report.policy_preset} reads it)`);
  }
  for (const f of report.rules.findings) problems.push(`rule in namespace ${report.rules.namespace} ${f}`);
  if (report.rules.error) problems.push(`rules review failed: ${report.rules.error}`);
  if (problems.length > 0) {
    const grants = problems.some((p) => p.startsWith('CAN') || p.startsWith('rule'));
    return row(
      RBAC,
      'fail',
      problems.join('; '),
      grants
        ? "remove the grant from the agent's ServiceAccount (k8s/base/agent/rbac-*: no Secrets, read verbs only), then rotate the cluster credential if it may have been used: kubently cluster rotate"
        : "grant the agent's ClusterRole what its preset reads (k8s/base/agent/rbac-cluster), or narrow the agent's policy",
      cluster,
    );
  }
  const denied = report.access.filter((a) => a.expected === 'denied').length;
  const allowed = report.access.length - denied;
  const partial = report.rules.incomplete ? ' (rules review incomplete)' : '';
  return row(
    RBAC,
    'pass',
    `agent ${report.agent_id}: ${denied} forbidden accesses denied (secrets get/list/watch, writes, exec, impersonate); ${allowed} reads of preset ${report.policy_preset} allowed; no rule grants secrets or writes in ${report.rules.namespace}${partial}`,
    '',
    cluster,
  );
}

/** The agent's transport row: TLS (or loopback) required, a credential that expires and not within a week. */
export function transportRow(cluster: string, report: Report, now: number): CheckRow {
  const t = report.transport;
  const host = t.nats_server.replace(/:\d+$/, '');
  const problems: string[] = [];
  const warnings: string[] = [];
  const tls = t.nats_tls ? 'NATS over TLS' : isLoopbackHost(host) ? 'NATS on loopback (no TLS needed)' : '';
  if (!tls) problems.push(`NATS connection to ${t.nats_server} is not TLS`);
  let expiry: string;
  if (t.credential_expires_at === null) {
    expiry = 'credential never expires';
    warnings.push('its credential never expires');
  } else {
    const left = Date.parse(t.credential_expires_at) - now;
    expiry = `credential expires ${t.credential_expires_at}`;
    if (!Number.isFinite(left) || left <= 0)
      problems.push(`its credential expired at ${t.credential_expires_at}`);
    else if (left < CREDENTIAL_WARN_MS)
      warnings.push(`its credential expires in ${Math.ceil(left / 3_600_000)} h`);
  }
  if (problems.length > 0)
    return row(
      TRANSPORT,
      'fail',
      `${problems.join('; ')}; ${expiry}`,
      'give the agent a tls:// NATS URL and the CA (NATS_TLS_*); rotate an expired credential: kubently cluster rotate',
      cluster,
    );
  if (warnings.length > 0)
    return row(
      TRANSPORT,
      'warn',
      `${tls}; ${warnings.join('; ')}`,
      'mint credentials that expire (CREDENTIAL_TTL_SECONDS) and rotate before they do: kubently cluster rotate',
      cluster,
    );
  return row(TRANSPORT, 'pass', `${tls} (${t.nats_server}); ${expiry}`, '', cluster);
}

async function checkCluster(client: ApiClient, cluster: string, now: number): Promise<CheckRow[]> {
  const res = await client.request<SelfCheckAnswer & { error?: string; message?: string }>(
    'GET',
    `/clusters/${encodeURIComponent(cluster)}/self-check`,
    undefined,
    { allowStatus: [403, 503, 504] },
  );
  if (res.status === 403)
    return [
      row(
        RBAC,
        'warn',
        'the self-check is for admins only',
        'run kubently doctor with an admin key',
        cluster,
      ),
    ];
  if (res.status !== 200)
    return [
      row(
        RBAC,
        'fail',
        `no self-check: ${res.status} ${res.body.message ?? ''}`.trim(),
        'no agent of the cluster answers: see the KubentlyAgentDisconnected runbook',
        cluster,
      ),
    ];
  const report = res.body.report;
  if (!report)
    return [
      row(RBAC, 'fail', res.body.error ?? 'no report', 'check the agent version and its logs', cluster),
    ];
  return [rbacRow(cluster, report), transportRow(cluster, report, now)];
}

export async function checkAgents(deps: DoctorDeps): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const cluster of deps.clusters) rows.push(...(await checkCluster(deps.client, cluster, Date.now())));
  return rows;
}
