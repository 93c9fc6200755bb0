// kubectl rollout status (its --watch default), as kubectl 1.32's rollout_status.go: the named object is read
// (NotFound as kubectl says it), then listed and watched by name (UntilWithSync), and the status viewer's
// message is printed for every ADDED or MODIFIED event until the rollout is done; a viewer error or the
// object's deletion ends it as a failure.

import type { Command } from '../../common/command/types.js';
import { collectionPath } from '../../common/resources.js';
import type { FollowOutcome, StreamSink } from '../executor-types.js';
import { getJsonReleased, type VerbContext } from './context.js';
import { statusOf, typeOf } from './rollout.js';
import { WatchEventTooLargeError, watchEvents } from './watch-events.js';

type Workload = Parameters<typeof statusOf>[1];

interface WatchEvent {
  type: string;
  object: Workload & { message?: string };
}

export async function watchRollout(
  ctx: VerbContext,
  command: Command,
  sink: StreamSink,
): Promise<FollowOutcome> {
  const target = command.targets[0];
  const name = target?.names[0];
  if (!target || name === undefined) throw new Error('rollout without a named target reached the agent');
  const type = typeOf(target.resource);
  const base = collectionPath(type, command.namespace ?? 'default');
  await getJsonReleased<Workload>(ctx, `${base}/${encodeURIComponent(name)}`);
  const fieldSelector = `metadata.name=${name}`;
  /** Prints one status; true when the watch is over (done, or the viewer's error). */
  const show = async (obj: Workload): Promise<FollowOutcome | undefined> => {
    const status = statusOf(type.kind, obj);
    if (status.error) return { status: 'failure', error: `error: ${status.error}` };
    await sink.write(status.text);
    return status.done ? { status: 'success', error: null } : undefined;
  };
  const list = await getJsonReleased<{ metadata?: { resourceVersion?: string }; items: Workload[] }>(
    ctx,
    base,
    {
      fieldSelector,
    },
  );
  for (const item of list.items) {
    const over = await show(item);
    if (over) return over;
  }
  const res = await ctx.kube.open(base, {
    query: { fieldSelector, watch: true, resourceVersion: list.metadata?.resourceVersion || undefined },
    signal: ctx.signal,
  });
  try {
    for await (const event of watchEvents<WatchEvent>(res)) {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') {
        const over = await show(event.object);
        if (over) return over;
      } else if (event.type === 'DELETED') {
        return { status: 'failure', error: 'error: object has been deleted' };
      } else if (event.type === 'ERROR') {
        return { status: 'failure', error: `error: ${event.object.message ?? 'the watch failed'}` };
      }
    }
  } catch (err) {
    if (err instanceof WatchEventTooLargeError) return { status: 'failure', error: err.message };
    throw err;
  }
  return { status: 'success', error: null };
}
