// Builds the `kubently` command tree. Streams and environment are passed in so tests run it in process
// as well as through the real bin.

import { Command, CommanderError, Option } from 'commander';
import { createApiClient } from './api-client.js';
import { registerAudit } from './commands/audit.js';
import { registerCluster } from './commands/cluster.js';
import { registerClusters } from './commands/clusters.js';
import { registerDoctor } from './commands/doctor.js';
import { registerExec } from './commands/exec.js';
import { registerKeys } from './commands/keys.js';
import { registerLogin } from './commands/login.js';
import { registerMcp } from './commands/mcp.js';
import { registerNatsConfig } from './commands/nats-config.js';
import { registerSession } from './commands/session.js';
import { registerValidate } from './commands/validate.js';
import type { CliContext, CliIo } from './context.js';
import { CliError } from './errors.js';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output.js';
import { insecureUrlWarning, resolveSettings } from './settings.js';
import { CLI_VERSION } from './version.js';

export { CLI_VERSION } from './version.js';

interface GlobalOptions {
  apiUrl?: string;
  apiKey?: string;
  token?: string;
  config?: string;
  output: OutputFormat;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = new Command('kubently');
  // Options of the command being run merged with the program's, so `--api-url` works before or after it.
  let options: GlobalOptions = { output: 'table' };
  const ctx: CliContext = {
    ...io,
    output: () => options.output,
    settings({ creatingConfig = false } = {}) {
      const { apiUrl, apiKey, token, config } = options;
      return resolveSettings({ flags: { apiUrl, apiKey, token, config }, env: io.env }, creatingConfig);
    },
    async client() {
      const settings = await ctx.settings();
      const warning = insecureUrlWarning(settings.apiUrl);
      if (warning) io.stderr.write(`kubently: ${warning}\n`);
      return createApiClient(settings);
    },
    setExitCode(code) {
      exitCode = code;
    },
  };

  program
    .version(CLI_VERSION)
    .description('Safe, audited, read-only access to Kubernetes clusters through the Kubently gateway')
    .enablePositionalOptions()
    .showHelpAfterError()
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n`)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  for (const register of [
    registerExec,
    registerValidate,
    registerClusters,
    registerCluster,
    registerSession,
    registerAudit,
    registerKeys,
    registerLogin,
    registerNatsConfig,
    registerDoctor,
    registerMcp,
  ]) {
    register(program, ctx);
  }
  addGlobalOptions(program);
  for (const leaf of leaves(program)) addGlobalOptions(leaf.exitOverride());
  program.hook('preAction', (_program, action) => {
    options = mergedOptions(action);
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      io.stderr.write(`kubently: ${err.message}\n`);
      return err.exitCode;
    }
    // Errors from shared modules (bad tokens file, unreadable file) carry a message meant for people.
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`kubently: ${message.split('\n')[0]}\n`);
    return EXIT.failure;
  }
}

function addGlobalOptions(command: Command): void {
  command
    .option('--api-url <url>', 'gateway URL (env KUBENTLY_API_URL; default http://127.0.0.1:8080)')
    .option('--api-key <key>', 'API key (env KUBENTLY_API_KEY)')
    .option('--token <jwt>', 'OpenID Connect token, instead of kubently login (env KUBENTLY_TOKEN)')
    .option('--config <file>', 'config file (env KUBENTLY_CONFIG; default ~/.config/kubently/config.json)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'));
}

function leaves(command: Command): Command[] {
  return command.commands.flatMap((sub) => (sub.commands.length > 0 ? [sub, ...leaves(sub)] : [sub]));
}

/** An option given explicitly anywhere on the line wins over a default, wherever it was declared. */
function mergedOptions(action: Command): GlobalOptions {
  const chain: Command[] = [];
  for (let c: Command | null = action; c; c = c.parent) chain.unshift(c);
  const merged: Record<string, unknown> = {};
  for (const command of chain) {
    for (const [key, value] of Object.entries(command.opts())) {
      if (value === undefined) continue;
      if (command.getOptionValueSource(key) !== 'default' || !(key in merged)) merged[key] = value;
    }
  }
  return merged as unknown as GlobalOptions;
}
