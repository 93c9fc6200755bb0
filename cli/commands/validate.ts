// `kubently validate <cluster> <kubectl args...>`: what the policy says and why, without running.

import type { Command } from 'commander';
import type { CommandRequestBody, Validation } from '../../common/api.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { CONNECTION_OPTIONS, kubectlArgs } from '../kubectl-args.js';

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('ask the policy whether a command would be allowed, and which rule decides')
    .argument('<cluster>', 'cluster id')
    .argument('<args...>', 'kubectl arguments (without "kubectl"); kubently options go before the cluster id')
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (cluster: string, args: string[]) => {
      const [commandType, ...rest] = kubectlArgs('validate', cluster, args, CONNECTION_OPTIONS);
      const client = await ctx.client();
      const request: CommandRequestBody = { cluster_id: cluster, command_type: commandType, args: rest };
      const { body } = await client.request<Validation>('POST', '/debug/validate', request);
      if (ctx.output() === 'json') {
        ctx.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      } else {
        const verdict = body.allowed ? 'allowed' : 'denied';
        ctx.stdout.write(`${verdict}: ${body.reason}\n  rule: ${body.rule}\n`);
        if (body.token) ctx.stdout.write(`  token: ${body.token}\n`);
        if (body.normalized_argv.length)
          ctx.stdout.write(`  normalized: kubectl ${body.normalized_argv.join(' ')}\n`);
      }
      ctx.setExitCode(body.allowed ? EXIT.ok : EXIT.denied);
    });
}
