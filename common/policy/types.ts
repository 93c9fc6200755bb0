// The command policy: the YAML document an operator writes, and the compiled form evaluated per command.

import type { Verb } from '../command/types.js';
import type { Matcher } from './glob.js';

export const PRESET_NAMES = ['strict', 'readOnly', 'troubleshoot'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface LimitsDocument {
  maxOutputBytes?: number;
  logTail?: { default?: number; max?: number };
  timeoutSeconds?: { default?: number; max?: number };
  /** Follow commands (logs -f, get -w, events --watch): how long and how many output bytes one may stream. */
  stream?: { maxSeconds?: number; maxBytes?: number };
}

/** What a policy file, or one entry of its `clusters` map, may say. Every part narrows. */
export interface PolicyLayerDocument {
  verbs?: Verb[];
  /** Per verb: canonical names or aliases, `pods/log` for logs, `'*'` for any type except secrets. */
  resources?: Partial<Record<Verb, string[]>>;
  namespaces?: { allow?: string[]; deny?: string[] };
  /** API-key identities (names or globs, `'*'` for the rest) → the clusters and namespaces they may use. */
  identities?: Record<string, { clusters?: string[]; namespaces?: string[] }>;
  limits?: LimitsDocument;
  /**
   * Custom resources (types outside common/resources.ts) that get and describe may read, by API group
   * glob (`cert-manager.io`, `*.example.com`). Opt-in: only a standalone policy or one extending
   * troubleshoot may start a list; further layers narrow it. The core group never matches.
   */
  customResources?: { groups?: string[] };
  /** `true` (the only value): get and describe may read ConfigMaps, an opt-in like customResources. */
  configMaps?: boolean;
}

export interface PolicyDocument extends PolicyLayerDocument {
  name?: string;
  description?: string;
  extends?: PresetName;
  clusters?: Record<string, PolicyLayerDocument>;
}

/** 'any' allows every type except secrets; a set lists canonical names (and `pods/log`). */
export type ResourceRule = 'any' | ReadonlySet<string>;

export interface NamespaceRule {
  allow: Matcher;
  deny: Matcher;
}

export interface IdentityEntry {
  clusters: Matcher;
  namespaces: Matcher;
}

/** One policy layer's identities: exact names first, then globs in file order, then `'*'`. */
export interface IdentityRule {
  exact: ReadonlyMap<string, IdentityEntry>;
  globs: ReadonlyArray<{ match: Matcher; entry: IdentityEntry }>;
  fallback: IdentityEntry | undefined;
}

export interface PolicyLimits {
  maxOutputBytes: number;
  logTailDefault: number;
  logTailMax: number;
  timeoutDefaultMs: number;
  timeoutMaxMs: number;
  /** The longest a follow command streams, in ms (then it ends with `max_duration`). */
  streamMaxMs: number;
  /** The most output bytes a follow command streams (then it ends with `max_bytes`). */
  streamMaxBytes: number;
}

export interface Policy {
  readonly name: string;
  /** The preset this policy is or extends; null for a standalone policy. */
  readonly preset: PresetName | null;
  /** File name or `preset:<name>`, for messages. */
  readonly source: string;
  readonly verbs: ReadonlySet<Verb>;
  /** A verb without an entry reads no restricted resource list (any type except secrets). */
  readonly resources: ReadonlyMap<Verb, ResourceRule>;
  /** A namespace must pass every rule (one per layer that had `namespaces`). */
  readonly namespaceRules: readonly NamespaceRule[];
  /** An identity must pass every rule (one per layer that had `identities`). */
  readonly identityRules: readonly IdentityRule[];
  /**
   * API groups of custom resources: a group must match every rule (one per layer that had
   * `customResources.groups`); no rule at all means no custom resource is readable.
   */
  readonly customGroupRules: readonly Matcher[];
  readonly limits: PolicyLimits;
  /** Per-cluster layers, applied by policyForCluster. */
  readonly clusters: ReadonlyMap<string, readonly Policy[]>;
  /** policyForCluster's results, computed once per cluster id. */
  readonly byCluster: Map<string, Policy>;
}

export interface Decision {
  allowed: boolean;
  rule: string;
  reason: string;
  token?: string;
}
