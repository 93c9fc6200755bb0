// The kubectl subset Kubently understands: which flags each verb takes, which verbs and flags exist
// in kubectl but are never allowed, and which output formats are templates. Everything else is unknown.

import type { OutputFormat, Verb } from './types.js';

export type FlagKind = 'bool' | 'value';

export interface FlagSpec {
  /** The long name, also the canonical spelling in a normalized argv. */
  long: string;
  short?: string;
  kind: FlagKind;
}

function flag(long: string, kind: FlagKind, short?: string): FlagSpec {
  return short === undefined ? { long, kind } : { long, kind, short };
}

const namespace = flag('namespace', 'value', 'n');
const allNamespaces = flag('all-namespaces', 'bool', 'A');
const selector = flag('selector', 'value', 'l');
const output = flag('output', 'value', 'o');
const noHeaders = flag('no-headers', 'bool');
const chunkSize = flag('chunk-size', 'value');
const limit = flag('limit', 'value');
const sortBy = flag('sort-by', 'value');

export interface VerbGrammar {
  flags: readonly FlagSpec[];
  /** Output formats besides the default table; empty means the verb takes no -o. */
  outputs: readonly OutputFormat[];
}

export const GRAMMAR: Readonly<Record<Verb, VerbGrammar>> = {
  get: {
    flags: [
      namespace,
      allNamespaces,
      selector,
      flag('field-selector', 'value'),
      output,
      flag('show-labels', 'bool'),
      sortBy,
      noHeaders,
      chunkSize,
      limit,
      flag('watch', 'bool', 'w'),
      flag('watch-only', 'bool'),
    ],
    outputs: ['json', 'yaml', 'wide', 'name'],
  },
  describe: { flags: [namespace, allNamespaces, selector], outputs: [] },
  logs: {
    flags: [
      namespace,
      selector,
      flag('container', 'value', 'c'),
      flag('tail', 'value'),
      flag('since', 'value'),
      flag('previous', 'bool', 'p'),
      flag('timestamps', 'bool'),
      flag('all-containers', 'bool'),
      flag('prefix', 'bool'),
      flag('follow', 'bool', 'f'),
    ],
    outputs: [],
  },
  events: {
    flags: [
      namespace,
      allNamespaces,
      output,
      flag('for', 'value'),
      flag('types', 'value'),
      noHeaders,
      chunkSize,
      limit,
      flag('watch', 'bool', 'w'),
    ],
    outputs: ['json', 'yaml'],
  },
  explain: { flags: [flag('recursive', 'bool')], outputs: [] },
  version: { flags: [output], outputs: ['json', 'yaml'] },
  'cluster-info': { flags: [], outputs: [] },
  'api-resources': {
    flags: [flag('namespaced', 'bool'), flag('api-group', 'value'), output, noHeaders],
    outputs: ['wide', 'name'],
  },
  'api-versions': { flags: [], outputs: [] },
  top: {
    flags: [namespace, allNamespaces, selector, sortBy, flag('containers', 'bool'), noHeaders],
    outputs: [],
  },
  rollout: {
    flags: [namespace, flag('watch', 'bool', 'w'), flag('revision', 'value')],
    outputs: [],
  },
};

export interface FlagTable {
  long: ReadonlyMap<string, FlagSpec>;
  short: ReadonlyMap<string, FlagSpec>;
}

function table(flags: readonly FlagSpec[]): FlagTable {
  const long = new Map<string, FlagSpec>();
  const short = new Map<string, FlagSpec>();
  for (const f of flags) {
    long.set(f.long, f);
    if (f.short) short.set(f.short, f);
  }
  return { long, short };
}

export const FLAG_TABLES: Readonly<Record<Verb, FlagTable>> = Object.fromEntries(
  Object.entries(GRAMMAR).map(([verb, g]) => [verb, table(g.flags)]),
) as Record<Verb, FlagTable>;

/** Every flag of every verb: used only to skip flags written before the verb. */
export const ANY_VERB_FLAGS: FlagTable = table(Object.values(GRAMMAR).flatMap((g) => g.flags));

/** kubectl verbs that exist but change state, open streams or reveal credentials: a 403, not a 400. */
export const FORBIDDEN_VERBS: ReadonlySet<string> = new Set([
  'create',
  'expose',
  'run',
  'set',
  'delete',
  'edit',
  'apply',
  'patch',
  'replace',
  'scale',
  'autoscale',
  'label',
  'annotate',
  'exec',
  'attach',
  'port-forward',
  'proxy',
  'cp',
  'auth',
  'debug',
  'drain',
  'cordon',
  'uncordon',
  'taint',
  'certificate',
  'config',
  'plugin',
  'kustomize',
  'wait',
  'diff',
  'completion',
  'alpha',
  'options',
  'convert',
  'rolling-update',
]);

/**
 * Flags that change where or as whom a command runs, read or write local files, or print raw
 * responses. Matched after lower-casing and `_` → `-` (kubectl normalizes word separators).
 * --request-timeout is here because the timeout comes from timeout_seconds and the policy only.
 */
export const FORBIDDEN_LONG_FLAGS: ReadonlySet<string> = new Set([
  'server',
  'kubeconfig',
  'token',
  'as',
  'as-group',
  'as-uid',
  'context',
  'cluster',
  'user',
  'username',
  'password',
  'insecure-skip-tls-verify',
  'certificate-authority',
  'client-certificate',
  'client-key',
  'tls-server-name',
  'filename',
  'kustomize',
  'recursive-filename',
  'raw',
  'export',
  'dry-run',
  'template',
  'allow-missing-template-keys',
  'cache-dir',
  'request-timeout',
  'profile',
  'profile-output',
  'log-file',
  'log-dir',
  'log-file-max-size',
  'logtostderr',
  'alsologtostderr',
  'v',
  'vmodule',
  'disable-compression',
  'match-server-version',
  'warnings-as-errors',
  'plugin-dir',
]);

/**
 * -s (server), -f (filename), -k (kustomize), -v (verbosity). A verb whose grammar gives one of these letters a
 * meaning takes it in that meaning: `logs -f` follows (and streams), `get -f` stays a refused filename.
 */
export const FORBIDDEN_SHORT_FLAGS: ReadonlySet<string> = new Set(['s', 'f', 'k', 'v']);

/** `-o` values that are templates or read files; compared on the part before `=`. */
export const TEMPLATE_OUTPUTS: ReadonlySet<string> = new Set([
  'go-template',
  'go-template-file',
  'template',
  'templatefile',
  'jsonpath',
  'jsonpath-file',
  'jsonpath-as-json',
  'custom-columns',
  'custom-columns-file',
]);
