// `kubently keys generate`: an API key or an agent token from the operating system's CSPRNG.

import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { isValidClusterId } from '../../common/subjects.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

export const KEY_KINDS = ['api-key', 'agent-token'] as const;

/** 32 random bytes: an API key as base64url with a recognizable prefix; an agent token as hex (like `openssl rand -hex 32`). */
export function generateSecret(kind: (typeof KEY_KINDS)[number]): string {
  const bytes = randomBytes(32);
  return kind === 'api-key' ? `kbt_${bytes.toString('base64url')}` : bytes.toString('hex');
}

export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('generate API keys and agent tokens');
  keys
    .command('generate')
    .description('print a new random API key (as an API_KEYS entry) or agent token')
    .addOption(
      new Option(
        '--kind <kind>',
        'what to generate (default: agent-token with --cluster, else api-key)',
      ).choices(KEY_KINDS),
    )
    .option('--service <name>', 'identity for an API key entry: prints "<service>:<key>"')
    .option(
      '--cluster <id>',
      'cluster for an agent token (implies --kind agent-token): prints {"<cluster>": "<token>"}',
    )
    .action((opts: { kind?: (typeof KEY_KINDS)[number]; service?: string; cluster?: string }) => {
      const kind = opts.kind ?? (opts.cluster !== undefined ? 'agent-token' : 'api-key');
      // Each option belongs to one kind: a mix would print a secret of the kind the user did not mean.
      if (kind === 'api-key' && opts.cluster !== undefined)
        throw new CliError(
          '--cluster makes an agent token; an API key takes --service, not --cluster',
          EXIT.usage,
        );
      if (kind === 'agent-token' && opts.service !== undefined)
        throw new CliError(
          '--service names an API key; an agent token takes --cluster, not --service',
          EXIT.usage,
        );
      const secret = generateSecret(kind);
      if (kind === 'api-key') {
        if (opts.service !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(opts.service)) {
          throw new CliError('--service must be letters, digits, ".", "_" or "-" (at most 63)', EXIT.usage);
        }
        ctx.stdout.write(`${opts.service ? `${opts.service}:` : ''}${secret}\n`);
        return;
      }
      if (opts.cluster !== undefined) {
        if (!isValidClusterId(opts.cluster)) throw new CliError('--cluster must be a DNS label', EXIT.usage);
        ctx.stdout.write(`${JSON.stringify({ [opts.cluster]: secret })}\n`);
        return;
      }
      ctx.stdout.write(`${secret}\n`);
    });
}
