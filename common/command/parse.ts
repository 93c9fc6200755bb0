// Turns a REST request (command_type + args, or one command string) into a validated Command.
// Anything not understood is rejected with the token and the rule; well-formed but forbidden
// requests (delete, --as, -o jsonpath) are rejected as unauthorized_command (403).

import { KubentlyError } from '../errors.js';
import { RESOURCE_TYPES } from '../resources.js';
import { formatArgv } from './format.js';
import {
  ANY_VERB_FLAGS,
  FLAG_TABLES,
  type FlagSpec,
  type FlagTable,
  FORBIDDEN_LONG_FLAGS,
  FORBIDDEN_SHORT_FLAGS,
  FORBIDDEN_VERBS,
  GRAMMAR,
  TEMPLATE_OUTPUTS,
} from './grammar.js';
import { type OutputView, withOutputView } from './output-view.js';
import {
  parseExplainArgs,
  parseForObject,
  parseLogsArgs,
  parseResourceArgs,
  resolveType,
} from './targets.js';
import { checkArg, checkArgCount, tokenize } from './tokenize.js';
import {
  type Command,
  type CommandFlags,
  type OutputFormat,
  ROLLOUT_SUBCOMMANDS,
  type RolloutSubcommand,
  type Target,
  VERBS,
  type Verb,
} from './types.js';
import * as v from './values.js';

export interface CommandRequest {
  command_type?: string;
  args?: string[];
  command?: string;
  namespace?: string | null;
  extra_args?: string[];
  /** Fixed strings the agent keeps lines by (output-view.ts); not part of the argv. */
  grep?: string[];
  max_output_bytes?: number;
}

export interface CommandContext {
  id: string;
  clusterId: string;
  identity: string;
  /** `group:<name>` identities of an OIDC caller; absent or empty for API keys. */
  groups?: readonly string[] | undefined;
  sessionId: string | null;
  timeoutMs: number;
  /** The policy reads custom resources: get and describe accept types outside the catalog. */
  customResources?: boolean;
}

const VERB_SET: ReadonlySet<string> = new Set(VERBS);
const EVENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['normal', 'Normal'],
  ['warning', 'Warning'],
]);
const MAX_TAIL = 100_000_000;
const MAX_LIMIT = 100_000;

interface ReadFlag {
  spec: FlagSpec;
  value: string | boolean;
  /** The token that carried the value, for error details. */
  token: string;
  next: number;
}

const isFlag = (token: string): boolean => token.length > 1 && token.charCodeAt(0) === 45; /* '-' */

/** `table`: the verb's flags, whose own short letters (logs -f) are not the forbidden ones; none before the verb. */
function checkForbidden(token: string, table?: FlagTable): void {
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    const name = (eq < 0 ? token.slice(2) : token.slice(2, eq)).toLowerCase().replaceAll('_', '-');
    if (FORBIDDEN_LONG_FLAGS.has(name)) {
      v.forbidden(`flag --${name} is never allowed`, 'forbidden_flag', token);
    }
  } else if (FORBIDDEN_SHORT_FLAGS.has(token[1]!) && !table?.short.has(token[1]!)) {
    v.forbidden(`flag -${token[1]} is never allowed`, 'forbidden_flag', token);
  }
}

function readFlag(argv: readonly string[], i: number, table: FlagTable, verb: string): ReadFlag {
  const token = argv[i]!;
  if (token === '--') v.invalid('"--" is not supported', 'unknown_flag', token);
  checkForbidden(token, table === ANY_VERB_FLAGS ? undefined : table);
  let spec: FlagSpec | undefined;
  let attached: string | undefined;
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    spec = table.long.get(eq < 0 ? token.slice(2) : token.slice(2, eq));
    attached = eq < 0 ? undefined : token.slice(eq + 1);
  } else {
    spec = table.short.get(token[1]!);
    if (token.length > 2) attached = token[2] === '=' ? token.slice(3) : token.slice(2);
  }
  if (!spec) v.invalid(`unknown flag ${token} for ${verb}`, 'unknown_flag', token);
  if (spec.kind === 'bool') {
    if (attached === undefined || attached === 'true') return { spec, value: true, token, next: i + 1 };
    if (attached === 'false') return { spec, value: false, token, next: i + 1 };
    return v.invalid(`flag --${spec.long} takes true or false`, 'invalid_flag_value', token);
  }
  if (attached !== undefined) return { spec, value: attached, token, next: i + 1 };
  const value = argv[i + 1];
  if (value === undefined) v.invalid(`flag ${token} needs a value`, 'missing_value', token);
  if (isFlag(value)) {
    checkForbidden(value);
    v.invalid(`flag ${token} needs a value, got ${value}`, 'missing_value', token);
  }
  return { spec, value, token: value, next: i + 2 };
}

/** Builds argv from either request shape; `kubectl` may lead the string form only. */
function requestArgv(request: CommandRequest): string[] {
  if (typeof request !== 'object' || request === null)
    v.invalid('request must be an object', 'invalid_request', '');
  const extra = request.extra_args ?? [];
  const args = request.args ?? [];
  if (!Array.isArray(extra) || !Array.isArray(args)) {
    v.invalid('args and extra_args must be arrays of strings', 'invalid_request', 'args');
  }
  const hasString = request.command !== undefined && request.command !== null;
  const hasType = request.command_type !== undefined && request.command_type !== null;
  const hasArgs = request.args !== undefined && request.args !== null;
  if (hasString && (hasType || args.length > 0)) {
    v.invalid(
      'use either `command` (one string) or `command_type` with `args`, not both',
      'ambiguous_request',
      'command',
    );
  }
  let argv: string[];
  if (hasString) {
    argv = tokenize(request.command as string);
    if (argv[0] === 'kubectl') argv.shift();
  } else if (hasType || hasArgs) {
    // Upstream Kubently's API defaults command_type to `get`: `{"args": ["pods"]}` is `get pods`.
    argv = [checkArg(hasType ? request.command_type : 'get'), ...args.map(checkArg)];
  } else {
    return v.invalid(
      'use either `command` (one string) or `command_type` with `args`',
      'missing_command',
      '',
    );
  }
  for (const arg of extra) argv.push(checkArg(arg));
  checkArgCount(argv.length);
  return argv;
}

export function parseCommandRequest(request: CommandRequest, context: CommandContext): Command {
  const argv = requestArgv(request);
  const ns = request.namespace;
  const command = parseArgv(
    argv,
    context,
    ns === undefined || ns === null || ns === '' ? undefined : checkArg(ns),
  );
  const view: OutputView = {};
  if (request.grep !== undefined) view.grep = request.grep;
  if (request.max_output_bytes !== undefined) view.maxOutputBytes = request.max_output_bytes;
  return withOutputView(command, view);
}

/**
 * Parses a kubectl-style argv (no leading `kubectl`). `defaultNamespace` is the request's namespace
 * field: it acts like -n for verbs that read namespaced objects and is ignored by the others.
 */
export function parseArgv(
  argv: readonly string[],
  context: CommandContext,
  defaultNamespace?: string,
): Command {
  let at = 0;
  while (at < argv.length && isFlag(argv[at]!)) at = readFlag(argv, at, ANY_VERB_FLAGS, 'kubectl').next;
  const verbToken = argv[at];
  if (verbToken === undefined) return v.invalid('no verb given, e.g. "get pods"', 'missing_verb', '');
  if (!VERB_SET.has(verbToken)) {
    if (FORBIDDEN_VERBS.has(verbToken.toLowerCase())) {
      v.forbidden(`verb "${verbToken}" is not allowed: Kubently is read-only`, 'verb_not_allowed', verbToken);
    }
    v.invalid(`unknown verb "${verbToken}"`, 'unknown_verb', verbToken);
  }
  const verb = verbToken as Verb;
  if (verb === 'rollout') refuseRolloutWrite(argv[at + 1]);
  const table = FLAG_TABLES[verb];
  const raw = new Map<string, ReadFlag>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; ) {
    const token = argv[i]!;
    if (i === at) {
      i++;
    } else if (isFlag(token)) {
      const read = readFlag(argv, i, table, verb);
      if (raw.has(read.spec.long)) v.invalid(`flag --${read.spec.long} given twice`, 'duplicate_flag', token);
      raw.set(read.spec.long, read);
      i = read.next;
    } else {
      positionals.push(token);
      i++;
    }
  }
  return build(verb, raw, positionals, context, defaultNamespace);
}

const str = (f: ReadFlag | undefined): string | undefined =>
  f === undefined ? undefined : (f.value as string);

function parseOutput(verb: Verb, f: ReadFlag | undefined): OutputFormat {
  if (f === undefined) return 'table';
  const value = f.value as string;
  const eq = value.indexOf('=');
  if (TEMPLATE_OUTPUTS.has((eq < 0 ? value : value.slice(0, eq)).toLowerCase())) {
    v.forbidden(`output format "${value}" is a template and never allowed`, 'forbidden_output', f.token);
  }
  const allowed = GRAMMAR[verb].outputs as readonly string[];
  if (!allowed.includes(value)) {
    v.invalid(`output format "${value}" is not one of ${allowed.join(', ')}`, 'invalid_output', f.token);
  }
  return value as OutputFormat;
}

/** Boolean flags map straight onto the Command's flags; the grammar already parsed their value. */
const BOOLEAN_FLAGS: ReadonlyMap<string, keyof CommandFlags> = new Map([
  ['show-labels', 'showLabels'],
  ['no-headers', 'noHeaders'],
  ['previous', 'previous'],
  ['timestamps', 'timestamps'],
  ['all-containers', 'allContainers'],
  ['prefix', 'prefix'],
  ['follow', 'follow'],
  ['watch', 'watch'],
  ['watch-only', 'watchOnly'],
  ['recursive', 'recursive'],
  ['namespaced', 'namespaced'],
  ['containers', 'containers'],
  ['watch', 'watch'],
]);

/** kubectl rollout subcommands that change a workload: refused as writes (403), whatever follows. */
const ROLLOUT_WRITES: ReadonlySet<string> = new Set(['restart', 'undo', 'pause', 'resume']);
/** What kubectl's rollout status and history can read. */
const ROLLOUT_RESOURCES: ReadonlySet<string> = new Set(['deployments', 'daemonsets', 'statefulsets']);
const MAX_REVISION = 999_999_999;

function parseFlags(verb: Verb, raw: Map<string, ReadFlag>): CommandFlags {
  const flags: CommandFlags = {};
  for (const [name, f] of raw) {
    const boolean = BOOLEAN_FLAGS.get(name);
    if (boolean !== undefined) {
      (flags as Record<string, unknown>)[boolean] = f.value as boolean;
      continue;
    }
    const text = f.value as string;
    switch (name) {
      case 'sort-by':
        flags.sortBy = verb === 'top' ? v.checkTopSortBy(text, f.token) : v.checkSortBy(text, f.token);
        break;
      case 'revision':
        flags.revision = v.checkUnsigned(text, f.token, 0, MAX_REVISION);
        break;
      case 'chunk-size':
        flags.chunkSize = v.checkUnsigned(text, f.token, 0, MAX_LIMIT);
        break;
      case 'limit':
        flags.limit = v.checkUnsigned(text, f.token, 1, MAX_LIMIT);
        break;
      case 'container':
        flags.container = v.checkContainer(text, f.token);
        break;
      case 'tail':
        flags.tail = v.checkUnsigned(text, f.token, 0, MAX_TAIL);
        break;
      case 'since':
        flags.sinceSeconds = v.checkDuration(text, f.token);
        flags.since = text;
        break;
      case 'for':
        flags.forObject = parseForObject(text);
        break;
      case 'types':
        flags.types = [
          ...new Set(
            text
              .split(',')
              .map(
                (t) =>
                  EVENT_TYPES.get(t.toLowerCase()) ??
                  v.invalid(`unknown event type "${t}"`, 'invalid_flag_value', f.token),
              ),
          ),
        ];
        break;
      case 'api-group':
        flags.apiGroup = v.checkApiGroup(text, f.token);
        break;
    }
  }
  return flags;
}

function build(
  verb: Verb,
  raw: Map<string, ReadFlag>,
  positionals: string[],
  context: CommandContext,
  defaultNamespace: string | undefined,
): Command {
  const selectors: Command['selectors'] = {};
  const label = str(raw.get('selector'));
  const field = str(raw.get('field-selector'));
  if (label !== undefined) selectors.label = v.checkLabelSelector(label, raw.get('selector')!.token);
  if (field !== undefined) selectors.field = v.checkFieldSelector(field, raw.get('field-selector')!.token);
  const output = parseOutput(verb, raw.get('output'));
  const flags = parseFlags(verb, raw);

  let targets: Target[] = [];
  let fieldPath: string | undefined;
  let subcommand: RolloutSubcommand | undefined;
  let scoped = false;
  switch (verb) {
    case 'get':
    case 'describe':
      targets = parseResourceArgs(positionals, verb, context.customResources === true);
      scoped = targets.some(isNamespaced);
      if (label !== undefined && targets.some((t) => t.names.length > 0)) {
        v.invalid('object names cannot be combined with a selector', 'conflicting_flags', label);
      }
      if (flags.watch || flags.watchOnly) checkWatch(targets, output, flags);
      break;
    case 'logs': {
      const logs = parseLogsArgs(positionals, label !== undefined);
      targets = [logs.target];
      scoped = true;
      if (logs.container !== undefined) {
        if (flags.container !== undefined)
          v.invalid('container given twice', 'conflicting_flags', logs.container);
        flags.container = logs.container;
      }
      if (flags.allContainers && flags.container !== undefined) {
        v.invalid(
          '--all-containers and --container exclude each other',
          'conflicting_flags',
          flags.container,
        );
      }
      break;
    }
    case 'explain': {
      const explained = parseExplainArgs(positionals);
      targets = [explained.target];
      fieldPath = explained.fieldPath;
      break;
    }
    case 'cluster-info':
      if (positionals[0] === 'dump')
        v.forbidden('cluster-info dump is not allowed', 'verb_not_allowed', 'cluster-info dump');
      if (positionals[0] !== undefined)
        v.invalid(`${verb} takes no arguments`, 'unexpected_argument', positionals[0]);
      break;
    case 'top':
      targets = parseTopArgs(positionals, raw, label);
      scoped = targets[0]!.resource === 'pods';
      break;
    case 'rollout':
      subcommand = parseRolloutSubcommand(positionals[0]);
      targets = parseRolloutArgs(positionals.slice(1), subcommand, flags);
      scoped = true;
      break;
    case 'events':
      targets = [{ resource: 'events', group: '', names: [] }];
      scoped = true;
      if (flags.watch && output !== 'table')
        v.invalid('events --watch prints the table here: leave out -o', 'conflicting_flags', '--watch');
      if (positionals[0] !== undefined)
        v.invalid(`${verb} takes no arguments`, 'unexpected_argument', positionals[0]);
      break;
    default:
      if (positionals[0] !== undefined)
        v.invalid(`${verb} takes no arguments`, 'unexpected_argument', positionals[0]);
  }

  const nsFlag = raw.get('namespace');
  const nsValue = nsFlag === undefined ? undefined : v.checkNamespace(nsFlag.value as string, nsFlag.token);
  if (defaultNamespace !== undefined) {
    v.checkNamespace(defaultNamespace, defaultNamespace);
    if (nsValue !== undefined && nsValue !== defaultNamespace) {
      v.invalid('the namespace field and -n disagree', 'conflicting_flags', nsFlag!.token);
    }
  }
  const all = raw.get('all-namespaces')?.value === true;
  if (all && nsValue !== undefined)
    v.invalid('-A and -n exclude each other', 'conflicting_flags', nsFlag!.token);
  if (all && targets.some((t) => t.names.length > 0)) {
    v.invalid('objects cannot be named across all namespaces', 'conflicting_flags', '--all-namespaces');
  }
  const command: Command = {
    id: context.id,
    clusterId: context.clusterId,
    verb,
    targets,
    namespace: scoped && !all ? (nsValue ?? defaultNamespace ?? 'default') : null,
    allNamespaces: scoped && all,
    selectors,
    output,
    flags,
    timeoutMs: context.timeoutMs,
    sessionId: context.sessionId,
    identity: context.identity,
    argv: [],
  };
  if (fieldPath !== undefined) command.fieldPath = fieldPath;
  if (subcommand !== undefined) command.subcommand = subcommand;
  if (context.groups?.length) command.groups = [...context.groups];
  command.argv = formatArgv(command);
  return command;
}

function refuseRolloutWrite(subcommand: string | undefined): void {
  if (subcommand !== undefined && ROLLOUT_WRITES.has(subcommand.toLowerCase())) {
    v.forbidden(
      `rollout ${subcommand} changes the workload and is not allowed: Kubently is read-only (rollout status and history read)`,
      'verb_not_allowed',
      `rollout ${subcommand}`,
    );
  }
}

function parseRolloutSubcommand(token: string | undefined): RolloutSubcommand {
  refuseRolloutWrite(token);
  if (token === undefined)
    return v.invalid('rollout needs a subcommand: status or history', 'missing_argument', 'rollout');
  if (!(ROLLOUT_SUBCOMMANDS as readonly string[]).includes(token)) {
    v.invalid(`unknown rollout subcommand "${token}": use status or history`, 'unknown_subcommand', token);
  }
  return token as RolloutSubcommand;
}

/**
 * rollout status|history: exactly one deployment, daemon set or stateful set, named. Bare `rollout status`
 * follows the rollout until it ends (kubectl's --watch default): a follow command, streamed.
 */
function parseRolloutArgs(
  positionals: readonly string[],
  subcommand: RolloutSubcommand,
  flags: CommandFlags,
): Target[] {
  if (positionals.length === 0)
    v.invalid(`rollout ${subcommand} needs TYPE/NAME, e.g. deployment/web`, 'missing_resource', 'rollout');
  const targets = parseResourceArgs(positionals, `rollout ${subcommand}`);
  const target = targets[0]!;
  if (targets.length !== 1 || target.names.length !== 1) {
    v.invalid(
      `rollout ${subcommand} reads exactly one named object, e.g. deployment/web`,
      'unexpected_argument',
      positionals.join(' '),
    );
  }
  if (!ROLLOUT_RESOURCES.has(target.resource)) {
    v.invalid(
      `rollout ${subcommand} reads deployments, daemonsets and statefulsets, not ${target.resource}`,
      'unsupported_resource',
      positionals[0]!,
    );
  }
  if (subcommand === 'status') {
    if (flags.revision !== undefined)
      v.invalid('--revision is read by rollout history only', 'unknown_flag', '--revision');
  } else if (flags.watch !== undefined) {
    v.invalid('--watch is read by rollout status only', 'unknown_flag', '--watch');
  }
  return targets;
}

/** top pod|node [NAME]: kubectl top's two subcommands, with the flags each takes. */
function parseTopArgs(
  positionals: readonly string[],
  raw: Map<string, ReadFlag>,
  label: string | undefined,
): Target[] {
  const [typed, name, extra] = positionals;
  if (typed === undefined)
    return v.invalid('top needs pod or node, e.g. "top pods"', 'missing_resource', 'top');
  if (extra !== undefined) v.invalid('top takes a type and at most one name', 'unexpected_argument', extra);
  const type = resolveType(typed, typed);
  if (type.resource !== 'pods' && type.resource !== 'nodes')
    v.invalid(`top reads pods and nodes, not ${type.resource}`, 'unsupported_resource', typed);
  if (name !== undefined) {
    v.checkObjectName(name, name);
    if (label !== undefined)
      v.invalid('only one of NAME or --selector can be provided', 'conflicting_flags', name);
  }
  if (type.resource === 'nodes') {
    for (const pods of ['namespace', 'all-namespaces', 'containers'] as const) {
      const given = raw.get(pods);
      if (given !== undefined) v.invalid(`top nodes takes no --${pods}`, 'unknown_flag', given.token);
    }
  }
  return [{ resource: type.resource, group: type.group, names: name === undefined ? [] : [name] }];
}

/**
 * What `get -w` takes here: one resource type (kubectl: "watch is only supported on individual resources and
 * resource collections"), at most one name, a table (the default or -o wide), no --sort-by.
 */
function checkWatch(targets: readonly Target[], output: OutputFormat, flags: CommandFlags): void {
  const flag = flags.watchOnly ? '--watch-only' : '--watch';
  if (targets.length !== 1 || targets[0]!.names.length > 1)
    v.invalid(`${flag} watches one resource type or one object`, 'conflicting_flags', flag);
  if (output !== 'table' && output !== 'wide')
    v.invalid(`${flag} prints tables here: use the default output or -o wide`, 'conflicting_flags', flag);
  if (flags.sortBy !== undefined)
    v.invalid(`${flag} cannot be combined with --sort-by`, 'conflicting_flags', flag);
}

const NAMESPACED: ReadonlySet<string> = new Set(
  RESOURCE_TYPES.filter((t) => t.namespaced).map((t) => t.resource),
);
// A custom type's scope is known only to discovery: it is read in the namespace like a namespaced one.
const isNamespaced = (t: Target): boolean => t.custom === true || NAMESPACED.has(t.resource);

/** Throws unless `err` is one of the parser's rejections; returns its rule and token. */
export function rejectionOf(err: unknown): { code: string; rule: string; token: string; message: string } {
  if (
    !(err instanceof KubentlyError) ||
    (err.code !== 'invalid_command' && err.code !== 'unauthorized_command')
  ) {
    throw err;
  }
  return {
    code: err.code,
    rule: String(err.details?.rule ?? err.code),
    token: String(err.details?.token ?? ''),
    message: err.message,
  };
}
