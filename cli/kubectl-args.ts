// The kubectl arguments of `kubently exec|validate <cluster> <args...>`. Everything after the cluster id goes
// to kubectl untouched (its own -o, -n, -l ...), so kubently's options must come before the cluster id;
// one of them found after it is a usage error that says where it belongs rather than a kubectl flag error.

import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** kubently's own options that are no kubectl flag of any read-only verb. */
export const CONNECTION_OPTIONS = ['--api-url', '--api-key', '--config'] as const;

/** kubectl verbs that have a flag of the same name as a kubently option (`kubectl rollout status --timeout`). */
const KUBECTL_OWNS: Record<string, readonly string[]> = { rollout: ['--timeout'] };

/**
 * `args` without a leading `--` (the conventional end of options, as in `kubently exec prod -- get pods`).
 * Throws a usage error naming the fix when one of `ownOptions` follows the cluster id.
 */
export function kubectlArgs(
  command: string,
  cluster: string,
  args: string[],
  ownOptions: readonly string[],
): string[] {
  const argv = args[0] === '--' ? args.slice(1) : args;
  const owned = KUBECTL_OWNS[argv[0] ?? ''] ?? [];
  for (const [i, arg] of argv.entries()) {
    const name = arg.split('=', 1)[0]!;
    if (!ownOptions.includes(name) || owned.includes(name)) continue;
    const given = arg.includes('=') ? [arg] : argv.slice(i, i + 2);
    const rest = argv.filter((_, j) => j < i || j >= i + given.length);
    // The corrected line is printed: an API key in it would land in the terminal's scrollback.
    const shown = name === '--api-key' ? '--api-key <key>' : given.join(' ');
    throw new CliError(
      `${name} is an option of kubently ${command} and goes before the cluster id: ` +
        `kubently ${command} ${shown} ${cluster} ${rest.join(' ')}`,
      EXIT.usage,
    );
  }
  if (argv.length === 0) throw new CliError('missing the kubectl command after the cluster id', EXIT.usage);
  return argv;
}
