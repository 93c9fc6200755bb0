// Printers for apps/v1, batch/v1 and autoscaling/v2 types (pkg/printers/internalversion/printers.go).

import { humanDuration, since } from '../../common/duration.js';
import {
  AGE,
  age,
  col,
  containerCells,
  formatLabelSelector,
  formatLabels,
  type LabelSelector,
  NAME,
  type Printer,
  selectorString,
  spec,
  status,
} from './column.js';

interface Template {
  spec?: { containers?: { name: string; image: string }[]; nodeSelector?: Record<string, string> };
}
interface WorkloadSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: Template;
}
interface WorkloadStatus {
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
}

const CONTAINERS = col('Containers', 'Names of each container in the template.', { priority: 1 });
const IMAGES = col('Images', 'Images referenced by each container in the template.', { priority: 1 });
const SELECTOR = col(
  'Selector',
  'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
  { priority: 1 },
);

export const deploymentPrinter: Printer = {
  columns: [
    NAME,
    col('Ready', 'Number of the pod with ready state'),
    col(
      'Up-to-date',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      { type: 'integer' },
    ),
    col(
      'Available',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      { type: 'integer' },
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR,
  ],
  cells(obj, now) {
    const s = spec<WorkloadSpec>(obj);
    const st = status<WorkloadStatus>(obj);
    return [
      obj.metadata.name,
      `${st.readyReplicas ?? 0}/${s.replicas ?? 0}`,
      st.updatedReplicas ?? 0,
      st.availableReplicas ?? 0,
      age(obj, now),
      ...containerCells(s.template?.spec?.containers),
      selectorString(s.selector),
    ];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    NAME,
    col('Desired', 'Number of desired pods.', { type: 'integer' }),
    col('Current', 'Number of actual pods.', { type: 'integer' }),
    col('Ready', 'The number of ready replicas for this replica set.', { type: 'integer' }),
    AGE,
    CONTAINERS,
    IMAGES,
    col('Selector', 'Label selector for pods.', { priority: 1 }),
  ],
  cells(obj, now) {
    const s = spec<WorkloadSpec>(obj);
    const st = status<WorkloadStatus>(obj);
    return [
      obj.metadata.name,
      s.replicas ?? 0,
      st.replicas ?? 0,
      st.readyReplicas ?? 0,
      age(obj, now),
      ...containerCells(s.template?.spec?.containers),
      selectorString(s.selector),
    ];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    NAME,
    col('Desired', 'The total number of nodes that should be running the daemon pod.', { type: 'integer' }),
    col(
      'Current',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
      { type: 'integer' },
    ),
    col(
      'Ready',
      'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
      { type: 'integer' },
    ),
    col('Up-to-date', 'The total number of nodes that are running updated daemon pod', { type: 'integer' }),
    col(
      'Available',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
      { type: 'integer' },
    ),
    col(
      'Node Selector',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
    ),
    AGE,
    CONTAINERS,
    IMAGES,
    col('Selector', 'A label query over pods that are managed by the daemon set.', { priority: 1 }),
  ],
  cells(obj, now) {
    const s = spec<WorkloadSpec>(obj);
    const st = status<{
      desiredNumberScheduled?: number;
      currentNumberScheduled?: number;
      numberReady?: number;
      updatedNumberScheduled?: number;
      numberAvailable?: number;
    }>(obj);
    return [
      obj.metadata.name,
      st.desiredNumberScheduled ?? 0,
      st.currentNumberScheduled ?? 0,
      st.numberReady ?? 0,
      st.updatedNumberScheduled ?? 0,
      st.numberAvailable ?? 0,
      formatLabels(s.template?.spec?.nodeSelector),
      age(obj, now),
      ...containerCells(s.template?.spec?.containers),
      selectorString(s.selector),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [NAME, col('Ready', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
  cells(obj, now) {
    const s = spec<WorkloadSpec>(obj);
    const st = status<WorkloadStatus>(obj);
    return [
      obj.metadata.name,
      `${st.readyReplicas ?? 0}/${s.replicas ?? 0}`,
      age(obj, now),
      ...containerCells(s.template?.spec?.containers),
    ];
  },
};

interface JobShape {
  completions?: number;
  parallelism?: number;
  selector?: LabelSelector;
  template?: Template;
}
interface JobStatus {
  succeeded?: number;
  startTime?: string;
  completionTime?: string;
  conditions?: { type: string; status: string }[];
}

export const jobPrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'Status of the job.'),
    col('Completions', 'The completion status of the job.'),
    col('Duration', 'Time required to complete the job.'),
    AGE,
    CONTAINERS,
    IMAGES,
    col('Selector', 'A label query over pods that should match the pod count.', { priority: 1 }),
  ],
  cells(obj, now) {
    const s = spec<JobShape>(obj);
    const st = status<JobStatus>(obj);
    const succeeded = st.succeeded ?? 0;
    let completions: string;
    if (s.completions !== undefined) completions = `${succeeded}/${s.completions}`;
    else if ((s.parallelism ?? 0) > 1) completions = `${succeeded}/1 of ${s.parallelism}`;
    else completions = `${succeeded}/1`;
    let duration = '';
    if (st.startTime && !st.completionTime) duration = humanDuration(now - Date.parse(st.startTime));
    else if (st.startTime && st.completionTime)
      duration = humanDuration(Date.parse(st.completionTime) - Date.parse(st.startTime));
    const has = (t: string) => (st.conditions ?? []).some((c) => c.type === t && c.status === 'True');
    let state = 'Running';
    if (has('Complete')) state = 'Complete';
    else if (has('Failed')) state = 'Failed';
    else if (obj.metadata.deletionTimestamp) state = 'Terminating';
    else if (has('Suspended')) state = 'Suspended';
    else if (has('FailureTarget')) state = 'FailureTarget';
    else if (has('SuccessCriteriaMet')) state = 'SuccessCriteriaMet';
    return [
      obj.metadata.name,
      state,
      completions,
      duration,
      age(obj, now),
      ...containerCells(s.template?.spec?.containers),
      selectorString(s.selector),
    ];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    NAME,
    col('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col(
      'Timezone',
      'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.',
    ),
    col(
      'Suspend',
      'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.',
      { type: 'boolean' },
    ),
    col('Active', 'A list of pointers to currently running jobs.', { type: 'integer' }),
    col('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    AGE,
    CONTAINERS,
    IMAGES,
    col('Selector', 'A label query over pods that should match the pod count.', { priority: 1 }),
  ],
  cells(obj, now) {
    const s = spec<{
      schedule?: string;
      timeZone?: string;
      suspend?: boolean;
      jobTemplate?: { spec?: JobShape };
    }>(obj);
    const st = status<{ active?: unknown[]; lastScheduleTime?: string }>(obj);
    return [
      obj.metadata.name,
      s.schedule ?? '',
      s.timeZone ?? '<none>',
      s.suspend === undefined ? '<unset>' : s.suspend ? 'True' : 'False',
      (st.active ?? []).length,
      st.lastScheduleTime ? since(st.lastScheduleTime, now) : '<none>',
      age(obj, now),
      ...containerCells(s.jobTemplate?.spec?.template?.spec?.containers),
      formatLabelSelector(s.jobTemplate?.spec?.selector),
    ];
  },
};

interface MetricTarget {
  type?: string;
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}
interface MetricSpec {
  type: string;
  resource?: { name: string; target: MetricTarget };
}
interface MetricStatus {
  type: string;
  resource?: { name: string; current: MetricTarget };
}

function hpaTargets(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  if (!specs?.length) return '<none>';
  const list: string[] = [];
  specs.forEach((m, i) => {
    if (m.type === 'Resource' && m.resource) {
      const cur = statuses?.[i]?.resource?.current;
      if (m.resource.target.averageValue !== undefined) {
        list.push(
          `${m.resource.name}: ${cur?.averageValue ?? '<unknown>'}/${m.resource.target.averageValue}`,
        );
      } else {
        const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : '<unknown>';
        const target =
          m.resource.target.averageUtilization !== undefined
            ? `${m.resource.target.averageUtilization}%`
            : '<auto>';
        list.push(`${m.resource.name}: ${current}/${target}`);
      }
    } else {
      list.push('<unknown type>');
    }
  });
  const max = 2;
  return list.length > max
    ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...`
    : list.join(', ');
}

export const hpaPrinter: Printer = {
  columns: [
    NAME,
    col('Reference', 'Reference to target resource'),
    col('Targets', 'Current and target metrics'),
    col('MinPods', 'Minimum number of replicas'),
    col('MaxPods', 'Maximum number of replicas', { type: 'integer' }),
    col('Replicas', 'Current number of replicas', { type: 'integer' }),
    AGE,
  ],
  cells(obj, now) {
    const s = spec<{
      scaleTargetRef: { kind: string; name: string };
      minReplicas?: number;
      maxReplicas: number;
      metrics?: MetricSpec[];
    }>(obj);
    const st = status<{ currentReplicas?: number; currentMetrics?: MetricStatus[] }>(obj);
    return [
      obj.metadata.name,
      `${s.scaleTargetRef.kind}/${s.scaleTargetRef.name}`,
      hpaTargets(s.metrics, st.currentMetrics),
      s.minReplicas === undefined ? '<unset>' : String(s.minReplicas),
      s.maxReplicas,
      st.currentReplicas ?? 0,
      age(obj, now),
    ];
  },
};
