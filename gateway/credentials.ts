// Cluster onboarding and event subscribers at run time: a credential is minted by the issuer (account JWT
// pushed to the NATS resolver), after the durable consumer it will read exists; a rotation revokes the
// replaced credential once the overlap ends; a revocation also deletes the consumer.

import { readFileSync } from 'node:fs';
import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '../common/logger.js';
import { issueUser } from '../common/nats-auth/claims.js';
import {
  type CredentialIssuer,
  type CredentialKind,
  createCredentialIssuer,
  type IssuedCredential,
} from '../common/nats-auth/issuer.js';
import { deriveAccount, operatorSigner } from '../common/nats-auth/keys.js';
import { claimsPermissions } from '../common/nats-auth/permissions.js';
import { connectNats } from '../common/nats-connect.js';
import type { NatsClientConfig } from '../common/nats-options.js';
import { agentConsumerConfig, ensureConsumer, subscriberConsumerConfig } from '../common/provision.js';
import {
  AUDIT_STREAM,
  agentConsumerName,
  CMD_STREAM,
  GATEWAY_INBOX_PREFIX,
  IMPORTED_API_PREFIX,
  subscriberConsumerName,
} from '../common/subjects.js';
import type { GatewayConfig } from './config.js';

export interface CredentialAdmin {
  mint(kind: CredentialKind, name: string, rotate: boolean): Promise<IssuedCredential & ConsumerRef>;
  /** False when `name` had no credential (and no consumer). */
  revoke(kind: CredentialKind, name: string): Promise<boolean>;
  /** Cancels the pending overlap timers. */
  close(): void;
}

export interface ConsumerRef {
  stream: string;
  consumer: string;
  /** The JetStream API prefix the account imports the consumer's API under. */
  apiPrefix: string;
}

export interface CredentialAdminDeps {
  issuer: CredentialIssuer;
  jsm: JetStreamManager;
  log: Logger;
}

/** Extra wait after the overlap so that the revocation never lands a second early. */
const OVERLAP_SLACK_MS = 1_000;

export function createCredentialAdmin({ issuer, jsm, log }: CredentialAdminDeps): CredentialAdmin {
  const timers = new Set<NodeJS.Timeout>();
  const consumerOf = (kind: CredentialKind, name: string): ConsumerRef =>
    kind === 'cluster'
      ? { stream: CMD_STREAM, consumer: agentConsumerName(name), apiPrefix: IMPORTED_API_PREFIX }
      : { stream: AUDIT_STREAM, consumer: subscriberConsumerName(name), apiPrefix: IMPORTED_API_PREFIX };

  function scheduleRetirement(kind: CredentialKind, name: string): void {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        issuer.applyDue(kind, name).then(
          (n) => log.info({ kind, name, revoked: n }, 'rotated-out credentials revoked'),
          (err: unknown) => log.error({ err, kind, name }, 'revoking rotated-out credentials failed'),
        );
      },
      issuer.overlapSeconds * 1000 + OVERLAP_SLACK_MS,
    );
    timer.unref();
    timers.add(timer);
  }

  return {
    async mint(kind, name, rotate) {
      const ref = consumerOf(kind, name);
      // The consumer first: an agent that connects with the new credential finds it at once.
      await ensureConsumer(
        jsm,
        ref.stream,
        kind === 'cluster' ? agentConsumerConfig(name) : subscriberConsumerConfig(name),
      );
      const issued = await issuer.mint(kind, name, { rotate });
      if (issued.previousValidUntil) scheduleRetirement(kind, name);
      log.info({ kind, name, rotate, expiresAt: issued.expiresAt }, 'credential minted');
      return { ...issued, ...ref };
    },
    async revoke(kind, name) {
      const revoked = await issuer.revoke(kind, name);
      const ref = consumerOf(kind, name);
      let deleted = false;
      try {
        deleted = await jsm.consumers.delete(ref.stream, ref.consumer);
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
      }
      log.info({ kind, name, revoked, consumerDeleted: deleted }, 'credential revoked');
      return revoked || deleted;
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

/**
 * The credential admin of POST/DELETE /admin/agents/:id/token, or undefined when no operator signing key is
 * configured. It opens its own system-account connection (a user it signs itself, allowed only the resolver's
 * claims requests); close it with `sys.drain()`.
 */
export async function createCredentialAdminFromConfig(deps: {
  config: GatewayConfig['credentials'];
  nc: NatsConnection;
  servers: string[];
  tls?: NatsClientConfig['tls'];
  log: Logger;
}): Promise<{ admin: CredentialAdmin; sys: NatsConnection } | undefined> {
  const { config, log } = deps;
  const seed = config.signingKeyFile ? readFileSync(config.signingKeyFile, 'utf8') : config.signingKey;
  if (!seed) return undefined;
  const signer = operatorSigner(seed);
  const claimsUser = await issueUser(deriveAccount(signer, 'SYS'), 'gateway-claims', claimsPermissions);
  const sys = await connectNats({
    servers: deps.servers,
    name: 'kubently-gateway-claims',
    creds: claimsUser.creds,
    inboxPrefix: `${GATEWAY_INBOX_PREFIX}_sys`,
    tls: deps.tls,
    log: log.child({ component: 'nats-sys' }),
  });
  const issuer = createCredentialIssuer({
    sys,
    signer,
    kubentlyAccount: deriveAccount(signer, 'KUBENTLY').getPublicKey(),
    ttlSeconds: config.ttlSeconds,
    overlapSeconds: config.rotateOverlapSeconds,
  });
  const admin = createCredentialAdmin({
    issuer,
    // No API check on start: the account info request would only delay the gateway on a slow server.
    jsm: await jetstreamManager(deps.nc, { checkAPI: false }),
    log: log.child({ component: 'credentials' }),
  });
  return { admin, sys };
}
