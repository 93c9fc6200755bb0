// A gateway stack that accepts tokens from a test issuer on loopback, with a stepping clock for its key cache.

import type { ExecutionContext } from 'ava';
import type { Policy } from '../common/policy/index.js';
import { createJwksCache } from '../gateway/auth/jwks-cache.js';
import { createOidcVerifier } from '../gateway/auth/oidc.js';
import type { OidcConfig } from '../gateway/auth/oidc-config.js';
import { loadGatewayConfig, NO_RATE_LIMIT } from '../gateway/config.js';
import { scaled } from './eventually.js';
import { type AgentBehaviour, startGatewayStack } from './gateway.js';
import { CLIENT_ID, startTestIssuer } from './oidc-issuer.js';

/** OIDC settings as the gateway would read them from OIDC_* variables. */
export function oidcConfig(issuer: string, env: Record<string, string> = {}): OidcConfig {
  const config = loadGatewayConfig({ OIDC_ISSUER: issuer, OIDC_AUDIENCE: CLIENT_ID, ...env }).oidc;
  if (!config) throw new Error('OIDC_ISSUER missing');
  return config;
}

export interface OidcGatewayOptions {
  policy: Policy;
  adminIdentities?: string[];
  agents?: Record<string, AgentBehaviour>;
  tokenLifetimeSeconds?: number;
}

export async function startOidcGateway(t: ExecutionContext, options: OidcGatewayOptions) {
  const issuer = await startTestIssuer(
    t,
    options.tokenLifetimeSeconds === undefined ? {} : { tokenLifetimeSeconds: options.tokenLifetimeSeconds },
  );
  const config = oidcConfig(issuer.url, { OIDC_CLI_CLIENT_ID: CLIENT_ID });
  let clock = 1_000_000;
  const keys = createJwksCache({
    issuer: issuer.url,
    maxAgeMs: config.jwksMaxAgeMs,
    cooldownMs: config.jwksCooldownMs,
    now: () => clock,
    // The issuer runs in this test's process: on a crowded machine its answer can take seconds.
    timeoutMs: scaled(20_000),
  });
  const s = await startGatewayStack(t, {
    redis: false,
    agents: options.agents ?? { c1: 'answer' },
    policy: options.policy,
    config: {
      oidc: config,
      adminIdentities: options.adminIdentities ?? ['admin'],
      rateLimit: NO_RATE_LIMIT,
    },
    oidc: createOidcVerifier({ config, keys }),
  });
  return {
    s,
    issuer,
    config,
    keys,
    /** Moves the key cache's clock forward. */
    advance(ms: number) {
      clock += ms;
    },
    get(url: string, token: string) {
      return s.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    },
  };
}
