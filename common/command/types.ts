// The typed Command: what a validated kubectl-style request becomes (docs/policy.md, "How a command is read").

import type { OutputView } from './output-view.js';

export const VERBS = [
  'get',
  'describe',
  'logs',
  'events',
  'explain',
  'version',
  'cluster-info',
  'api-resources',
  'api-versions',
  'top',
  'rollout',
] as const;
export type Verb = (typeof VERBS)[number];

/** The rollout subcommands that only read; restart, undo, pause and resume are writes and refused. */
export const ROLLOUT_SUBCOMMANDS = ['status', 'history'] as const;
export type RolloutSubcommand = (typeof ROLLOUT_SUBCOMMANDS)[number];

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** One resource type a command reads, with the object names given for it (none means "all"). */
export interface Target {
  /** Canonical plural from common/resources.ts, e.g. 'pods'. */
  resource: string;
  /**
   * API group ('' for core) so the agent needs no lookup. For a custom target, the group the user typed,
   * or '' for a bare name that only the agent's discovery can resolve.
   */
  group: string;
  names: string[];
  /**
   * A type outside common/resources.ts (a custom resource): `resource` is the name as typed (lowercase,
   * the plural when a group is given); the agent resolves it through discovery and checks its group.
   */
  custom?: true;
}

export interface CommandFlags {
  showLabels?: boolean;
  sortBy?: string;
  noHeaders?: boolean;
  /** Kubently's --limit: return at most this many objects (one list call, no continuation). */
  limit?: number;
  /** kubectl's --chunk-size: page size of list calls; every page is still read. */
  chunkSize?: number;
  // logs
  container?: string;
  tail?: number;
  since?: string;
  sinceSeconds?: number;
  previous?: boolean;
  timestamps?: boolean;
  allContainers?: boolean;
  /** logs --prefix: each line starts with `[pod/NAME/CONTAINER] `. */
  prefix?: boolean;
  /** logs -f: keep reading as the container writes (a follow command, streamed). */
  follow?: boolean;
  // get
  /** get --watch-only: changes only, without the list first. */
  watchOnly?: boolean;
  // explain
  recursive?: boolean;
  // events
  forObject?: string;
  types?: string[];
  // api-resources
  namespaced?: boolean;
  apiGroup?: string;
  // top
  containers?: boolean;
  // rollout
  /**
   * get -w: print changes as they happen after the list (a follow command, streamed). rollout status: false
   * reads the status once; true (kubectl's default) would follow it.
   */
  watch?: boolean;
  /** rollout history: the revision to show in full. */
  revision?: number;
}

export interface Command {
  id: string;
  clusterId: string;
  verb: Verb;
  /** Empty for verbs that read no resource (version, api-versions, ...). */
  targets: Target[];
  /** For explain: the field path after the resource, e.g. 'spec.containers'. */
  fieldPath?: string;
  /** For rollout: which read-only subcommand. */
  subcommand?: RolloutSubcommand;
  /** null when allNamespaces is set, or the verb is cluster-scoped. */
  namespace: string | null;
  allNamespaces: boolean;
  selectors: { label?: string; field?: string };
  output: OutputFormat;
  flags: CommandFlags;
  timeoutMs: number;
  sessionId: string | null;
  /** The identity on whose behalf the command runs: an API key's service name or an OIDC token's person. */
  identity: string;
  /** The caller's group identities (`group:<name>`, from an OIDC token); the policy grants what any allows. */
  groups?: string[];
  /** The normalized kubectl argv, without the leading `kubectl`; parsing it gives this command back. */
  argv: string[];
  /** What the caller asked the agent to leave out (grep, a smaller output cap); not part of the argv. */
  view?: OutputView;
}
