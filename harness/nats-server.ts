// Test helpers: a real nats-server from nats.conf per test (or per file), connections as each identity.

import { credsAuthenticator, type NatsConnection, PermissionViolationError } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { ExecutionContext } from 'ava';
import { type ProvisionOptions, type ProvisionReport, provisionJetStream } from '../common/provision.js';
import {
  ADMIN_INBOX_PREFIX,
  AUDIT_INBOX_PREFIX,
  agentInboxPrefix,
  GATEWAY_INBOX_PREFIX,
  SUBSCRIBER_INBOX_PREFIX,
} from '../common/subjects.js';
import { type SpawnedNats, type SpawnNatsOptions, spawnNatsServer } from '../scripts/lib/nats-server.js';
import { scaled } from './eventually.js';

export type Identity = 'gateway' | 'audit' | 'admin' | { agent: string } | { subscriber: string };

export interface ConnectAsOptions {
  /** Override the inbox prefix (tests use it to prove that another inbox is refused). */
  inboxPrefix?: string;
  /** Other credentials than the identity's own, e.g. a revoked or rotated-out one. */
  creds?: string;
  /** Reconnect attempts after the first connect; default 0 so a refused reconnect surfaces quickly. */
  maxReconnectAttempts?: number;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  name?: string;
  /** Milliseconds to wait for the first connect (default 20 s, nats.js's: signing the nonce is slow on a busy machine). */
  timeout?: number;
}

/** Seconds a test client has to finish CONNECT: the shipped 2 s is lost to bcrypt on a crowded machine. */
export const TEST_AUTH_TIMEOUT_SECONDS = scaled(20_000) / 1000;

/** JetStream options for test clients: API requests and publish acks wait as long as a busy machine needs. */
export const TEST_JS_OPTIONS = { timeout: scaled(20_000) };

/** A nats-server from nats.conf with a generous auth timeout, stopped at teardown. */
export async function startNats(t: ExecutionContext, options: SpawnNatsOptions = {}): Promise<SpawnedNats> {
  const server = await spawnNatsServer({ authTimeoutSeconds: TEST_AUTH_TIMEOUT_SECONDS, ...options });
  t.teardown(() => server.stop());
  return server;
}

/** The credentials file and inbox prefix of `identity` on `server`. */
export function credentialsOf(
  server: Pick<SpawnedNats, 'creds' | 'agentCreds' | 'setup'>,
  identity: Identity,
): { creds: string; inboxPrefix: string; name: string } {
  if (typeof identity === 'object' && 'subscriber' in identity) {
    return {
      creds: server.setup.subscriberCreds[identity.subscriber] ?? '',
      inboxPrefix: SUBSCRIBER_INBOX_PREFIX,
      name: `subscriber-${identity.subscriber}`,
    };
  }
  if (typeof identity === 'object') {
    return {
      creds: server.agentCreds[identity.agent] ?? '',
      inboxPrefix: agentInboxPrefix(identity.agent),
      name: `agent-${identity.agent}`,
    };
  }
  const inboxPrefix = { gateway: GATEWAY_INBOX_PREFIX, audit: AUDIT_INBOX_PREFIX, admin: ADMIN_INBOX_PREFIX }[
    identity
  ];
  return { creds: server.creds[identity], inboxPrefix, name: identity };
}

/** nats.js's authenticator for a credentials file's text. */
export function credsAuth(creds: string) {
  return credsAuthenticator(new TextEncoder().encode(creds));
}

/** A connection as `identity`, closed at teardown (before the server stops: ava runs teardowns last-in first-out). */
export async function connectAs(
  t: ExecutionContext,
  server: Pick<SpawnedNats, 'url' | 'creds' | 'agentCreds' | 'setup'>,
  identity: Identity,
  options: ConnectAsOptions = {},
): Promise<NatsConnection> {
  const own = credentialsOf(server, identity);
  const nc = await connect({
    servers: server.url,
    authenticator: credsAuth(options.creds ?? own.creds),
    inboxPrefix: options.inboxPrefix ?? own.inboxPrefix,
    name: options.name ?? own.name,
    maxReconnectAttempts: options.maxReconnectAttempts ?? 0,
    reconnectTimeWait: 100,
    tls: options.tls,
    timeout: options.timeout ?? scaled(20_000),
  });
  t.teardown(() => (nc.isClosed() ? undefined : nc.close()));
  return nc;
}

/** Creates the streams and one consumer per cluster as the admin identity. */
export async function provision(
  t: ExecutionContext,
  server: Pick<SpawnedNats, 'url' | 'creds' | 'agentCreds' | 'setup'>,
  clusters: string[],
  options: Omit<ProvisionOptions, 'clusters'> = {},
): Promise<ProvisionReport> {
  const nc = await connectAs(t, server, 'admin');
  try {
    return await provisionJetStream(nc, { apiTimeoutMs: TEST_JS_OPTIONS.timeout, ...options, clusters });
  } finally {
    await nc.close();
  }
}

export type DeniedOperation = 'publish' | 'subscription';

/**
 * Runs `operation` on `subject` and resolves with the server's permission violation for it, or rejects when
 * none arrives within `timeoutMs` (the server allowed it). The error text is the server's own `-ERR` line.
 */
export async function expectDenied(
  nc: NatsConnection,
  operation: DeniedOperation,
  subject: string,
  timeoutMs = 10_000,
): Promise<PermissionViolationError> {
  const statuses = nc.status();
  const found = (async () => {
    for await (const s of statuses) {
      if (s.type === 'error' && s.error instanceof PermissionViolationError) {
        if (s.error.operation === operation && s.error.subject === subject) return s.error;
      }
    }
    return undefined;
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), timeoutMs);
  });
  if (operation === 'publish') nc.publish(subject, 'probe');
  else nc.subscribe(subject);
  await nc.flush();
  const err = await Promise.race([found, timeout]);
  clearTimeout(timer);
  (statuses as unknown as { stop: () => void }).stop();
  if (!err) throw new Error(`server allowed ${operation} on "${subject}"`);
  return err;
}

/** Resolves when `operation` on `subject` produced no permission violation within `settleMs`. */
export async function expectAllowed(
  nc: NatsConnection,
  operation: DeniedOperation,
  subject: string,
  settleMs = 150,
): Promise<void> {
  const denied = await expectDenied(nc, operation, subject, settleMs).then(
    (e) => e,
    () => undefined,
  );
  if (denied) throw new Error(`server refused ${operation} on "${subject}": ${denied.message}`);
}
