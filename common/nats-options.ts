// NATS client settings shared by every service's config: read once from the environment.

import { readFileSync } from 'node:fs';
import type { EnvReader } from './env.js';

export interface NatsClientConfig {
  servers: string[];
  /** The text of a NATS credentials file (user JWT and seed). */
  creds?: string;
  /** The mounted credentials file: re-read on every reconnect so a rotated Secret needs no restart. */
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** NATS_URL, NATS_CREDS / NATS_CREDS_FILE and the TLS files. */
export function readNatsClientConfig(env: EnvReader): NatsClientConfig {
  const servers = env.list('NATS_URL');
  const caFile = env.string('NATS_CA_FILE');
  const certFile = env.string('NATS_CERT_FILE');
  const keyFile = env.string('NATS_KEY_FILE');
  const tls = caFile || certFile || keyFile ? { caFile, certFile, keyFile } : undefined;
  return {
    servers: servers.length > 0 ? servers : ['nats://127.0.0.1:4222'],
    creds: env.secret('NATS_CREDS'),
    credsFile: env.string('NATS_CREDS_FILE'),
    tls,
  };
}

/**
 * The credentials to hand to connectNats: a function when they come from a file, called on each (re)connect.
 * The read is synchronous because nats.js asks for it synchronously; it happens only when connecting, and a
 * file that cannot be read keeps the last good value.
 */
export function natsCredentials(
  config: Pick<NatsClientConfig, 'creds' | 'credsFile'>,
): string | (() => string) | undefined {
  const { credsFile } = config;
  if (!credsFile) return config.creds;
  let last = config.creds ?? '';
  return () => {
    try {
      last = readFileSync(credsFile, 'utf8').trim() || last;
    } catch {
      // Kubernetes swaps the Secret's symlink atomically; a failed read is transient or a deleted Secret.
    }
    return last;
  };
}
