// `kubently exec <cluster> <kubectl args...>`: run a read-only command and print what kubectl would.

import type { Command } from 'commander';
import type { CommandRequestBody, CommandResult } from '../../common/api.js';
import { escapeTerminal } from '../../common/terminal.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { CONNECTION_OPTIONS, kubectlArgs } from '../kubectl-args.js';
import { startSpinner } from '../spinner.js';

export function registerExec(program: Command, ctx: CliContext): void {
  program
    .command('exec')
    .description('run a read-only kubectl command on a cluster, e.g. `kubently exec prod get pods -A`')
    .argument('<cluster>', 'cluster id')
    .argument('<args...>', 'kubectl arguments (without "kubectl"); kubently options go before the cluster id')
    .option('--session <id>', 'run inside this session')
    .option('--timeout <seconds>', 'give up after this many seconds', (v) => Number.parseInt(v, 10))
    .option(
      '--raw-output',
      'write the output exactly as received, even to a terminal (logs may hold terminal control sequences)',
    )
    .passThroughOptions()
    .allowUnknownOption()
    .action(
      async (
        cluster: string,
        args: string[],
        opts: { session?: string; timeout?: number; rawOutput?: boolean },
      ) => {
        const [commandType, ...rest] = kubectlArgs('exec', cluster, args, [
          '--session',
          '--timeout',
          '--raw-output',
          ...CONNECTION_OPTIONS,
        ]);
        const client = await ctx.client();
        const body: CommandRequestBody = { cluster_id: cluster, command_type: commandType, args: rest };
        if (opts.session) body.session_id = opts.session;
        if (opts.timeout !== undefined) body.timeout_seconds = opts.timeout;
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
      },
    );
}
