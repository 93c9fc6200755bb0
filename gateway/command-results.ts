// The result a client receives for one command: the agent's reply checked against its schema, or one the
// gateway writes itself when the command never ran (refused) or no answer came in time.

import type { CommandResult } from '../common/api.js';
import type { CommandContext } from '../common/command/parse.js';
import type { Command } from '../common/command/types.js';
import { MAX_RESULT_ERROR_CHARS, malformedResultFields, type ResultMessage } from '../common/wire.js';

/**
 * The client-facing result. The relay already matched the reply's subject to the command's cluster; the
 * agent's payload is still not trusted: the ids are the command's own, an over-long error is cut, and a reply
 * with any field outside its schema (an object where text belongs, an unknown status, a date that is not
 * one) is a failure that names the fields, passing none of the agent's values on.
 */
export function toResult(reply: ResultMessage, command: Command): CommandResult {
  const r = { ...reply };
  if (typeof r.error === 'string' && r.error.length > MAX_RESULT_ERROR_CHARS)
    r.error = `${r.error.slice(0, MAX_RESULT_ERROR_CHARS - 1)}…`;
  const ids = { command_id: command.id, session_id: command.sessionId, cluster_id: command.clusterId };
  const malformed = malformedResultFields(r);
  if (malformed.length === 0) {
    const { status, output, error, execution_time_ms, executed_at, truncated } = r;
    return { ...ids, status, output, error, execution_time_ms, executed_at, truncated };
  }
  const status = malformed.includes('status')
    ? `, unknown status ${String(JSON.stringify(r.status ?? null)).slice(0, 40)}`
    : '';
  return {
    ...ids,
    status: 'failure',
    output: '',
    error: `the agent answered with a malformed result (${malformed.join(', ')}${status})`,
    execution_time_ms: 0,
    executed_at: new Date().toISOString(),
    truncated: false,
  };
}

/** A result the gateway answers itself: the command was refused before it left, or no answer came in time. */
export function gatewayResult(
  c: Pick<CommandContext, 'id' | 'sessionId' | 'clusterId'>,
  status: 'denied' | 'timeout',
  error: string,
  ms: number,
): CommandResult {
  return {
    command_id: c.id,
    session_id: c.sessionId,
    cluster_id: c.clusterId,
    status,
    output: '',
    error,
    execution_time_ms: ms,
    executed_at: new Date().toISOString(),
    truncated: false,
  };
}
