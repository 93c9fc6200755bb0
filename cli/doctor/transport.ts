// Transport: the gateway URL the caller uses is HTTPS, or loopback (a port-forward or the dev stack), so keys
// and answers never cross a network in clear. The agents' side (NATS over TLS, the credential's expiry) is
// part of each cluster's agent self-check (agent-self-check.ts).

import { isLoopbackHost } from '../settings.js';
import { type CheckRow, type DoctorDeps, row } from './check.js';

const CHECK = 'transport: gateway URL';

export async function checkGatewayTransport(deps: DoctorDeps): Promise<CheckRow[]> {
  const url = new URL(deps.apiUrl);
  if (url.protocol === 'https:') return [row(CHECK, 'pass', `${url.origin} is HTTPS`)];
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname))
    return [row(CHECK, 'pass', `${url.origin} is plain http on loopback (never leaves this machine)`)];
  return [
    row(
      CHECK,
      'fail',
      `${url.origin} is plain http to a remote host: keys and outputs travel unencrypted`,
      'serve the gateway behind TLS (the Ingress in k8s/) and use its https:// URL',
    ),
  ];
}
