// The one way to make a logger. Secrets are removed by pino's redact paths, never by hand.

import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export const REDACT_PATHS = [
  'apiKey',
  'token',
  'password',
  'authorization',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'config.apiKeys',
  'config.agentToken',
  'config.nats.password',
  'config.nats.token',
  'config.redisUrl',
];

export interface LoggerOptions {
  level?: string;
  name?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    name: options.name,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: undefined,
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
