// `kubently exec <cluster> <kubectl args...>`: run a read-only command and print what kubectl would.
// `kubently exec --clusters 'prod-*' <kubectl args...>`: the same on many clusters (POST /fleet/execute).

import type { Command } from 'commander';
import type { CommandRequestBody, CommandResult } from '../../common/api.js';
import type { FleetAnswer, FleetRequestBody } from '../../common/api-fleet.js';
import { escapeTerminal } from '../../common/terminal.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { fleetExitCode, mergeTables, problems, sections } from '../fleet-output.js';
import { CONNECTION_OPTIONS, kubectlArgs } from '../kubectl-args.js';
import { startSpinner } from '../spinner.js';

interface ExecOptions {
  clusters?: string[];
  maxConcurrency?: number;
  session?: string;
  timeout?: number;
  rawOutput?: boolean;
  grep?: string[];
  maxOutputBytes?: number;
}

const OWN_OPTIONS = [
  '--clusters',
  '--max-concurrency',
  '--session',
  '--timeout',
  '--raw-output',
  '--grep',
  '--max-output-bytes',
  ...CONNECTION_OPTIONS,
];

/** kubectl's follow flags (logs -f, get -w / --watch-only): those commands stream, like rollout status. */
const FOLLOW_FLAG = /^(-f|-w|--follow|--watch|--watch-only)(=true)?$/;

/** True when the kubectl args ask to follow; the gateway decides, this only picks how to ask. */
export function followsArgs(args: readonly string[]): boolean {
  // rollout status follows unless told --watch=false (kubectl's default).
  if (args[0] === 'rollout' && args[1] === 'status')
    return !args.some((a) => a === '--watch=false' || a === '-w=false');
  return ['logs', 'get', 'events'].includes(args[0] ?? '') && args.some((a) => FOLLOW_FLAG.test(a));
}

/**
 * A follow command: output printed as each event arrives, until the stream ends or Ctrl-C (then exit 0, as a
 * person stopping a watch did nothing wrong). Failures keep their exit codes.
 */
async function execFollow(ctx: CliContext, opts: ExecOptions, body: CommandRequestBody): Promise<void> {
  const client = await ctx.client();
  const stop = new AbortController();
  const release = ctx.onInterrupt?.(() => stop.abort());
  const escapeControls = ctx.stdout.isTTY && opts.rawOutput !== true;
  let end: { status?: string; error?: string | null; truncated?: boolean; reason?: string } | undefined;
  let answered: CommandResult | undefined;
  try {
    answered = await client.stream<CommandResult>('/debug/execute', body, {
      signal: stop.signal,
      onEvent(event, data) {
        if (event === 'output' && typeof data === 'string')
          ctx.stdout.write(escapeControls ? escapeTerminal(data) : data);
        else if (event === 'end') end = data as typeof end;
      },
    });
  } finally {
    release?.();
  }
  if (stop.signal.aborted) return ctx.setExitCode(EXIT.ok);
  const outcome = answered ?? end;
  if (ctx.output() === 'json' && outcome) ctx.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  if (answered?.output) ctx.stdout.write(escapeControls ? escapeTerminal(answered.output) : answered.output);
  if (outcome?.error) ctx.stderr.write(`${escapeTerminal(outcome.error.trimEnd())}\n`);
  if (end?.reason === 'max_bytes' || end?.reason === 'max_duration')
    ctx.stderr.write(
      `kubently: the stream stopped at the policy's ${end.reason === 'max_bytes' ? 'byte' : 'time'} limit\n`,
    );
  else if (end?.reason === 'timeout')
    ctx.stderr.write('kubently: the stream stopped: no word from the cluster\n');
  const ok = outcome?.status === 'success';
  ctx.setExitCode(ok ? EXIT.ok : outcome?.status === 'timeout' ? EXIT.timeout : EXIT.failure);
}

/** --grep and --max-output-bytes as the API's body fields (the agent applies them). */
function outputView(opts: ExecOptions): Pick<CommandRequestBody, 'grep' | 'max_output_bytes'> {
  return {
    ...(opts.grep ? { grep: opts.grep } : {}),
    ...(opts.maxOutputBytes !== undefined ? { max_output_bytes: opts.maxOutputBytes } : {}),
  };
}

/**
 * One command on many clusters. Tables (kubectl's default and `-o wide`) become one table with a leading
 * CLUSTER column; other output is one section per cluster; `-o json` (kubently's) prints the API's answer.
 * The exit code is the worst row's.
 */
async function execFleet(ctx: CliContext, opts: ExecOptions, args: string[]): Promise<void> {
  if (opts.session)
    throw new CliError('--session runs on one cluster; it cannot go with --clusters', EXIT.usage);
  const selectors = opts.clusters!.join(',');
  const [commandType, ...rest] = kubectlArgs('exec', `--clusters ${selectors}`, args, OWN_OPTIONS);
  const body: FleetRequestBody = {
    clusters: opts.clusters!,
    command_type: commandType,
    args: rest,
    ...outputView(opts),
  };
  if (opts.timeout !== undefined) body.timeout_seconds = opts.timeout;
  if (opts.maxConcurrency !== undefined) body.max_concurrency = opts.maxConcurrency;
  const client = await ctx.client();
  const spinner = startSpinner(ctx.stderr, `${selectors}: kubectl ${args.join(' ')}`);
  let answer: FleetAnswer;
  try {
    ({ body: answer } = await client.request<FleetAnswer>('POST', '/fleet/execute', body));
  } finally {
    spinner.stop();
  }
  if (ctx.output() === 'json') {
    ctx.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  } else {
    const table = mergeTables(answer.results);
    const text = table ?? sections(answer.results);
    ctx.stdout.write(ctx.stdout.isTTY && opts.rawOutput !== true ? escapeTerminal(text) : text);
    const notes = problems(answer.results, table !== null);
    if (answer.results.length === 0)
      ctx.stderr.write(`kubently: no cluster you may use matches ${selectors}\n`);
    if (notes) ctx.stderr.write(escapeTerminal(notes));
  }
  ctx.setExitCode(fleetExitCode(answer));
}

export function registerExec(program: Command, ctx: CliContext): void {
  program
    .command('exec')
    .description('run a read-only kubectl command on a cluster, e.g. `kubently exec prod get pods -A`')
    .argument('<cluster>', 'cluster id (with --clusters: the first kubectl argument)')
    .argument('[args...]', 'kubectl arguments (without "kubectl"); kubently options go before the cluster id')
    .option(
      '--clusters <selectors>',
      'run on every cluster these comma-separated names or globs pick (`prod-*,staging`), instead of one',
      (v) => v.split(',').map((s) => s.trim()),
    )
    .option('--max-concurrency <n>', 'with --clusters: commands in flight at once', (v) =>
      Number.parseInt(v, 10),
    )
    .option(
      '--grep <text>',
      'keep only the log lines and table rows containing this text (fixed, case-insensitive; the header stays); repeatable: any of them',
      (v: string, previous: string[] | undefined) => [...(previous ?? []), v],
    )
    .option('--max-output-bytes <n>', "cut the output at this many bytes (below the policy's cap)", (v) =>
      Number.parseInt(v, 10),
    )
    .option('--session <id>', 'run inside this session')
    .option('--timeout <seconds>', 'give up after this many seconds', (v) => Number.parseInt(v, 10))
    .option(
      '--raw-output',
      'write the output exactly as received, even to a terminal (logs may hold terminal control sequences)',
    )
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (cluster: string, args: string[], opts: ExecOptions) => {
      if (opts.clusters) return execFleet(ctx, opts, [cluster, ...args]);
      if (args.length === 0) throw new CliError("error: missing required argument 'args'", EXIT.usage);
      const [commandType, ...rest] = kubectlArgs('exec', cluster, args, OWN_OPTIONS);
      const client = await ctx.client();
      const body: CommandRequestBody = {
        cluster_id: cluster,
        command_type: commandType,
        args: rest,
        ...outputView(opts),
      };
      if (opts.session) body.session_id = opts.session;
      if (opts.timeout !== undefined) body.timeout_seconds = opts.timeout;
      if (followsArgs(args)) return execFollow(ctx, opts, body);
      const spinner = startSpinner(ctx.stderr, `${cluster}: kubectl ${args.join(' ')}`);
      let result: CommandResult;
      try {
        // Denied (403), timeout (504) and the rest become a one-line error with their own exit code.
        ({ body: result } = await client.request<CommandResult>('POST', '/debug/execute', body));
      } finally {
        spinner.stop();
      }
      if (ctx.output() === 'json') {
        ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        // The API returns logs byte for byte; on a terminal they are shown, not obeyed.
        const output =
          ctx.stdout.isTTY && opts.rawOutput !== true ? escapeTerminal(result.output) : result.output;
        if (output) ctx.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
        if (result.error) ctx.stderr.write(`${escapeTerminal(result.error.trimEnd())}\n`);
        if (result.truncated) ctx.stderr.write('kubently: output truncated at the policy limit\n');
      }
      ctx.setExitCode(result.status === 'success' ? EXIT.ok : EXIT.failure);
    });
}
