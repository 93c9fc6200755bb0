// Policy documents → compiled policies. Every layer (a preset, the file that extends it, a cluster
// override, another component's policy) can only narrow: verbs and resources intersect, namespace and
// identity rules stack (all must pass), limits take the smaller maximum.

import { VERBS, type Verb } from '../command/types.js';
import { POD_LOG_SUBRESOURCE, resolveResourceType } from '../resources.js';
import { compileGlobs, type Matcher, matches } from './glob.js';
import { DEFAULT_MAX_OUTPUT_BYTES, PRESET_DOCUMENTS, PRESET_OPT_INS } from './presets.js';
import type {
  IdentityEntry,
  IdentityRule,
  LimitsDocument,
  Policy,
  PolicyDocument,
  PolicyLayerDocument,
  PolicyLimits,
  PresetName,
  ResourceRule,
} from './types.js';

/** Reports a semantic error at a path of the document; the loader turns the path into line:column. */
export type Fail = (path: readonly (string | number)[], message: string) => never;

/** Limits of a standalone policy that names none (the readOnly values). */
export const DEFAULT_LOG_TAIL = 500;
export const DEFAULT_LOG_TAIL_MAX = 10_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_TIMEOUT_MAX_MS = 120_000;
/** How long one follow command (logs -f, get -w) may stream: limits.stream.maxSeconds. */
export const DEFAULT_STREAM_MAX_MS = 300_000;
/** How many output bytes one follow command may stream: limits.stream.maxBytes (10 MiB). */
export const DEFAULT_STREAM_MAX_BYTES = 10 * 1024 * 1024;

/** Verbs that read named resource types and so need a resource list in a standalone policy. */
const RESOURCE_VERBS: readonly Verb[] = ['get', 'describe', 'logs', 'top', 'rollout'];

function compileResources(
  verb: Verb,
  list: readonly string[],
  path: (string | number)[],
  fail: Fail,
): ResourceRule {
  const set = new Set<string>();
  let any = false;
  for (const [i, item] of list.entries()) {
    if (item === '*') {
      any = true;
    } else if (verb === 'logs') {
      if (item !== POD_LOG_SUBRESOURCE)
        fail([...path, i], `logs reads ${POD_LOG_SUBRESOURCE} only, not "${item}"`);
      set.add(item);
    } else {
      const type = resolveResourceType(item);
      if (!type) fail([...path, i], `unknown resource type "${item}"`);
      if (type.resource === 'secrets') fail([...path, i], 'secrets can never be allowed');
      set.add(type.resource);
    }
  }
  return any ? 'any' : set;
}

function compileIdentities(doc: NonNullable<PolicyLayerDocument['identities']>): IdentityRule {
  const exact = new Map<string, IdentityEntry>();
  const globs: { match: Matcher; entry: IdentityEntry }[] = [];
  let fallback: IdentityEntry | undefined;
  for (const [name, value] of Object.entries(doc)) {
    const entry: IdentityEntry = {
      clusters: compileGlobs(value.clusters ?? ['*']),
      namespaces: compileGlobs(value.namespaces ?? ['*']),
    };
    if (name === '*') fallback = entry;
    else if (/[*?]/.test(name)) globs.push({ match: compileGlobs([name]), entry });
    else exact.set(name, entry);
  }
  return { exact, globs, fallback };
}

function namedEntry(rule: IdentityRule, name: string): IdentityEntry | undefined {
  const exact = rule.exact.get(name);
  if (exact) return exact;
  for (const g of rule.globs) if (matches(g.match, name)) return g.entry;
  return undefined;
}

/**
 * The entries that apply to a caller: the one naming its identity and one per group identity
 * (`group:<name>`, exact or glob) that an entry names; `'*'` only when none does. A caller is allowed
 * what any one of these entries allows (a person gets what each of their groups gets).
 */
export function identityEntries(
  rule: IdentityRule,
  identity: string,
  groups: readonly string[],
): IdentityEntry[] {
  const found: IdentityEntry[] = [];
  for (const name of [identity, ...groups]) {
    const entry = namedEntry(rule, name);
    if (entry) found.push(entry);
  }
  return found.length > 0 ? found : rule.fallback ? [rule.fallback] : [];
}

function bounds(
  doc: { default?: number; max?: number } | undefined,
  scale: number,
  path: (string | number)[],
  fail: Fail,
): [number, number] {
  const def = doc?.default === undefined ? Number.POSITIVE_INFINITY : doc.default * scale;
  const max = doc?.max === undefined ? Number.POSITIVE_INFINITY : doc.max * scale;
  if (def > max && Number.isFinite(def)) fail([...path, 'default'], 'default is larger than max');
  return [def, max];
}

function compileLimits(doc: LimitsDocument | undefined, path: (string | number)[], fail: Fail): PolicyLimits {
  const [logTailDefault, logTailMax] = bounds(doc?.logTail, 1, [...path, 'logTail'], fail);
  const [timeoutDefaultMs, timeoutMaxMs] = bounds(
    doc?.timeoutSeconds,
    1000,
    [...path, 'timeoutSeconds'],
    fail,
  );
  const maxOutputBytes = doc?.maxOutputBytes ?? Number.POSITIVE_INFINITY;
  const streamMaxMs =
    doc?.stream?.maxSeconds === undefined ? Number.POSITIVE_INFINITY : doc.stream.maxSeconds * 1000;
  const streamMaxBytes = doc?.stream?.maxBytes ?? Number.POSITIVE_INFINITY;
  return {
    maxOutputBytes,
    logTailDefault,
    logTailMax,
    timeoutDefaultMs,
    timeoutMaxMs,
    streamMaxMs,
    streamMaxBytes,
  };
}

interface Meta {
  name: string;
  preset: PresetName | null;
  source: string;
}

/** A layer alone: what it does not mention is left open, for combine() to take from the other side. */
function compileLayer(doc: PolicyLayerDocument, path: (string | number)[], fail: Fail, meta: Meta): Policy {
  const resources = new Map<Verb, ResourceRule>();
  for (const [verb, list] of Object.entries(doc.resources ?? {})) {
    resources.set(
      verb as Verb,
      compileResources(verb as Verb, list ?? [], [...path, 'resources', verb], fail),
    );
  }
  return {
    ...meta,
    verbs: new Set(doc.verbs ?? VERBS),
    resources,
    namespaceRules: doc.namespaces
      ? [
          {
            allow: compileGlobs(doc.namespaces.allow ?? ['*']),
            deny: compileGlobs(doc.namespaces.deny ?? []),
          },
        ]
      : [],
    identityRules: doc.identities ? [compileIdentities(doc.identities)] : [],
    customGroupRules: doc.customResources?.groups ? [compileGlobs(doc.customResources.groups)] : [],
    limits: compileLimits(doc.limits, [...path, 'limits'], fail),
    clusters: new Map(),
    byCluster: new Map(),
  };
}

function intersect(a: ResourceRule | undefined, b: ResourceRule | undefined): ResourceRule {
  if (a === undefined || a === 'any') return b ?? 'any';
  if (b === undefined || b === 'any') return a;
  return new Set([...a].filter((r) => b.has(r)));
}

/** The policy that allows only what both a and b allow; metadata comes from `meta` or a. */
export function combine(a: Policy, b: Policy, meta?: Meta): Policy {
  const verbs = new Set([...a.verbs].filter((v) => b.verbs.has(v)));
  const resources = new Map<Verb, ResourceRule>();
  for (const verb of verbs) {
    const rule = intersect(a.resources.get(verb), b.resources.get(verb));
    if (rule !== 'any') resources.set(verb, rule);
  }
  const tailMax = Math.min(a.limits.logTailMax, b.limits.logTailMax);
  const timeoutMax = Math.min(a.limits.timeoutMaxMs, b.limits.timeoutMaxMs);
  const pick = (x: number, y: number): number => (Number.isFinite(y) ? y : x);
  const clusters = new Map<string, Policy[]>();
  for (const [id, layers] of [...a.clusters, ...b.clusters])
    clusters.set(id, [...(clusters.get(id) ?? []), ...layers]);
  return {
    name: meta?.name ?? a.name,
    preset: meta ? meta.preset : a.preset,
    source: meta?.source ?? a.source,
    verbs,
    resources,
    namespaceRules: [...a.namespaceRules, ...b.namespaceRules],
    identityRules: [...a.identityRules, ...b.identityRules],
    customGroupRules: [...a.customGroupRules, ...b.customGroupRules],
    limits: {
      maxOutputBytes: Math.min(a.limits.maxOutputBytes, b.limits.maxOutputBytes),
      logTailMax: tailMax,
      logTailDefault: Math.min(pick(a.limits.logTailDefault, b.limits.logTailDefault), tailMax),
      timeoutMaxMs: timeoutMax,
      timeoutDefaultMs: Math.min(pick(a.limits.timeoutDefaultMs, b.limits.timeoutDefaultMs), timeoutMax),
      streamMaxMs: Math.min(a.limits.streamMaxMs, b.limits.streamMaxMs),
      streamMaxBytes: Math.min(a.limits.streamMaxBytes, b.limits.streamMaxBytes),
    },
    clusters,
    byCluster: new Map(),
  };
}

function standaloneBase(source: string): Policy {
  return {
    name: 'base',
    preset: null,
    source,
    verbs: new Set(VERBS),
    resources: new Map(),
    namespaceRules: [],
    identityRules: [],
    customGroupRules: [],
    limits: {
      maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
      logTailDefault: DEFAULT_LOG_TAIL,
      logTailMax: DEFAULT_LOG_TAIL_MAX,
      timeoutDefaultMs: DEFAULT_TIMEOUT_MS,
      timeoutMaxMs: DEFAULT_TIMEOUT_MAX_MS,
      streamMaxMs: DEFAULT_STREAM_MAX_MS,
      streamMaxBytes: DEFAULT_STREAM_MAX_BYTES,
    },
    clusters: new Map(),
    byCluster: new Map(),
  };
}

/**
 * A layer that names a verb or resource its base does not allow would silently allow nothing;
 * say so at load instead, since it is almost certainly an attempt to widen.
 */
function checkNarrows(
  base: Policy,
  doc: PolicyLayerDocument,
  path: (string | number)[],
  fail: Fail,
  optIns: { configMaps: boolean; customResources: boolean },
): void {
  if (doc.customResources?.groups && base.customGroupRules.length === 0 && !optIns.customResources) {
    fail(
      [...path, 'customResources'],
      `${base.name} allows no custom resources; extend troubleshoot or write a standalone policy`,
    );
  }
  if (doc.configMaps && !optIns.configMaps && !READ_VERBS.every((v) => allowsConfigMaps(base, v))) {
    fail(
      [...path, 'configMaps'],
      `${base.name} allows no ConfigMaps; extend troubleshoot or write a standalone policy`,
    );
  }
  for (const [i, verb] of (doc.verbs ?? []).entries()) {
    if (!base.verbs.has(verb))
      fail([...path, 'verbs', i], `${verb} is not allowed by ${base.name}; a layer can only narrow`);
  }
  for (const [verb, list] of Object.entries(doc.resources ?? {})) {
    const rule = base.resources.get(verb as Verb);
    if (!base.verbs.has(verb as Verb))
      fail([...path, 'resources', verb], `${verb} is not allowed by ${base.name}`);
    if (rule === undefined || rule === 'any') continue;
    for (const [i, item] of (list ?? []).entries()) {
      const name = item === '*' || verb === 'logs' ? item : resolveResourceType(item)?.resource;
      if (name === '*' || (name !== undefined && !rule.has(name))) {
        fail(
          [...path, 'resources', verb, i],
          `${item} is not allowed by ${base.name} for ${verb}; a layer can only narrow`,
        );
      }
    }
  }
}

/** The verbs that read ConfigMaps and custom resources once a policy opts in. */
const READ_VERBS: readonly Verb[] = ['get', 'describe'];

const NO_OPT_INS = { configMaps: false, customResources: false };

function allowsConfigMaps(policy: Policy, verb: Verb): boolean {
  const rule = policy.resources.get(verb);
  return policy.verbs.has(verb) && (rule === undefined || rule === 'any' || rule.has('configmaps'));
}

/** The policy with ConfigMaps added to the resource lists of get and describe (where it lists types). */
function withConfigMaps(policy: Policy): Policy {
  const resources = new Map(policy.resources);
  for (const verb of READ_VERBS) {
    const rule = resources.get(verb);
    if (rule !== undefined && rule !== 'any') resources.set(verb, new Set([...rule, 'configmaps']));
  }
  return { ...policy, resources };
}

/** Compiles a schema-valid document. `presetOf` names the preset when the document is one. */
export function compileDocument(
  doc: PolicyDocument,
  source: string,
  fail: Fail,
  presetOf?: PresetName,
): Policy {
  const meta: Meta = {
    name: doc.name ?? doc.extends ?? 'custom',
    preset: presetOf ?? doc.extends ?? null,
    source,
  };
  if (!doc.extends && !doc.verbs) fail([], 'a policy without "extends" must list its verbs');
  const preset = doc.extends ? PRESETS[doc.extends] : undefined;
  const layer = compileLayer(doc, [], fail, meta);
  if (preset && doc.extends) checkNarrows(preset, doc, [], fail, PRESET_OPT_INS[doc.extends]);
  // An opt-in widens the base before the file narrows it: the file's own lists still apply.
  const base = preset ?? standaloneBase(source);
  let policy = combine(doc.configMaps && preset ? withConfigMaps(base) : base, layer, meta);
  if (doc.configMaps && !preset) policy = withConfigMaps(policy);
  if (!doc.extends) {
    for (const verb of RESOURCE_VERBS) {
      if (policy.verbs.has(verb) && !doc.resources?.[verb]) {
        fail(['verbs'], `a policy without "extends" that allows ${verb} must list resources.${verb}`);
      }
    }
  }
  const clusters = policy.clusters as Map<string, Policy[]>;
  for (const [id, layer] of Object.entries(doc.clusters ?? {})) {
    checkNarrows(policy, layer, ['clusters', id], fail, NO_OPT_INS);
    clusters.set(id, [compileLayer(layer, ['clusters', id], fail, meta)]);
  }
  return policy;
}

const presetFail: Fail = (path, message) => {
  throw new Error(`preset is invalid at ${path.join('.')}: ${message}`);
};

/** The compiled presets: constants derived from constants, built once. */
export const PRESETS: Readonly<Record<PresetName, Policy>> = {
  strict: compileDocument(PRESET_DOCUMENTS.strict, 'preset:strict', presetFail, 'strict'),
  readOnly: compileDocument(PRESET_DOCUMENTS.readOnly, 'preset:readOnly', presetFail, 'readOnly'),
  troubleshoot: compileDocument(
    PRESET_DOCUMENTS.troubleshoot,
    'preset:troubleshoot',
    presetFail,
    'troubleshoot',
  ),
};
