// Authentication: a wrong key is refused with 401, and the refusal leaves an `authentication_failure` record.
// Those records belong to no identity (the key was wrong), so only an admin's GET /audit lists them; the
// probe's User-Agent carries the run's nonce to find its own record among others.

import type { AuditAnswer } from '../../common/api-audit.js';
import { type CheckRow, type DoctorDeps, row, waitFor } from './check.js';

const CHECK = 'authentication';

/** A key no deployment issues: right length and alphabet, never valid. */
function wrongKey(nonce: string): string {
  return `kubently-doctor-wrong-key-${nonce}`;
}

export async function checkAuthentication(deps: DoctorDeps): Promise<CheckRow[]> {
  const userAgent = `kubently-doctor/${deps.nonce}`;
  const res = await deps.fetch(`${deps.apiUrl}/whoami`, {
    headers: { 'x-api-key': wrongKey(deps.nonce), 'user-agent': userAgent, accept: 'application/json' },
  });
  await res.body?.cancel();
  if (res.status !== 401) {
    return [
      row(
        CHECK,
        'fail',
        `a wrong API key got ${res.status} from GET /whoami, not 401`,
        'the gateway accepts unknown keys: check API_KEYS / API_KEYS_FILE and that nothing in front of it answers for it',
      ),
    ];
  }
  const { body: me } = await deps.client.request<{ admin: boolean }>('GET', '/whoami');
  if (!me.admin) {
    return [
      row(
        CHECK,
        'warn',
        'a wrong API key got 401; its authentication_failure record is visible to admins only',
        'run kubently doctor with an admin key (ADMIN_IDENTITIES) to check that the refusal is recorded',
      ),
    ];
  }
  const since = deps.startedAt.toISOString();
  const record = await waitFor(async () => {
    const { body } = await deps.client.request<AuditAnswer>(
      'GET',
      `/audit?event_type=authentication_failure&since=${encodeURIComponent(since)}&limit=1000`,
    );
    return body.entries.find((e) => e.details.user_agent === userAgent);
  }, deps.waitMs);
  if (!record) {
    return [
      row(
        CHECK,
        'fail',
        `a wrong API key got 401, but no authentication_failure record of it appeared within ${deps.waitMs / 1000} s`,
        'failed authentications are not audited: check the gateway can publish to the audit stream (KubentlyAuditEventsBuffered runbook)',
      ),
    ];
  }
  return [
    row(
      CHECK,
      'pass',
      `a wrong API key got 401 and was recorded (authentication_failure, key prefix ${record.api_key_prefix ?? '-'}, reason ${String(record.details.reason)})`,
    ),
  ];
}
