// The normalized argv of a Command: canonical resource names, long flag forms, flags sorted.
// parseArgv(formatArgv(c)) gives c back, so the argv is what the audit log records and what the
// agent re-parses to check that the structured command and its argv agree.

import type { Command, CommandFlags, Target } from './types.js';

const FLAG_NAMES: Readonly<Record<keyof CommandFlags, string | null>> = {
  showLabels: 'show-labels',
  sortBy: 'sort-by',
  noHeaders: 'no-headers',
  limit: 'limit',
  chunkSize: 'chunk-size',
  container: 'container',
  tail: 'tail',
  since: 'since',
  sinceSeconds: null, // derived from since
  previous: 'previous',
  timestamps: 'timestamps',
  allContainers: 'all-containers',
  prefix: 'prefix',
  follow: 'follow',
  watch: 'watch',
  watchOnly: 'watch-only',
  recursive: 'recursive',
  forObject: 'for',
  types: 'types',
  namespaced: 'namespaced',
  apiGroup: 'api-group',
  containers: 'containers',
  revision: 'revision',
};

function sameNames(targets: readonly Target[]): boolean {
  const first = targets[0]!.names;
  return targets.every((t) => t.names.length === first.length && t.names.every((n, i) => n === first[i]));
}

/** A custom type keeps its group, so that parsing the argv again gives the same target. */
const typeArg = (t: Target): string => (t.custom && t.group ? `${t.resource}.${t.group}` : t.resource);

function resourceArgs(targets: readonly Target[]): string[] {
  if (targets.length === 0) return [];
  if (sameNames(targets)) return [targets.map(typeArg).join(','), ...targets[0]!.names];
  return targets.flatMap((t) => t.names.map((n) => `${typeArg(t)}/${n}`));
}

export function formatArgv(command: Command): string[] {
  const argv: string[] = [command.verb];
  switch (command.verb) {
    case 'get':
    case 'describe':
    case 'top':
      argv.push(...resourceArgs(command.targets));
      break;
    case 'rollout':
      argv.push(command.subcommand ?? 'status', ...resourceArgs(command.targets));
      break;
    case 'logs': {
      const pod = command.targets[0]?.names[0];
      if (pod !== undefined) argv.push(pod);
      break;
    }
    case 'explain': {
      const resource = command.targets[0]?.resource ?? '';
      argv.push(command.fieldPath === undefined ? resource : `${resource}.${command.fieldPath}`);
      break;
    }
    default:
      break;
  }
  const flags: string[] = [];
  if (command.namespace !== null) flags.push(`--namespace=${command.namespace}`);
  if (command.allNamespaces) flags.push('--all-namespaces');
  if (command.selectors.label !== undefined) flags.push(`--selector=${command.selectors.label}`);
  if (command.selectors.field !== undefined) flags.push(`--field-selector=${command.selectors.field}`);
  if (command.output !== 'table') flags.push(`--output=${command.output}`);
  for (const [key, value] of Object.entries(command.flags)) {
    const name = FLAG_NAMES[key as keyof CommandFlags];
    if (name === null || name === undefined || value === undefined) continue;
    if (value === true) flags.push(`--${name}`);
    else flags.push(`--${name}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  }
  flags.sort();
  argv.push(...flags);
  return argv;
}

const PLAIN = /^[A-Za-z0-9._/=:,@%+-]+$/;

/** One string that tokenize() splits back into `argv`: for audit lines and the CLI. */
export function formatCommandLine(argv: readonly string[]): string {
  return argv.map((arg) => (PLAIN.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ');
}
