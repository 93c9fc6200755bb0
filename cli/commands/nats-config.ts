// `kubently nats-config init --out <dir> [--clusters a,b] [--signing-key-file <file>]`: a new NATS operator for
// Kubently: the server's include file (public keys and JWTs only), the operator signing key and the service
// and (for GitOps) agent credentials, each in its own file readable only by its owner.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  createOperatorSetup,
  OPERATOR_CONF_FILE_NAME,
  renderOperatorConfig,
} from '../../common/nats-auth/setup.js';
import { isValidClusterId } from '../../common/subjects.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { readInputFile } from '../files.js';

/** The signing key's file name in the output directory (the gateway's NATS_OPERATOR_SIGNING_KEY_FILE). */
export const SIGNING_KEY_FILE_NAME = 'operator-signing-key.nk';

export function registerNatsConfig(program: Command, ctx: CliContext): void {
  const natsConfig = program.command('nats-config').description('NATS operator, accounts and credentials');
  natsConfig
    .command('init')
    .description('create the operator: server include file, signing key, service and agent credentials')
    .requiredOption(
      '--out <dir>',
      'directory to write into (created; files are mode 0600 except the server file)',
    )
    .option('--clusters <ids>', 'clusters provisioned up front (GitOps): comma-separated ids', '')
    .option(
      '--signing-key-file <file>',
      'reuse this operator signing key (same accounts) instead of a new one',
    )
    .action(async (opts: { out: string; clusters: string; signingKeyFile?: string }) => {
      const clusters = opts.clusters
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      const bad = clusters.find((c) => !isValidClusterId(c));
      if (bad !== undefined) throw new CliError(`--clusters: "${bad}" is not a valid cluster id`, EXIT.usage);
      const signingSeed = opts.signingKeyFile
        ? (await readInputFile(opts.signingKeyFile, '--signing-key-file')).trim()
        : undefined;
      const setup = await createOperatorSetup({ clusters, signingSeed });
      await mkdir(opts.out, { recursive: true, mode: 0o700 });
      const secret = (name: string, text: string) =>
        writeFile(join(opts.out, name), `${text}\n`, { mode: 0o600 });
      await writeFile(join(opts.out, OPERATOR_CONF_FILE_NAME), renderOperatorConfig(setup));
      await secret(SIGNING_KEY_FILE_NAME, setup.signingSeed);
      for (const [identity, creds] of Object.entries(setup.creds)) await secret(`${identity}.creds`, creds);
      for (const [clusterId, creds] of Object.entries(setup.agentCreds))
        await secret(`agent-${clusterId}.creds`, creds);
      ctx.stderr.write(
        `wrote ${OPERATOR_CONF_FILE_NAME} (server), ${SIGNING_KEY_FILE_NAME} (gateway secret) and ` +
          `${Object.keys(setup.creds).length + clusters.length} credentials files to ${opts.out}\n`,
      );
    });
}
