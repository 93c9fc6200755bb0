// The agent's check of a Command that came over the wire: its argv is parsed again and must give
// the same structured command, so a message whose fields were altered (or built by a buggy or older
// gateway) is rejected instead of executed.

import { KubentlyError } from '../errors.js';
import { parseArgv } from './parse.js';
import type { Command } from './types.js';

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export function verifyCommand(command: Command): Command {
  if (!Array.isArray(command?.argv)) {
    throw new KubentlyError('invalid_command', 'command has no argv', {
      details: { rule: 'argv_mismatch', token: '' },
    });
  }
  const reparsed = parseArgv(command.argv, {
    id: command.id,
    clusterId: command.clusterId,
    identity: command.identity,
    sessionId: command.sessionId,
    timeoutMs: command.timeoutMs,
  });
  if (canonical(reparsed) !== canonical(command)) {
    throw new KubentlyError('invalid_command', 'command fields do not match its argv', {
      details: { rule: 'argv_mismatch', token: command.argv.join(' ').slice(0, 200) },
    });
  }
  return reparsed;
}
