// Changes to the simulated cluster while it runs: log lines appended to a running container, pods changing
// phase, objects added, replaced or removed. Watches (`watch=true`) and followed logs (`follow=true`) hear
// of each change as it happens, as the apiserver's watch cache and the kubelet's log stream would tell them.

import type { ContainerStatus, PodStatus } from 'kubernetes-types/core/v1.js';
import type { KubeObject, LogLine, SimFixtures } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change as a watch reports it; `rv` is the object's new resourceVersion. */
export interface Change {
  type: WatchEventType;
  resource: string;
  object: KubeObject;
  rv: number;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface SimLive {
  /** Appends a line (stamped with the clock, RFC 3339 with nanoseconds) to a container's current log. */
  appendLog(namespace: string, pod: string, container: string, text: string): LogLine;
  /**
   * Sets a pod's phase and its containers' states to match it (Pending: waiting ContainerCreating, Running:
   * running and ready, Succeeded/Failed: terminated Completed/Error), as a MODIFIED change. Followed logs of
   * the pod end when it stops running, as the kubelet closes them when the container exits.
   */
  setPodPhase(namespace: string, name: string, phase: PodPhase): KubeObject;
  /** Adds an object, or replaces the one with its namespace and name: ADDED or MODIFIED. */
  apply(resource: string, object: KubeObject): void;
  /** Removes an object: DELETED. Throws when there is none. */
  remove(resource: string, namespace: string | undefined, name: string): void;
  /** Watches and followed logs open now (each ends when its client goes away or it finishes). */
  readonly openStreams: number;
  /** Changes after `rv`, oldest first; undefined when they are older than the changes kept (410 Gone). */
  changesSince(rv: number): Change[] | undefined;
  onChange(listener: (change: Change) => void): () => void;
  onLog(key: string, listener: (line: LogLine) => void): () => void;
  /** Counts a stream as open; the returned function closes it (once). */
  openStream(): () => void;
}

/** Changes kept for watches that resume from a resourceVersion, as the watch cache keeps a window. */
const KEPT_CHANGES = 1000;

export interface SimLiveDeps {
  fixtures: SimFixtures;
  clock: () => number;
  /** The newest resourceVersion handed out so far; the live counter continues from it. */
  resourceVersion: () => number;
  /** Re-sorts and re-indexes after a change to `fixtures.objects`; takes the live counter as a floor. */
  invalidate: (rv: number) => void;
}

/** kubelet log timestamps: RFC 3339 with nanoseconds. */
function logTime(ms: number, counter: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.(\d{3})Z$/, `.$1${String(counter % 1_000_000).padStart(6, '0')}Z`);
}

const sameObject = (a: KubeObject, namespace: string | undefined, name: string) =>
  a.metadata.name === name && (a.metadata.namespace ?? undefined) === namespace;

export function createSimLive(deps: SimLiveDeps): SimLive {
  const { fixtures, clock } = deps;
  const changes: Change[] = [];
  const changeListeners = new Set<(change: Change) => void>();
  const logListeners = new Map<string, Set<(line: LogLine) => void>>();
  let rv = 0;
  let open = 0;
  let lines = 0;

  function record(type: WatchEventType, resource: string, object: KubeObject): void {
    rv = Math.max(rv, deps.resourceVersion()) + 1;
    object.metadata.resourceVersion = String(rv);
    deps.invalidate(rv);
    const change: Change = { type, resource, object: structuredClone(object), rv };
    changes.push(change);
    if (changes.length > KEPT_CHANGES) changes.splice(0, changes.length - KEPT_CHANGES);
    for (const listener of [...changeListeners]) listener(change);
  }

  function findPod(namespace: string, name: string): KubeObject {
    const pod = fixtures.objects.pods?.find((p) => sameObject(p, namespace, name));
    if (!pod) throw new Error(`sim: no pod ${namespace}/${name}`);
    return pod;
  }

  return {
    appendLog(namespace, pod, container, text) {
      const key = `${namespace}/${pod}/${container}`;
      fixtures.logs[key] ??= { current: [] };
      const line: LogLine = { time: logTime(clock(), ++lines), text };
      fixtures.logs[key].current.push(line);
      for (const listener of [...(logListeners.get(key) ?? [])]) listener(line);
      return line;
    },
    setPodPhase(namespace, name, phase) {
      const pod = findPod(namespace, name);
      pod.status ??= {};
      const status = pod.status as PodStatus;
      status.phase = phase;
      const at = new Date(Math.floor(clock() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
      const states: Record<PodPhase, ContainerStatus['state']> = {
        Pending: { waiting: { reason: 'ContainerCreating' } },
        Running: { running: { startedAt: at } },
        Succeeded: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } },
        Failed: { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at } },
      };
      for (const cs of status.containerStatuses ?? []) {
        cs.state = states[phase];
        cs.ready = phase === 'Running';
        cs.started = phase === 'Running';
      }
      record('MODIFIED', 'pods', pod);
      return pod;
    },
    apply(resource, object) {
      fixtures.objects[resource] ??= [];
      const list = fixtures.objects[resource];
      const i = list.findIndex((o) => sameObject(o, object.metadata.namespace, object.metadata.name));
      if (i >= 0) list[i] = object;
      else list.push(object);
      record(i >= 0 ? 'MODIFIED' : 'ADDED', resource, object);
    },
    remove(resource, namespace, name) {
      const list = fixtures.objects[resource] ?? [];
      const i = list.findIndex((o) => sameObject(o, namespace, name));
      if (i < 0) throw new Error(`sim: no ${resource} ${namespace ?? ''}/${name}`);
      const [object] = list.splice(i, 1);
      record('DELETED', resource, object!);
    },
    get openStreams() {
      return open;
    },
    changesSince(since) {
      const first = changes[0];
      if (first !== undefined && since < first.rv - 1 && changes.length === KEPT_CHANGES) return undefined;
      return changes.filter((c) => c.rv > since);
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onLog(key, listener) {
      const set = logListeners.get(key) ?? new Set();
      logListeners.set(key, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) logListeners.delete(key);
      };
    },
    openStream() {
      open++;
      let closed = false;
      return () => {
        if (closed) return;
        closed = true;
        open--;
      };
    },
  };
}
