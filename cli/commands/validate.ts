// `kubently validate <cluster> <kubectl args...>`: what the policy says and why, without running.

import type { Command } from 'commander';
import type { CommandRequestBody, Validation } from '../../common/api.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command('validate')
    .description('ask the policy whether a command would be allowed, and which rule decides')
    .argument('<cluster>', 'cluster id')
    .argument('<args...>', 'kubectl arguments (without "kubectl")')
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (cluster: string, args: string[]) => {
      const client = await ctx.client();
      const [commandType, ...rest] = args;
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
