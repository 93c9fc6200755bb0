// POST /debug/validate: what the policy would decide for a request, without running anything.
// Never throws for bad input: a parse rejection becomes allowed:false with the parser's rule.

import {
  type CommandContext,
  type CommandRequest,
  parseCommandRequest,
  rejectionOf,
} from '../command/parse.js';
import { evaluate } from './evaluate.js';
import type { Policy } from './types.js';

export interface CommandExplanation {
  allowed: boolean;
  /** The normalized argv when the request parsed, else null. */
  normalized_argv: string[] | null;
  rule: string;
  reason: string;
  token?: string;
}

export function explainCommand(
  policy: Policy,
  request: CommandRequest,
  context: CommandContext,
): CommandExplanation {
  let command: ReturnType<typeof parseCommandRequest>;
  try {
    command = parseCommandRequest(request, context);
  } catch (err) {
    const rejection = rejectionOf(err);
    return {
      allowed: false,
      normalized_argv: null,
      rule: rejection.rule,
      reason: rejection.message,
      token: rejection.token,
    };
  }
  const decision = evaluate(policy, command);
  const explanation: CommandExplanation = {
    allowed: decision.allowed,
    normalized_argv: command.argv,
    rule: decision.rule,
    reason: decision.reason,
  };
  if (decision.token !== undefined) explanation.token = decision.token;
  return explanation;
}
