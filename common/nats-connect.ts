// The one way Kubently processes connect to NATS: fail fast on the first connect with a clear reason,
// then reconnect forever and log every status change.

import { AuthorizationError, credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { KubentlyError } from './errors.js';
import type { Logger } from './logger.js';

export interface NatsTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface ConnectNatsOptions {
  servers: string | string[];
  /** Shown by the server in connz and in $SYS connect events. */
  name: string;
  /**
   * The credentials file text (user JWT and seed), or a function that returns the current one: it is called on
   * every (re)connect, so credentials read from a mounted Secret file can be rotated without a restart.
   */
  creds?: string | (() => string);
  /** Must match the identity's allowed inbox prefix (common/nats-auth/permissions.ts). */
  inboxPrefix: string;
  tls?: NatsTlsFiles;
  log: Logger;
  /** -1 (default): reconnect forever once the first connect succeeded. */
  maxReconnectAttempts?: number;
  /** Skip the Error (stack capture) nats.js creates up front for every request and timeout; see gateway/main.ts. */
  noAsyncTraces?: boolean;
}

export const RECONNECT_WAIT_MS = 1_000;

export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const log = options.log;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers,
      name: options.name,
      ...credentialOptions(options.creds),
      inboxPrefix: options.inboxPrefix,
      tls: options.tls ? { ...options.tls } : undefined,
      maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
      reconnectTimeWait: RECONNECT_WAIT_MS,
      waitOnFirstConnect: false,
      noAsyncTraces: options.noAsyncTraces ?? false,
    });
  } catch (err) {
    throw describeConnectError(err, options);
  }
  log.info({ server: nc.getServer(), name: options.name }, 'nats connected');
  void watchStatus(nc, log);
  return nc;
}

const encoder = new TextEncoder();

function credentialOptions(creds: ConnectNatsOptions['creds']) {
  if (creds === undefined) return {};
  if (typeof creds === 'string') return { authenticator: credsAuthenticator(encoder.encode(creds)) };
  return {
    authenticator: credsAuthenticator(() => encoder.encode(creds())),
    // A rotated credential may reach this process after the server already refuses the old one: keep
    // retrying instead of giving up after two authorization errors in a row.
    ignoreAuthErrorAbort: true,
  };
}

function describeConnectError(err: unknown, options: ConnectNatsOptions): KubentlyError {
  const servers = ([] as string[]).concat(options.servers).join(', ');
  if (err instanceof AuthorizationError) {
    return new KubentlyError(
      'internal_error',
      `NATS at ${servers} refused "${options.name}": authorization violation (credentials missing, revoked, expired or from another operator)`,
      { details: { reason: 'authorization' }, cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KubentlyError('service_unavailable', `NATS at ${servers} is unreachable: ${message}`, {
    details: { reason: 'unreachable' },
    cause: err,
  });
}

async function watchStatus(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const s of nc.status()) {
    switch (s.type) {
      case 'disconnect':
        log.warn({ server: s.server }, 'nats disconnected');
        break;
      case 'reconnecting':
        log.debug('nats reconnecting');
        break;
      case 'reconnect':
        log.info({ server: s.server }, 'nats reconnected');
        break;
      case 'error':
        // Permission violations and authorization errors on a reconnect arrive here.
        log.error({ err: s.error }, 'nats server error');
        break;
      case 'staleConnection':
        log.warn('nats connection stale');
        break;
      case 'slowConsumer':
        log.warn({ subject: s.sub.getSubject(), pending: s.pending }, 'nats slow consumer');
        break;
      case 'ldm':
        log.info({ server: s.server }, 'nats server entering lame duck mode');
        break;
      case 'close':
        log.info('nats connection closed');
        break;
      case 'update':
      case 'ping':
      case 'forceReconnect':
        break;
    }
  }
}
