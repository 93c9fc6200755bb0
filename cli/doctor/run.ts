// Runs the checks in order: those that make requests first, the audit check last (it looks for their records).

import { checkAgents } from './agent-self-check.js';
import { checkAudit } from './audit.js';
import { checkAuthentication } from './authentication.js';
import type { CheckRow, DoctorCheck, DoctorDeps } from './check.js';
import { checkCommandFiltering } from './command-filtering.js';
import { checkMetricsExposure } from './metrics-exposure.js';
import { checkGatewayTransport } from './transport.js';

export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  checkGatewayTransport,
  checkMetricsExposure,
  checkAuthentication,
  checkCommandFiltering,
  checkAgents,
  checkAudit,
];

/** Every check's rows; a check that throws is a failed row naming the error, and the others still run. */
export async function runDoctor(
  deps: DoctorDeps,
  checks: readonly DoctorCheck[] = DOCTOR_CHECKS,
): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const check of checks) {
    try {
      rows.push(...(await check(deps)));
    } catch (err) {
      const name = check.name
        .replace(/^check/, '')
        .replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)
        .trim();
      rows.push({
        check: name,
        cluster: null,
        result: 'fail',
        evidence: `the check could not run: ${(err as Error).message}`,
        action: 'fix what the error names and run kubently doctor again',
      });
    }
  }
  return rows;
}
