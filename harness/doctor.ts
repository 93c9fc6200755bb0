// `kubently doctor`'s agent rows (self-check of each cluster) against a listening gateway, as an admin.

import { createApiClient } from '../cli/api-client.js';
import { checkAgents } from '../cli/doctor/agent-self-check.js';
import type { CheckRow } from '../cli/doctor/check.js';
import { KEYS } from './gateway.js';

/** The agent RBAC and transport rows doctor prints for `clusters` (default c1), asked of the gateway at `url`. */
export function doctorAgentRows(url: string, clusters: string[] = ['c1']): Promise<CheckRow[]> {
  return checkAgents({
    client: createApiClient({ apiUrl: url, credential: { kind: 'api_key', value: KEYS.admin } } as never),
    apiUrl: url,
    fetch,
    clusters,
    startedAt: new Date(),
    nonce: 'test',
    waitMs: 1000,
  });
}
