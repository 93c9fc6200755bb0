// NATS client settings shared by every service's config: read once from the environment.

import { readFileSync } from 'node:fs';
import type { EnvReader } from './env.js';

export interface NatsClientConfig {
  servers: string[];
  user?: string;
  pass?: string;
  /** The mounted file `pass` was read from: re-read on every reconnect so a rotated secret needs no restart. */
  passFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export function readNatsClientConfig(env: EnvReader, defaultUser: string | undefined): NatsClientConfig {
  const servers = env.list('NATS_URL');
  const caFile = env.string('NATS_CA_FILE');
  const certFile = env.string('NATS_CERT_FILE');
  const keyFile = env.string('NATS_KEY_FILE');
  const tls = caFile || certFile || keyFile ? { caFile, certFile, keyFile } : undefined;
  return {
    servers: servers.length > 0 ? servers : ['nats://127.0.0.1:4222'],
    user: env.string('NATS_USER') ?? defaultUser,
    pass: env.secret('NATS_PASSWORD'),
    passFile: env.string('NATS_PASSWORD_FILE'),
    tls,
  };
}

/**
 * The password to hand to connectNats: a function when it comes from a file, called on each (re)connect.
 * The read is synchronous because nats.js asks for it synchronously; it happens only when connecting, and a
 * file that cannot be read keeps the last good value.
 */
export function natsPassword(
  config: Pick<NatsClientConfig, 'pass' | 'passFile'>,
): string | (() => string) | undefined {
  const { passFile } = config;
  if (!passFile) return config.pass;
  let last = config.pass ?? '';
  return () => {
    try {
      last = readFileSync(passFile, 'utf8').trim() || last;
    } catch {
      // Kubernetes swaps the Secret's symlink atomically; a failed read is transient or a deleted Secret.
    }
    return last;
  };
}
