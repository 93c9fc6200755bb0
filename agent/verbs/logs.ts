// kubectl logs. Like kubectl, the pod is read first (it names the default container and, for -l,
// the pods to read); then each container's log is streamed with a byte cap, so a huge or endless
// log never sits whole in memory.

import type { Command } from '../../common/command/types.js';
import { collectionPath, RESOURCE_TYPES } from '../../common/resources.js';
import { KubeApiError } from '../kube-client.js';
import { getJson, type VerbContext, type VerbResult } from './context.js';

interface Container {
  name: string;
}

interface Pod {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; initContainers?: Container[]; ephemeralContainers?: Container[] };
}

/** kubectl's default --tail with a label selector (all lines otherwise). */
const selectorDefaultTail = 10;
const podsType = RESOURCE_TYPES.find((t) => t.resource === 'pods' && t.group === '');

/** kubectl's default container: the `kubectl.kubernetes.io/default-container` annotation, else the first. */
export function defaultContainer(pod: Pod): string | undefined {
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  const containers = pod.spec?.containers ?? [];
  if (annotated && containers.some((c) => c.name === annotated)) return annotated;
  return containers[0]?.name;
}

export function effectiveTail(command: Command, ctx: VerbContext): number | undefined {
  let tail =
    command.flags.tail ?? (command.selectors.label ? selectorDefaultTail : ctx.limits.defaultLogTail);
  const max = ctx.limits.maxLogTail;
  if (max !== undefined && (tail === undefined || tail < 0 || tail > max)) tail = max;
  return tail !== undefined && tail >= 0 ? tail : undefined;
}

export async function runLogs(ctx: VerbContext, command: Command): Promise<VerbResult> {
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
  const tail = effectiveTail(command, ctx);
  // One byte more than the cap: the executor then sees that the output was cut and says so.
  let budget = ctx.limits.maxOutputBytes + 1;
  let output = '';
  let truncated = false;
  for (const pod of pods) {
    for (const container of containersOf(pod, command)) {
      if (budget <= 0) break;
      const res = await ctx.kube.stream(`${podsPath}/${encodeURIComponent(pod.metadata.name)}/log`, {
        query: {
          container,
          tailLines: tail,
          sinceSeconds: command.flags.sinceSeconds,
          previous: command.flags.previous ? true : undefined,
          timestamps: command.flags.timestamps ? true : undefined,
          limitBytes: budget,
        },
        maxBytes: budget,
        signal: ctx.signal,
      });
      output += res.body;
      budget -= Buffer.byteLength(res.body, 'utf8');
      truncated ||= res.truncated;
    }
  }
  return { output, error: null, truncated };
}

function containersOf(pod: Pod, command: Command): string[] {
  if (command.flags.container !== undefined) return [command.flags.container];
  // kubectl visits init, regular, then ephemeral containers (its own printing order varies: it
  // walks a Go map); the agent keeps this order every time.
  if (command.flags.allContainers) return allContainerNames(pod);
  const container = defaultContainer(pod);
  return container === undefined ? [] : [container];
}

function allContainerNames(pod: Pod): string[] {
  const spec = pod.spec ?? {};
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ].map((c) => c.name);
}
