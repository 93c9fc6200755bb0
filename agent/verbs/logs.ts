// kubectl logs. Like kubectl, the pod is read first (it names the default container and, for -l,
// the pods to read); then each container's log is streamed with a byte cap, so a huge or endless
// log never sits whole in memory.

import type { Command } from '../../common/command/types.js';
import { collectionPath, RESOURCE_TYPES } from '../../common/resources.js';
import { goQuote } from '../describe/format.js';
import { KubeApiError } from '../kube-client.js';
import { getJson, type VerbContext, type VerbResult } from './context.js';

interface Container {
  name: string;
}

export interface Pod {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; initContainers?: Container[]; ephemeralContainers?: Container[] };
}

/** kubectl's default --tail with a label selector (all lines otherwise). */
const selectorDefaultTail = 10;
const podsType = RESOURCE_TYPES.find((t) => t.resource === 'pods' && t.group === '');

const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/**
 * kubectl's container for a pod named without -c (logsforobject.go): the default-container annotation
 * when it names a container, else the first; with the notices kubectl writes to stderr on the way.
 */
export function defaultContainer(pod: Pod): { name: string | undefined; notices: string[] } {
  const containers = pod.spec?.containers ?? [];
  const notices: string[] = [];
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated) {
    if (allContainerNames(pod).includes(annotated)) return { name: annotated, notices };
    notices.push(
      `Default container name ${JSON.stringify(annotated)} not found in pod ${pod.metadata.name}\n`,
    );
  }
  const first = containers[0]?.name;
  const others =
    containers.length +
    (pod.spec?.initContainers?.length ?? 0) +
    (pod.spec?.ephemeralContainers?.length ?? 0);
  if (first !== undefined && others > 1) {
    notices.push(`Defaulted container ${goQuote(first)} out of: ${describeContainerNames(pod)}\n`);
  }
  return { name: first, notices };
}

/** podcmd.AllContainerNames: containers, then ephemeral ones `(ephem)`, then init ones `(init)`. */
function describeContainerNames(pod: Pod): string {
  const spec = pod.spec ?? {};
  return [
    ...(spec.containers ?? []).map((c) => c.name),
    ...(spec.ephemeralContainers ?? []).map((c) => `${c.name} (ephem)`),
    ...(spec.initContainers ?? []).map((c) => `${c.name} (init)`),
  ].join(', ');
}

export function effectiveTail(command: Command, ctx: VerbContext): number | undefined {
  let tail =
    command.flags.tail ?? (command.selectors.label ? selectorDefaultTail : ctx.limits.defaultLogTail);
  const max = ctx.limits.maxLogTail;
  if (max !== undefined && (tail === undefined || tail < 0 || tail > max)) tail = max;
  return tail !== undefined && tail >= 0 ? tail : undefined;
}

/** The pods a logs command reads and their collection path, or kubectl's answer when there is nothing to read. */
export async function podsToRead(
  ctx: VerbContext,
  command: Command,
): Promise<{ pods: Pod[]; podsPath: string } | VerbResult> {
  if (!podsType) throw new Error('pods are missing from the resource catalog');
  const namespace = command.namespace ?? 'default';
  const podsPath = collectionPath(podsType, namespace);
  const name = command.targets[0]?.names[0];
  let pods: Pod[];
  if (name !== undefined) {
    try {
      pods = [await getJson<Pod>(ctx, `${podsPath}/${encodeURIComponent(name)}`)];
    } catch (err) {
      // kubectl logs reports a missing pod in its own words, not as the bare Status.
      if (err instanceof KubeApiError && err.statusCode === 404) {
        return {
          output: '',
          error: `error: error from server (NotFound): pods "${name}" not found in namespace "${namespace}"`,
        };
      }
      throw err;
    }
    const container = command.flags.container;
    const pod = pods[0] as Pod;
    if (container !== undefined && !allContainerNames(pod).includes(container)) {
      // kubectl checks the container against the pod before asking for its log.
      return { output: '', error: `error: container ${container} is not valid for pod ${name}` };
    }
  } else {
    const list = await getJson<{ items: Pod[] }>(ctx, podsPath, { labelSelector: command.selectors.label });
    pods = list.items;
    if (pods.length === 0) return { output: `No resources found in ${namespace} namespace.\n`, error: null };
  }
  return { pods, podsPath };
}

/** The pods/log query of one container (limitBytes aside), as kubectl logs builds it. */
export function logQuery(command: Command, container: string, tail: number | undefined) {
  return {
    container,
    tailLines: tail,
    sinceSeconds: command.flags.sinceSeconds,
    previous: command.flags.previous ? true : undefined,
    timestamps: command.flags.timestamps ? true : undefined,
  };
}

export async function runLogs(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const read = await podsToRead(ctx, command);
  if (!('pods' in read)) return read;
  const { pods, podsPath } = read;
  // kubectl resolves every pod's container before reading any log, writing its notices to stderr on
  // the way; a terminal shows them first, so they lead the output here (docs/policy.md, logs).
  const plan = pods.map((pod) => ({ pod, ...containersOf(pod, command) }));
  const tail = effectiveTail(command, ctx);
  // One byte more than the cap: the executor then sees that the output was cut and says so.
  let budget = ctx.limits.maxOutputBytes + 1;
  let output = plan.flatMap((p) => p.notices).join('');
  let truncated = false;
  for (const { pod, containers } of plan) {
    for (const container of containers) {
      if (budget <= 0) break;
      const res = await ctx.kube.stream(`${podsPath}/${encodeURIComponent(pod.metadata.name)}/log`, {
        query: { ...logQuery(command, container, tail), limitBytes: budget },
        maxBytes: budget,
        signal: ctx.signal,
      });
      const text = command.flags.prefix
        ? prefixLines(res.body, `[pod/${pod.metadata.name}/${container}] `)
        : res.body;
      output += text;
      budget -= Buffer.byteLength(text, 'utf8');
      truncated ||= res.truncated;
    }
  }
  return { output, error: null, truncated };
}

export function containersOf(pod: Pod, command: Command): { containers: string[]; notices: string[] } {
  if (command.flags.container !== undefined) return { containers: [command.flags.container], notices: [] };
  // kubectl visits init, regular, then ephemeral containers (its own printing order varies: it
  // walks a Go map); the agent keeps this order every time.
  if (command.flags.allContainers) return { containers: allContainerNames(pod), notices: [] };
  const { name, notices } = defaultContainer(pod);
  return { containers: name === undefined ? [] : [name], notices };
}

/** kubectl logs --prefix: every line (the last one too, ended or not) starts with `[pod/NAME/CONTAINER] `. */
export function prefixLines(text: string, prefix: string): string {
  if (text === '') return '';
  const lines = text.split('\n');
  const last = lines.pop() as string;
  return lines.map((line) => `${prefix}${line}\n`).join('') + (last === '' ? '' : `${prefix}${last}`);
}

function allContainerNames(pod: Pod): string[] {
  const spec = pod.spec ?? {};
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ].map((c) => c.name);
}
