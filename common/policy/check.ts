// One decision for one command: whether it parses and whether the policy allows it. A parse rejection and a
// policy denial are the same kind of value, so the gateway's execute and validate routes and the agent's
// own check all answer from one place, never by catching errors of two kinds.

import { type OutputView, withOutputView } from '../command/output-view.js';
import {
  type CommandContext,
  type CommandRequest,
  parseArgv,
  parseCommandRequest,
  rejectionOf,
} from '../command/parse.js';
import type { Command } from '../command/types.js';
import { evaluate, readsCustomResources } from './evaluate.js';
import type { Policy } from './types.js';

export interface CommandAllowed {
  allowed: true;
  command: Command;
  rule: string;
  reason: string;
}

export interface CommandRefused {
  allowed: false;
  /**
   * `invalid_command` (400): the request is not a command the grammar understands. `unauthorized_command`
   * (403): it is well-formed but forbidden, by the grammar (a write verb, `--token`) or by the policy.
   */
  code: 'invalid_command' | 'unauthorized_command';
  rule: string;
  reason: string;
  /** The token the deciding rule looked at, when there is one. May be a credential (`--token=…`). */
  token?: string;
  /** The normalized argv when the request parsed (a policy denial), else null. */
  argv: string[] | null;
}

export type CommandDecision = CommandAllowed | CommandRefused;

/** The parser's rejection as a refusal; anything the parser did not reject on purpose is rethrown. */
function parsed(parse: () => Command): Command | CommandRefused {
  try {
    return parse();
  } catch (err) {
    const r = rejectionOf(err);
    const refused: CommandRefused = {
      allowed: false,
      code: r.code === 'invalid_command' ? 'invalid_command' : 'unauthorized_command',
      rule: r.rule,
      reason: r.message,
      token: r.token,
      argv: null,
    };
    return refused;
  }
}

function decide(policy: Policy, parse: () => Command): CommandDecision {
  const command = parsed(parse);
  if ('allowed' in command) return command;
  const d = evaluate(policy, command);
  if (d.allowed) return { allowed: true, command, rule: d.rule, reason: d.reason };
  const refused: CommandRefused = {
    allowed: false,
    code: 'unauthorized_command',
    rule: d.rule,
    reason: d.reason,
    argv: command.argv,
  };
  if (d.token !== undefined) refused.token = d.token;
  return refused;
}

/**
 * Parses a REST request (either form) and evaluates it against `policy`. Never throws for a bad request:
 * the decision says why it is refused. Errors that are not the parser's rejections are rethrown.
 */
export function checkCommand(
  policy: Policy,
  request: CommandRequest,
  context: CommandContext,
): CommandDecision {
  return decide(policy, () =>
    parseCommandRequest(request, {
      ...context,
      customResources: readsCustomResources(policy, context.clusterId),
    }),
  );
}

/**
 * The same for an already tokenized argv (what the agent receives), without the leading `kubectl`, with the
 * output view the message carried (checked the same way: grep on a non-line output is refused).
 */
export function checkArgv(
  policy: Policy,
  argv: readonly string[],
  context: CommandContext,
  view?: OutputView,
): CommandDecision {
  return decide(policy, () =>
    withOutputView(
      parseArgv(argv, { ...context, customResources: readsCustomResources(policy, context.clusterId) }),
      view,
    ),
  );
}

/**
 * Only the parse of a REST request: the command, or the grammar's refusal (`argv: null`). A fan-out parses
 * once, then evaluates each cluster's policy with checkParsed.
 */
export function parseRequest(request: CommandRequest, context: CommandContext): Command | CommandRefused {
  return parsed(() => parseCommandRequest(request, context));
}

/** The same for a command already parsed (a fan-out parses once and evaluates each cluster's policy). */
export function checkParsed(policy: Policy, command: Command): CommandDecision {
  return decide(policy, () => command);
}
