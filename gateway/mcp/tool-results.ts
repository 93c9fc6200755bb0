// The MCP tools' results: kubectl's text as the content, the bookkeeping as structuredContent, and every way a
// command can end other than success as a tool error whose text gives the reason, the rule and what to try.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CommandResult } from '../../common/api.js';
import type { FleetAnswer } from '../../common/api-fleet.js';
import { isKubentlyError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { RunOutcome } from '../command-runner.js';
import type { FleetOutput, KubectlOutput } from './tool-schemas.js';

/** A text content block. */
export const text = (t: string) => ({ type: 'text' as const, text: t });

/** A tool result that says what went wrong, why, and the rule that decided. */
export function toolError(message: string, rule: string, hint?: string): CallToolResult {
  const lines = [`${message} (rule: ${rule})`];
  if (hint) lines.push(hint);
  return { isError: true, content: [text(lines.join('\n'))] };
}

function structured(result: CommandResult): KubectlOutput {
  return {
    command_id: result.command_id,
    status: result.status,
    truncated: result.truncated,
    execution_time_ms: result.execution_time_ms,
  };
}

/** How to ask for less when the output was cut: the hint every truncated kubectl result ends with. */
export const NARROW_TOOL_HINT =
  'The output was cut. Narrow the command: a namespace (-n), a label or field selector (-l, --field-selector), ' +
  '--limit, logs --tail or --since, or the grep argument (fixed strings) to keep only the matching lines.';

/** The tool result for a command the runner answered. */
export function kubectlResult(outcome: RunOutcome, maxTimeoutSeconds: number): CallToolResult {
  switch (outcome.kind) {
    case 'invalid': {
      const d = outcome.decision;
      const token = d.token === undefined ? '' : ` at ${JSON.stringify(d.token)}`;
      // MCP answers once: a follow command has nowhere to stream to.
      const hint =
        d.rule === 'follow_needs_event_stream'
          ? 'MCP tools answer once: leave out -f/--watch and read a window with --tail or --since instead.'
          : undefined;
      return toolError(`invalid command${token}: ${d.reason}`, d.rule, hint);
    }
    case 'denied': {
      const d = outcome.decision;
      return {
        ...toolError(
          `denied by policy: ${d.reason}`,
          d.rule,
          'validate_command tells whether a command would be allowed, without running it.',
        ),
        structuredContent: structured(outcome.result),
      };
    }
    case 'stream':
      // Never reached: MCP passes no stream target, so a follow command is refused as invalid.
      return toolError(
        'follow commands stream through POST /debug/execute only',
        'follow_needs_event_stream',
      );
    case 'result':
      break;
  }
  const { result } = outcome;
  const sc = structured(result);
  switch (result.status) {
    case 'success': {
      const content = [text(result.output)];
      if (result.truncated) content.push(text(NARROW_TOOL_HINT));
      return { content, structuredContent: sc };
    }
    case 'failure': {
      // kubectl's stdout then its stderr, as a terminal would show them.
      const content = [];
      if (result.output !== '') content.push(text(result.output));
      content.push(text(result.error ?? 'the command failed'));
      if (result.truncated) content.push(text(NARROW_TOOL_HINT));
      return { isError: true, content, structuredContent: sc };
    }
    case 'denied':
      return {
        ...toolError(`denied by the cluster's agent: ${result.error ?? 'agent policy'}`, 'agent_policy'),
        structuredContent: sc,
      };
    case 'timeout':
      return {
        ...toolError(
          `timed out: ${result.error ?? 'no answer in time'}`,
          'timeout',
          `Retry with a larger timeout_seconds (at most ${maxTimeoutSeconds}) or narrow the command.`,
        ),
        structuredContent: sc,
      };
  }
}

/**
 * kubectl_fleet's answer: one `==> cluster (status) <==` section per cluster, in cluster order, with its output
 * and error as kubectl prints them. A tool error only when no cluster succeeded.
 */
export function fleetResult(answer: FleetAnswer): CallToolResult {
  const sections = answer.results.map((r) => {
    const head = `==> ${r.cluster_id} (${r.status}${r.truncated ? ', truncated' : ''}) <==`;
    const error = r.error ? `${r.error.trimEnd()}\n` : '';
    return `${head}\n${r.output}${r.output && !r.output.endsWith('\n') ? '\n' : ''}${error}`;
  });
  const { summary } = answer;
  const counts = Object.entries(summary)
    .filter(([k, n]) => k !== 'clusters' && n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const content = [text(`${sections.join('\n')}\n${summary.clusters} clusters: ${counts || 'none matched'}`)];
  if (answer.results.some((r) => r.truncated)) content.push(text(NARROW_TOOL_HINT));
  if (summary.denied > 0)
    content.push(
      text('validate_command on a denied cluster names the deciding rule, without running anything.'),
    );
  const structuredContent: FleetOutput = {
    fleet_id: answer.fleet_id,
    results: answer.results.map(({ cluster_id, command_id, status, truncated, execution_time_ms }) => ({
      cluster_id,
      command_id,
      status,
      truncated,
      execution_time_ms,
    })),
    summary,
  };
  return { content, structuredContent, isError: summary.success === 0 };
}

/** A runner failure (KubentlyError) as a tool result; anything else is logged and answered as internal. */
export function failureResult(log: Logger, err: unknown, clusterId: string): CallToolResult {
  if (!isKubentlyError(err)) {
    log.error({ err, clusterId }, 'MCP tool call failed');
    return toolError('internal error in the gateway', 'internal_error');
  }
  switch (err.code) {
    case 'not_found':
      // The same words for a cluster that does not exist and one the caller may not use.
      return toolError(
        `${err.message}: ${clusterId}`,
        'cluster_not_found',
        'list_clusters names the clusters you may use.',
      );
    case 'agent_unavailable':
      return toolError(
        `no agent of cluster ${clusterId} is connected`,
        'agent_unavailable',
        'list_clusters shows which clusters are connected.',
      );
    case 'invalid_command':
    case 'unauthorized_command': {
      const rule = typeof err.details?.rule === 'string' ? err.details.rule : err.code;
      const prefix = err.code === 'invalid_command' ? 'invalid command' : 'denied by policy';
      return toolError(`${prefix}: ${err.message}`, rule);
    }
    default:
      return toolError(err.message, err.code);
  }
}
