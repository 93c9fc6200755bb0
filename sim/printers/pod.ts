// printPod from pkg/printers/internalversion/printers.go: READY, STATUS, RESTARTS as the real
// server computes them (init containers, sidecars, waiting/terminated reasons, Terminating).

import type { PodSpec, PodStatus } from 'kubernetes-types/core/v1.js';
import { since } from '../../common/duration.js';
import type { KubeObject } from '../types.js';
import { AGE, col, NAME, type Printer, type RowCondition, spec, status } from './column.js';

export const podPrinter: Printer = {
  columns: [
    NAME,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE,
    col(
      'IP',
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      { priority: 1 },
    ),
    col(
      'Node',
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.',
      { priority: 1 },
    ),
    col(
      'Nominated Node',
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
      { priority: 1 },
    ),
    col(
      'Readiness Gates',
      'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True". More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
      { priority: 1 },
    ),
  ],
  cells: podCells,
  conditions(obj) {
    const phase = status<PodStatus>(obj).phase;
    const c: RowCondition[] | undefined =
      phase === 'Succeeded'
        ? [
            {
              type: 'Completed',
              status: 'True',
              reason: 'Succeeded',
              message: 'The pod has completed successfully.',
            },
          ]
        : phase === 'Failed'
          ? [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]
          : undefined;
    return c;
  },
};

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function podCells(obj: KubeObject, now: number): unknown[] {
  const s = spec<PodSpec>(obj);
  const st = status<PodStatus>(obj);
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = s.containers.length;
  let ready = 0;
  let lastRestart: string | undefined;
  let lastSidecarRestart: string | undefined;
  const phase = st.phase ?? '';
  let reason = st.reason || phase;
  for (const c of st.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const sidecars = new Set(
    (s.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  total += sidecars.size;
  const initCount = s.initContainers?.length ?? 0;
  let initializing = false;
  const inits = st.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    restarts += c.restartCount;
    const lastTerm = c.lastState?.terminated?.finishedAt;
    lastRestart = later(lastRestart, lastTerm);
    const isSidecar = sidecars.has(c.name);
    if (isSidecar) {
      sidecarRestarts += c.restartCount;
      lastSidecarRestart = later(lastSidecarRestart, lastTerm);
    }
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (isSidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (term) {
      reason = term.reason
        ? `Init:${term.reason}`
        : term.signal
          ? `Init:Signal:${term.signal}`
          : `Init:ExitCode:${term.exitCode}`;
    } else if (wait?.reason && wait.reason !== 'PodInitializing') {
      reason = `Init:${wait.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }
  const initialized = (st.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = st.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount;
      lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
      const wait = c.state?.waiting;
      const term = c.state?.terminated;
      if (wait?.reason) reason = wait.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }
  if (obj.metadata.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (obj.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed')
    reason = 'Terminating';

  const restartsCell =
    restarts !== 0 && lastRestart ? `${restarts} (${since(lastRestart, now)} ago)` : String(restarts);
  let gates = '<none>';
  if (s.readinessGates?.length) {
    const trueCount = s.readinessGates.filter(
      (g) => st.conditions?.find((c) => c.type === g.conditionType)?.status === 'True',
    ).length;
    gates = `${trueCount}/${s.readinessGates.length}`;
  }
  return [
    obj.metadata.name,
    `${ready}/${total}`,
    reason,
    restartsCell,
    since(obj.metadata.creationTimestamp, now),
    st.podIPs?.[0]?.ip || '<none>',
    s.nodeName || '<none>',
    st.nominatedNodeName || '<none>',
    gates,
  ];
}
