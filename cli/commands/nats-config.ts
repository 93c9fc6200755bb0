// `kubently nats-config --tokens <file>`: the agents' part of the NATS server config, tokens bcrypt-hashed.

import { type Command, Option } from 'commander';
import { renderAgentsConfigFile, writeFileAtomically } from '../../common/nats-config/index.js';
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
      const text = await renderAgentsConfigFile(opts.tokens, opts.bcryptCost);
      if (!opts.out) {
        ctx.stdout.write(text);
        return;
      }
      await writeFileAtomically(opts.out, text);
      ctx.stderr.write(`wrote ${opts.out}; reload nats-server to apply it (nats-server --signal reload)\n`);
    });
}
