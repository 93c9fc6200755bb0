// The agent trusts nothing the gateway decided: it parses the command's normalized argv again with its own
// parser and checks it against its own policy (the cluster owner's, possibly stricter). Same decision value
// as the gateway's (common/policy/check.ts). The message's grep and output cap are checked the same way.

import type { OutputView } from '../common/command/output-view.js';
import { type CommandDecision, checkArgv } from '../common/policy/check.js';
import { effectiveTimeoutMs } from '../common/policy/evaluate.js';
import type { Policy } from '../common/policy/types.js';
import type { CommandMessage } from '../common/wire.js';

/** The agent's own check of a received command at time `now` (epoch ms): the command to run, or why not. */
export type Revalidate = (message: CommandMessage, now: number) => CommandDecision;

export function createRevalidator(currentPolicy: () => Policy): Revalidate {
  return (message, now) => {
    const policy = currentPolicy();
    const view: OutputView = {};
    if (message.grep !== undefined) view.grep = message.grep;
    if (message.max_output_bytes !== undefined) view.maxOutputBytes = message.max_output_bytes;
    return checkArgv(
      policy,
      message.argv,
      {
        id: message.id,
        clusterId: message.cluster_id,
        identity: message.identity,
        // The gateway vouches for the groups as it does for the identity; the agent's own policy judges both.
        groups: message.groups ?? [],
        sessionId: message.session_id,
        // What is left of the gateway's deadline, capped by the agent's own maximum instead of refusing.
        timeoutMs: effectiveTimeoutMs(policy, message.cluster_id, message.deadline - now),
      },
      view,
    );
  };
}
