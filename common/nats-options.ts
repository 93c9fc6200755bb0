// NATS client settings shared by every service's config: read once from the environment.

import type { EnvReader } from './env.js';

export interface NatsClientConfig {
  servers: string[];
  user?: string;
  pass?: string;
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
    tls,
  };
}
