// The agent trusts nothing the gateway decided: it parses the command's normalized argv again with
// its own parser and checks the result against its own policy (the cluster owner's, possibly stricter).

import { parseArgv, rejectionOf } from '../common/command/parse.js';
import type { Command } from '../common/command/types.js';
import { effectiveTimeoutMs, evaluate } from '../common/policy/evaluate.js';
import type { Policy } from '../common/policy/types.js';
import type { Revalidate } from './command-loop.js';

export function createRevalidator(currentPolicy: () => Policy): Revalidate {
  return (received: Command) => {
    const policy = currentPolicy();
    let command: Command;
    try {
      if (!Array.isArray(received.argv) || received.argv.some((a) => typeof a !== 'string')) {
        return { ok: false, reason: 'malformed command: argv is not a list of strings' };
      }
      command = parseArgv(received.argv, {
        id: received.id,
        clusterId: received.clusterId,
        identity: String(received.identity),
        sessionId: received.sessionId ?? null,
        // The agent's own maximum caps the gateway's deadline instead of refusing the command.
        timeoutMs: effectiveTimeoutMs(policy, received.clusterId, Number(received.timeoutMs) || undefined),
      });
    } catch (err) {
      const rejection = rejectionOf(err);
      return { ok: false, reason: `${rejection.message} (rule ${rejection.rule})` };
    }
    const decision = evaluate(policy, command);
    if (!decision.allowed)
      return { ok: false, reason: `${decision.reason} (agent policy rule ${decision.rule})` };
    return { ok: true, command };
  };
}
