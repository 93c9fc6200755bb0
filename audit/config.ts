// The audit service's configuration, read once from the environment.

import { type Env, EnvReader } from '../common/env.js';
import { type NatsClientConfig, readNatsClientConfig } from '../common/nats-options.js';
import { DEFAULT_BATCH_SIZE } from './consumer.js';
import { DEFAULT_KEEP_FILES, DEFAULT_MAX_FILE_BYTES } from './sinks/file-sink.js';

export interface AuditConfig {
  nats: NatsClientConfig;
  /** JSON lines file; absent: no file (stdout only). */
  logFile?: string;
  /** A file holding the chain's HMAC key (a mounted Secret, 32+ bytes); unset: unkeyed SHA-256 chain. */
  chainKeyFile: string | undefined;
  /** Also write the lines to stdout (default: only when no file is configured). */
  stdout: boolean;
  maxFileBytes: number;
  keepFiles: number;
  fsync: boolean;
  batchSize: number;
  metricsHost: string;
  metricsPort: number;
  watchAgents: boolean;
  /** Needs subscribe permission on kubently.heartbeat.* for the audit identity. */
  logLevel: string;
}

export function readAuditConfig(env: Env): AuditConfig {
  const r = new EnvReader(env);
  const logFile = r.string('AUDIT_LOG_FILE');
  const config: AuditConfig = {
    nats: readNatsClientConfig(r),
    logFile,
    chainKeyFile: r.string('AUDIT_CHAIN_KEY_FILE'),
    stdout: r.bool('AUDIT_STDOUT', logFile === undefined),
    maxFileBytes: r.int('AUDIT_MAX_FILE_BYTES', DEFAULT_MAX_FILE_BYTES, { min: 4_096 }),
    keepFiles: r.int('AUDIT_KEEP_FILES', DEFAULT_KEEP_FILES, { min: 1, max: 1_000 }),
    fsync: r.bool('AUDIT_FSYNC', true),
    batchSize: r.int('AUDIT_BATCH_SIZE', DEFAULT_BATCH_SIZE, { min: 1, max: 1_000 }),
    metricsHost: r.string('METRICS_HOST', '0.0.0.0'),
    metricsPort: r.int('METRICS_PORT', 9464, { min: 0, max: 65_535 }),
    watchAgents: r.bool('AUDIT_WATCH_AGENTS', true),
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  };
  if (!config.logFile && !config.stdout)
    r.problems.push('AUDIT_STDOUT=false needs AUDIT_LOG_FILE: records must go somewhere');
  r.done('audit');
  return config;
}
