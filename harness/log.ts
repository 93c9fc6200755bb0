// The logger tests hand to the services: silent unless TEST_LOG names a level (TEST_LOG=debug npx ava …).

import { createLogger, type Logger } from '../common/logger.js';

export function quietLog(): Logger {
  return createLogger({ level: process.env.TEST_LOG ?? 'silent' });
}
