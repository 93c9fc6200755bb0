// CLI: create or update Kubently's JetStream streams and consumers.
//   NATS_URL=nats://nats:4222 NATS_CREDS_FILE=admin.creds CLUSTERS=prod,staging npx tsx scripts/provision.ts
// Optional: NATS_CA_FILE (TLS), NATS_REPLICAS (1), CMD_MAX_AGE_MS (60000), AUDIT_MAX_AGE_DAYS (30),
// AUDIT_MAX_BYTES (1073741824; the oldest records are discarded past it).

import { EnvReader } from '../common/env.js';
import { createLogger } from '../common/logger.js';
import { connectNats } from '../common/nats-connect.js';
import { natsCredentials, readNatsClientConfig } from '../common/nats-options.js';
import { DEFAULT_AUDIT_MAX_BYTES, provisionJetStream } from '../common/provision.js';
import { ADMIN_INBOX_PREFIX, isValidClusterId } from '../common/subjects.js';

async function main(): Promise<number> {
  const env = new EnvReader(process.env);
  const nats = readNatsClientConfig(env);
  const clusters = env.list('CLUSTERS');
  for (const c of clusters.filter((c) => !isValidClusterId(c))) {
    env.problems.push(`CLUSTERS: "${c}" is not a valid cluster id (lowercase letters, digits, '-')`);
  }
  const replicas = env.int('NATS_REPLICAS', 1, { min: 1, max: 5 });
  const cmdMaxAgeMs = env.int('CMD_MAX_AGE_MS', 60_000, { min: 1_000 });
  const auditMaxAgeDays = env.int('AUDIT_MAX_AGE_DAYS', 30, { min: 1 });
  const auditMaxBytes = env.int('AUDIT_MAX_BYTES', DEFAULT_AUDIT_MAX_BYTES, { min: 1024 * 1024 });
  env.done('provision');

  const log = createLogger({ name: 'provision', level: 'warn' });
  const nc = await connectNats({
    servers: nats.servers,
    name: 'kubently-provision',
    creds: natsCredentials(nats),
    inboxPrefix: ADMIN_INBOX_PREFIX,
    tls: nats.tls,
    log,
    maxReconnectAttempts: 0,
  });
  try {
    const report = await provisionJetStream(nc, {
      clusters,
      replicas,
      cmdMaxAgeMs,
      auditMaxAgeMs: auditMaxAgeDays * 24 * 3_600_000,
      auditMaxBytes,
    });
    for (const s of report.streams) console.log(`stream ${s.name}: ${s.action}`);
    for (const c of report.consumers) console.log(`consumer ${c.stream}/${c.name}: ${c.action}`);
    return 0;
  } finally {
    await nc.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`provision failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
