// Command filtering, per cluster: reading Secrets, a write verb and a flag that changes whom a command runs
// as are each refused with their rule by the gateway's policy (POST /debug/validate, which runs nothing), and
// `get secrets` sent to POST /debug/execute is refused (403) before it reaches the agent.

import type { RefusedResult, Validation } from '../../common/api.js';
import type { ApiClient } from '../api-client.js';
import { type CheckRow, type DoctorDeps, row } from './check.js';

const CHECK = 'command filtering';

/** What must be refused and by which rule (docs/policy.md, "Every rule"). */
export const FILTERING_PROBES = [
  { command: 'get secrets -A', rule: 'secret_forbidden' },
  { command: 'delete pod kubently-doctor-probe', rule: 'verb_not_allowed' },
  { command: 'get pods --as=system:admin', rule: 'forbidden_flag' },
] as const;

async function validate(client: ApiClient, cluster: string, command: string): Promise<Validation> {
  const { body } = await client.request<Validation>('POST', '/debug/validate', {
    cluster_id: cluster,
    command,
  });
  return body;
}

async function checkCluster(client: ApiClient, cluster: string): Promise<CheckRow> {
  const seen: string[] = [];
  const wrong: string[] = [];
  for (const probe of FILTERING_PROBES) {
    const v = await validate(client, cluster, probe.command);
    seen.push(`${probe.command.split(' ').slice(0, 2).join(' ')}… → ${v.allowed ? 'ALLOWED' : v.rule}`);
    if (v.allowed || v.rule !== probe.rule)
      wrong.push(
        `"${probe.command}" ${v.allowed ? 'is allowed' : `is refused by ${v.rule}`}, expected ${probe.rule}`,
      );
  }
  const exec = await client.request<RefusedResult>(
    'POST',
    '/debug/execute',
    { cluster_id: cluster, command: FILTERING_PROBES[0].command },
    { allowStatus: [403] },
  );
  const execRule = (exec.body.details as { rule?: string } | undefined)?.rule;
  seen.push(`execute get secrets → ${exec.status} ${execRule ?? exec.body.status}`);
  if (exec.status !== 403 || execRule !== 'secret_forbidden')
    wrong.push(`POST /debug/execute "get secrets" answered ${exec.status}, not 403 secret_forbidden`);
  if (wrong.length > 0)
    return row(
      CHECK,
      'fail',
      wrong.join('; '),
      "tighten the cluster's policy (docs/policy.md): no secrets, only read verbs, no identity flags",
      cluster,
    );
  return row(CHECK, 'pass', seen.join('; '), '', cluster);
}

export async function checkCommandFiltering(deps: DoctorDeps): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const cluster of deps.clusters) rows.push(await checkCluster(deps.client, cluster));
  return rows;
}
