// pods/log: the apiserver's container validation followed by the kubelet's choice of which
// container instance to read, with both components' error messages.

import type { NodeStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { SimLive } from './live.js';
import { badRequest, notFound, statusResponse } from './status.js';
import type { KubeObject, LogLine, SimFixtures, SimResponse, SimStream } from './types.js';

/** A stored pod: the sim's fixtures always have a spec and a status. */
type PodShape = Required<Pick<Pod, 'spec' | 'status'>>;

export function podLogs(
  fixtures: SimFixtures,
  pod: KubeObject | undefined,
  ns: string,
  name: string,
  query: URLSearchParams,
  now: number,
): SimResponse {
  if (!pod) return notFound('pods', name);
  const p = pod as unknown as PodShape;
  const all = [
    ...(p.spec.initContainers ?? []),
    ...p.spec.containers,
    ...(p.spec.ephemeralContainers ?? []),
  ].map((c) => c.name);
  let container = query.get('container') ?? '';
  if (container === '') {
    if (p.spec.containers.length === 1) container = p.spec.containers[0]!.name;
    else if (p.spec.containers.length === 0) return badRequest(`pod ${name} does not have a container`);
    else
      return badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`,
      );
  } else if (!all.includes(container)) {
    return badRequest(`container ${container} is not valid for pod ${name}`);
  }
  // An unscheduled pod has no kubelet to ask: the apiserver streams nothing.
  if (!p.spec.nodeName) return { status: 200, contentType: 'text/plain', body: '' };
  const node = fixtures.objects.nodes?.find((n) => n.metadata.name === p.spec.nodeName);
  const ready = (node?.status as NodeStatus | undefined)?.conditions?.find((c) => c.type === 'Ready');
  if (node && ready?.status !== 'True') {
    const ip = (node.status as NodeStatus).addresses?.find((a) => a.type === 'InternalIP')?.address;
    return statusResponse(
      500,
      'InternalError',
      `Get "https://${ip}:10250/containerLogs/${ns}/${name}/${container}": dial tcp ${ip}:10250: connect: no route to host`,
    );
  }
  const cs = [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])].find(
    (c) => c.name === container,
  );
  const logs = fixtures.logs[`${ns}/${name}/${container}`];
  const previous = query.get('previous') === 'true';
  const fail = (msg: string) => badRequest(msg);
  let lines: LogLine[];
  const state = cs?.state ?? {};
  const last = cs?.lastState ?? {};
  if (previous) {
    if (!last.terminated)
      return fail(`previous terminated container "${container}" in pod "${name}" not found`);
    lines = logs?.previous ?? [];
  } else if (state.running || state.terminated) {
    lines = logs?.current ?? [];
  } else if (last.terminated) {
    // The kubelet reads the last terminated instance of a container waiting to restart.
    lines = logs?.previous ?? [];
  } else if (state.waiting) {
    const reason = state.waiting.reason ?? '';
    if (reason === 'ErrImagePull')
      return fail(`container "${container}" in pod "${name}" is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff')
      return fail(
        `container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`,
      );
    return fail(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
  } else {
    return fail(`container "${container}" in pod "${name}" is waiting to start - no logs yet`);
  }
  return { status: 200, contentType: 'text/plain', body: renderLogs(lines, query, now) };
}

function renderLogs(lines: LogLine[], query: URLSearchParams, now: number): string {
  let selected = lines;
  const sinceSeconds = query.get('sinceSeconds');
  const sinceTime = query.get('sinceTime');
  const from = sinceSeconds
    ? now - Number(sinceSeconds) * 1000
    : sinceTime
      ? Date.parse(sinceTime)
      : undefined;
  if (from !== undefined && !Number.isNaN(from))
    selected = selected.filter((l) => Date.parse(l.time) >= from);
  const tail = query.get('tailLines');
  if (tail !== null && Number(tail) >= 0) selected = Number(tail) === 0 ? [] : selected.slice(-Number(tail));
  const timestamps = query.get('timestamps') === 'true';
  let body = selected.map((l) => (timestamps ? `${l.time} ${l.text}\n` : `${l.text}\n`)).join('');
  const limit = query.get('limitBytes');
  if (limit !== null && Number(limit) > 0) body = Buffer.from(body).subarray(0, Number(limit)).toString();
  return body;
}

/**
 * `follow=true`: after the lines `podLogs` answered, each line the container writes, until the pod stops
 * running (the kubelet closes the stream when the container exits) or `limitBytes` have been sent.
 */
export function followLogs(
  live: SimLive,
  pod: KubeObject,
  answer: SimResponse,
  query: URLSearchParams,
): SimResponse {
  const p = pod as unknown as PodShape;
  if (p.status.phase === 'Succeeded' || p.status.phase === 'Failed') return answer;
  const container = query.get('container') || p.spec.containers[0]!.name;
  const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name}/${container}`;
  const timestamps = query.get('timestamps') === 'true';
  const limit = Number(query.get('limitBytes') ?? 0);
  let left = limit > 0 ? limit - Buffer.byteLength(answer.body) : Number.POSITIVE_INFINITY;
  const stream: SimStream = (write, end) => {
    if (left <= 0) {
      end();
      return () => {};
    }
    const offLog = live.onLog(key, (line) => {
      const text = timestamps ? `${line.time} ${line.text}\n` : `${line.text}\n`;
      const bytes = Buffer.from(text);
      if (bytes.length >= left) {
        write(bytes.subarray(0, left).toString());
        left = 0;
        end();
        return;
      }
      left -= bytes.length;
      write(text);
    });
    const offChange = live.onChange((c) => {
      const { name, namespace } = c.object.metadata;
      if (c.resource !== 'pods' || name !== pod.metadata.name || namespace !== pod.metadata.namespace) return;
      const phase = (c.object as unknown as PodShape).status.phase;
      if (phase === 'Succeeded' || phase === 'Failed' || c.type === 'DELETED') end();
    });
    return () => {
      offLog();
      offChange();
    };
  };
  return { ...answer, stream };
}
