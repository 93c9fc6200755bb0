// `kubently nats-config --tokens <file>`: the agents' part of the NATS server config, tokens bcrypt-hashed.

import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { parseTokensFile, renderAgentsConfig, runNatsConfigCommand } from '../../common/nats-config/index.js';
import type { CliContext } from '../context.js';

export function registerNatsConfig(program: Command, ctx: CliContext): void {
  program
    .command('nats-config')
    .description('render the agents users file that nats.conf includes, from the agent-tokens map')
    .requiredOption('--tokens <file>', 'JSON map {"<cluster>": "<token>", ...}')
    .option('--out <file>', 'write here (atomically) instead of standard output')
    .addOption(
      new Option('--bcrypt-cost <n>', 'bcrypt cost factor')
        .default(11)
        .argParser((v) => Number.parseInt(v, 10)),
    )
    .action(async (opts: { tokens: string; out?: string; bcryptCost: number }) => {
      if (opts.out) {
        await runNatsConfigCommand({
          tokensFile: opts.tokens,
          output: opts.out,
          bcryptCost: opts.bcryptCost,
        });
        ctx.stderr.write(`wrote ${opts.out}; reload nats-server to apply it (nats-server --signal reload)\n`);
        return;
      }
      const tokens = parseTokensFile(await readFile(opts.tokens, 'utf8'), opts.tokens);
      ctx.stdout.write(await renderAgentsConfig(tokens, { bcryptCost: opts.bcryptCost }));
    });
}
