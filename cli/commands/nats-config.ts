// `kubently nats-config --tokens <file>`: the agents' part of the NATS server config, tokens bcrypt-hashed.

import { type Command, Option } from 'commander';
import {
  InvalidAgentTokensError,
  parseTokensFile,
  renderAgentsConfig,
  writeFileAtomically,
} from '../../common/nats-config/index.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { readInputFile } from '../files.js';

export function registerNatsConfig(program: Command, ctx: CliContext): void {
  program
    .command('nats-config')
    .description('render the agents users file that nats.conf includes, from the agent-tokens map')
    .requiredOption('--tokens <file>', 'JSON map {"<cluster>": "<token>", ...} or <cluster>=<token> lines')
    .option('--out <file>', 'write here (atomically) instead of standard output')
    .addOption(
      new Option('--bcrypt-cost <n>', 'bcrypt cost factor')
        .default(11)
        .argParser((v) => Number.parseInt(v, 10)),
    )
    .action(async (opts: { tokens: string; out?: string; bcryptCost: number }) => {
      // A missing, unreadable or malformed tokens file is bad input (exit 2), said in one line.
      const input = await readInputFile(opts.tokens, '--tokens file');
      let text: string;
      try {
        text = await renderAgentsConfig(parseTokensFile(input, opts.tokens), { bcryptCost: opts.bcryptCost });
      } catch (err) {
        if (err instanceof InvalidAgentTokensError) throw new CliError(err.message, EXIT.usage);
        throw err;
      }
      if (!opts.out) {
        ctx.stdout.write(text);
        return;
      }
      await writeFileAtomically(opts.out, text);
      ctx.stderr.write(`wrote ${opts.out}; reload nats-server to apply it (nats-server --signal reload)\n`);
    });
}
