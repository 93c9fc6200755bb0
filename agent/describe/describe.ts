// `kubectl describe` in process: resolves the command's targets to objects the way kubectl's
// resource builder does, runs the kind's describer on each and joins the results as kubectl prints them.

import { setMaxListeners } from 'node:events';
import type { Command, Target } from '../../common/command/types.js';
import {
  apiVersionOf,
  collectionPath,
  RESOURCE_TYPES,
  type ResourceType,
  resolveResourceType,
} from '../../common/resources.js';
import { BudgetExceededError } from '../budget.js';
import { isAbortError } from '../kube-client.js';
import { assertPrintable } from '../printers/printed-size.js';
import { describeHorizontalPodAutoscaler } from './autoscaling.js';
import { describeCronJob, describeJob } from './batch.js';
import { describeIngressClass, describePriorityClass } from './cluster-classes.js';
import { type DescribeContext, getObject, listPages } from './context.js';
import { describePodDisruptionBudget } from './disruption-budget.js';
import { describeEndpointSlice } from './endpoint-slice.js';
import type { ApiObject, Stored } from './format.js';
import { describeGeneric } from './generic.js';
import { errorText, isNotFound, type KubeReader, kubectlErrorLine } from './kube-reader.js';
import { describeLimitRange } from './limit-range.js';
import { describeNamespace } from './namespace.js';
import { describeEndpoints, describeIngress, describeService } from './network.js';
import { describeNode } from './node.js';
import { describePod } from './pod.js';
import { describeRole, describeRoleBinding } from './rbac.js';
import { describeResourceQuota } from './resource-quota.js';
import { describeServiceAccount } from './service-account.js';
import { describePersistentVolumeClaim } from './volume-claim.js';
import {
  describeDaemonSet,
  describeDeployment,
  describeReplicaSet,
  describeStatefulSet,
} from './workloads.js';

type Describer = (ctx: DescribeContext, obj: Stored<ApiObject>) => Promise<string>;

/** The table key names the resource, so the object handed to a kind's describer is of that kind. */
const forKind = <T>(describer: (ctx: DescribeContext, obj: Stored<T>) => Promise<string>) =>
  describer as unknown as Describer;

const DESCRIBERS: Record<string, Describer> = {
  pods: forKind(describePod),
  nodes: forKind(describeNode),
  services: forKind(describeService),
  endpoints: forKind(describeEndpoints),
  deployments: forKind(describeDeployment),
  replicasets: forKind(describeReplicaSet),
  daemonsets: forKind(describeDaemonSet),
  statefulsets: forKind(describeStatefulSet),
  namespaces: forKind(describeNamespace),
  ingresses: forKind(describeIngress),
  jobs: forKind(describeJob),
  cronjobs: forKind(describeCronJob),
  persistentvolumeclaims: forKind(describePersistentVolumeClaim),
  horizontalpodautoscalers: forKind(describeHorizontalPodAutoscaler),
  poddisruptionbudgets: forKind(describePodDisruptionBudget),
  resourcequotas: forKind(describeResourceQuota),
  serviceaccounts: forKind(describeServiceAccount),
  roles: forKind(describeRole),
  clusterroles: forKind(describeRole),
  rolebindings: forKind(describeRoleBinding),
  clusterrolebindings: forKind(describeRoleBinding),
  limitranges: forKind(describeLimitRange),
  endpointslices: forKind(describeEndpointSlice),
  ingressclasses: forKind(describeIngressClass),
  priorityclasses: forKind(describePriorityClass),
  // kubectl has no typed describer for these: its generic one prints every field.
  events: describeGeneric,
  customresourcedefinitions: describeGeneric,
};

export const DESCRIBABLE_RESOURCES = Object.keys(DESCRIBERS);

const CATALOG = new Set(RESOURCE_TYPES.map((t) => `${t.group}/${t.resource}`));

/** The kind's describer; a type outside the catalog (a custom resource) gets kubectl's generic one. */
function describerOf(type: ResourceType): Describer {
  const typed = CATALOG.has(`${type.group}/${type.resource}`) ? DESCRIBERS[type.resource] : undefined;
  return typed ?? describeGeneric;
}

/** Objects described at once; each fans out into a few reads of its own. */
const OBJECT_CONCURRENCY = 8;

export interface DescribeResult {
  output: string;
  error: string | null;
  /** Objects were left out: the output limit was reached, or a budget ran out (`truncatedBecause`). */
  truncated?: boolean;
  truncatedBecause?: string;
}

interface Item {
  type: ResourceType;
  obj: Stored<ApiObject>;
}

/** Flags of `kubectl describe` that take the next argv token as their value. */
const VALUE_FLAGS = new Set([
  '-n',
  '--namespace',
  '-l',
  '--selector',
  '--chunk-size',
  '-f',
  '--filename',
  '-k',
  '--kustomize',
]);

/** kubectl's len(BuilderArgs): the positional arguments after the verb. */
function builderArgCount(argv: string[]): number {
  let count = 0;
  for (let i = argv[0] === 'describe' ? 1 : 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('-')) {
      if (VALUE_FLAGS.has(a)) i++;
      continue;
    }
    count++;
  }
  return count;
}

/**
 * Describers' texts in object order, at most OBJECT_CONCURRENCY objects at a time. Once the texts pass
 * `maxBytes` no further object is started: nothing beyond the output limit would be shown.
 */
class Described {
  readonly texts: string[] = [];
  readonly errors: unknown[] = [];
  private bytes = 0;
  constructor(readonly maxOutputBytes: number) {}

  get full(): boolean {
    return this.bytes > this.maxOutputBytes;
  }

  async add(ctx: DescribeContext, items: Item[]): Promise<void> {
    const results: ({ text: string } | { err: unknown } | undefined)[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length && !this.full) {
        const i = next++;
        const { type, obj } = items[i] as Item;
        try {
          // A custom resource's fields are printed whole by the generic describer, indented by depth.
          assertPrintable(obj, this.maxOutputBytes);
          const text = await describerOf(type)(ctx, obj);
          this.bytes += text.length + 2;
          results[i] = { text };
        } catch (err) {
          if (isAbortError(err) || ctx.signal.aborted) throw err;
          results[i] = { err };
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(OBJECT_CONCURRENCY, items.length) }, worker));
    } finally {
      // Kept in object order up to the first object not described (stopped, or aborted mid-way).
      for (const r of results) {
        if (r === undefined) break;
        if ('text' in r) this.texts.push(r.text);
        else this.errors.push(r.err);
      }
    }
  }
}

function objectPath(type: ResourceType, namespace: string, name: string): string {
  return `${collectionPath(type, type.namespaced ? namespace : null)}/${encodeURIComponent(name)}`;
}

/** List items carry no kind; kubectl's describers work on objects that do. */
function withKind(type: ResourceType, obj: Stored<ApiObject>): Stored<ApiObject> {
  return { apiVersion: apiVersionOf(type), kind: type.kind, ...obj };
}

/**
 * `custom` holds the served types (from discovery, checked by the agent's policy) of the command's custom
 * targets; kubectl describes a custom resource with its generic describer.
 */
export async function describe(
  reader: KubeReader,
  command: Command,
  signal: AbortSignal,
  now: () => number = Date.now,
  maxOutputBytes: number = Number.POSITIVE_INFINITY,
  custom: ReadonlyMap<Target, readonly ResourceType[]> = new Map(),
): Promise<DescribeResult> {
  // Every concurrent request listens on the signal; a child signal keeps Node's leak warning quiet
  // without touching the caller's.
  const local = new AbortController();
  setMaxListeners(0, local.signal);
  const forward = () => local.abort(signal.reason);
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  // A budget that runs out stops every read of the command at once, whatever a describer does with
  // errors (several show a failed read as <none>, which here would be untrue).
  const budgeted: KubeReader = {
    async getJson<T>(path: string, query?: Record<string, string>, s?: AbortSignal): Promise<T> {
      try {
        return await reader.getJson<T>(path, query, s);
      } catch (err) {
        if (err instanceof BudgetExceededError) local.abort(err);
        throw err;
      }
    },
    release: (value) => reader.release?.(value),
  };
  const described = new Described(maxOutputBytes);
  try {
    return await describeWith(
      { reader: budgeted, signal: local.signal, now: now() },
      command,
      described,
      custom,
    );
  } catch (err) {
    const reason: unknown = local.signal.reason;
    if (!(reason instanceof BudgetExceededError)) throw err;
    // Out of apiserver requests after some objects were described: those are the (truncated) answer.
    if (reason.kind !== 'requests' || described.texts.length === 0) throw reason;
    return {
      output: described.texts.join('\n\n'),
      error: null,
      truncated: true,
      truncatedBecause: reason.message.replace(/^error: /, ''),
    };
  } finally {
    signal.removeEventListener('abort', forward);
  }
}

async function describeWith(
  ctx: DescribeContext,
  command: Command,
  described: Described,
  custom: ReadonlyMap<Target, readonly ResourceType[]>,
): Promise<DescribeResult> {
  const signal = ctx.signal;
  const namespace = command.namespace ?? 'default';
  if (command.targets.length === 0) {
    return {
      output: '',
      error:
        'error: You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.',
    };
  }
  // One entry per served type: a custom target naming a category stands for each of its members.
  const targets: Target[] = [];
  const types: ResourceType[] = [];
  for (const target of command.targets) {
    if (target.custom) {
      for (const type of custom.get(target) ?? []) {
        targets.push(target);
        types.push(type);
      }
      continue;
    }
    const type = resolveResourceType(target.resource);
    if (!type || !DESCRIBERS[type.resource])
      return { output: '', error: `describe is not supported for ${target.resource}` };
    targets.push(target);
    types.push(type);
  }

  if (command.targets.some((t) => t.names.some((n) => n === '')))
    return { output: '', error: 'error: resource name may not be empty' };

  const errors: unknown[] = [];
  const named = command.targets.some((t) => t.names.length > 0);
  let found = 0;
  try {
    // `describe pod web` with no pod named web describes the pods whose names start with "web".
    const single = targets.length === 1 && targets[0]?.names.length === 1;
    const items: Item[] = [];
    for (const [i, target] of targets.entries()) {
      const type = types[i] as ResourceType;
      if (target.names.length > 0) {
        const got = await Promise.all(
          target.names.map((name) =>
            getObject<Stored<ApiObject>>(ctx, objectPath(type, namespace, name)).then(
              (obj) => ({ obj: withKind(type, obj) }),
              (err: unknown) => ({ err }),
            ),
          ),
        );
        for (const g of got) {
          if ('obj' in g) items.push({ type, obj: g.obj });
          else if (isAbortError(g.err) || signal.aborted) throw g.err;
          else errors.push(g.err);
        }
      } else {
        // Page by page: each page is described before the next is read, and reading stops at the limit.
        const query: Record<string, string> = {};
        if (command.selectors.label) query.labelSelector = command.selectors.label;
        const path = collectionPath(type, command.allNamespaces ? null : namespace);
        for await (const page of listPages<Stored<ApiObject>>(ctx, path, query)) {
          found += page.length;
          await described.add(
            ctx,
            page.map((obj) => ({ type, obj: withKind(type, obj) })),
          );
          if (described.full) break;
        }
      }
      if (described.full) break;
    }

    if (
      single &&
      items.length === 0 &&
      errors.length === 1 &&
      isNotFound(errors[0]) &&
      builderArgCount(command.argv ?? []) === 2
    ) {
      const type = types[0] as ResourceType;
      const prefix = targets[0]?.names[0] as string;
      const byPrefix = new Described(described.maxOutputBytes);
      for await (const page of listPages<Stored<ApiObject>>(ctx, collectionPath(type, namespace))) {
        const matching = page.filter((o) => String(o.metadata?.name ?? '').startsWith(prefix));
        await byPrefix.add(
          ctx,
          matching.map((o) => ({ type, obj: withKind(type, o) })),
        );
        if (byPrefix.full) break;
      }
      if (byPrefix.texts.length > 0 || byPrefix.errors.length > 0) {
        return {
          output: byPrefix.texts.map((t) => `${t}\n`).join(''),
          error: byPrefix.errors.length > 0 ? byPrefix.errors.map(kubectlErrorLine).join('\n') : null,
          truncated: byPrefix.full,
        };
      }
    }

    await described.add(ctx, items);
    errors.push(...described.errors);
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const err of errors) {
      const line = kubectlErrorLine(err);
      if (seen.has(line)) continue;
      seen.add(line);
      lines.push(line);
    }
    let output = described.texts.join('\n\n');
    if (items.length === 0 && found === 0 && errors.length === 0 && !named) {
      output = command.allNamespaces
        ? 'No resources found\n'
        : `No resources found in ${namespace} namespace.\n`;
    }
    return { output, error: lines.length > 0 ? lines.join('\n') : null, truncated: described.full };
  } catch (err) {
    if (isAbortError(err) || signal.aborted) throw err;
    return { output: '', error: kubectlErrorLine(err) || errorText(err) };
  }
}
