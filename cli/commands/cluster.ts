// `kubently cluster add|rotate|remove <id>`: onboard, rotate and remove a cluster's agent credential through
// POST/DELETE /admin/agents/<id>/token (admin identities). The token is the agent's AGENT_TOKEN: written to
// --out (mode 0600) or standard output, never both, never into a log.

import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { isValidClusterId } from '../../common/subjects.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

interface Issued {
  token: string;
  clusterId: string;
  createdAt: string;
  expiresAt: string | null;
  previousValidUntil?: string;
}

function checkId(id: string): string {
  if (!isValidClusterId(id))
    throw new CliError(`"${id}" is not a valid cluster id (a DNS label)`, EXIT.usage);
  return id;
}

export function registerCluster(program: Command, ctx: CliContext): void {
  const cluster = program
    .command('cluster')
    .description("onboard, rotate and remove a cluster's agent credential");

  const issue = async (id: string, opts: { out?: string }, rotate: boolean) => {
    const client = await ctx.client();
    const path = `/admin/agents/${checkId(id)}/token${rotate ? '?rotate=true' : ''}`;
    const { body } = await client.request<Issued>('POST', path);
    if (opts.out) {
      await writeFile(opts.out, body.token, { mode: 0o600 });
      ctx.stderr.write(
        `wrote the token of "${body.clusterId}" to ${opts.out} (AGENT_TOKEN_FILE of its agent)\n`,
      );
    } else {
      ctx.stdout.write(body.token.endsWith('\n') ? body.token : `${body.token}\n`);
    }
    const until = body.previousValidUntil
      ? `; the previous token works until ${body.previousValidUntil}`
      : '';
    ctx.stderr.write(`expires ${body.expiresAt ?? 'never'}${until}\n`);
  };

  cluster
    .command('add <id>')
    .description('mint the agent credential of a new cluster (shown once)')
    .option('--out <file>', 'write the token here (mode 0600) instead of standard output')
    .action((id: string, opts: { out?: string }) => issue(id, opts, false));
  cluster
    .command('rotate <id>')
    .description(
      'mint a new credential; the old one keeps working for the gateway’s overlap, then is revoked',
    )
    .option('--out <file>', 'write the token here (mode 0600) instead of standard output')
    .action((id: string, opts: { out?: string }) => issue(id, opts, true));
  cluster
    .command('remove <id>')
    .description('revoke every credential of the cluster now: its agents are disconnected and refused')
    .action(async (id: string) => {
      const client = await ctx.client();
      await client.request('DELETE', `/admin/agents/${checkId(id)}/token`);
      ctx.stderr.write(`removed "${id}": its agents are cut off\n`);
    });
}
