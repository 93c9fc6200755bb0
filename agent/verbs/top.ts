// kubectl top pod|node, ported from kubectl 1.32 (pkg/cmd/top and pkg/metricsutil/metrics_printer.go):
// usage from metrics.k8s.io/v1beta1, node percentages against allocatable, descending cpu or memory
// with --sort-by through Go's sort.Sort (ties land where Go's pdqsort puts them), and the printer's
// trailing tab on every line, so cells are padded to the end of the line exactly as kubectl pads them.

import type { Command } from '../../common/command/types.js';
import {
  addQuantity,
  parseQuantity,
  type Quantity,
  quantityMilliValue,
  quantityValue,
  ZERO,
} from '../describe/quantity.js';
import { KubeApiError } from '../kube-client.js';
import { goSort } from '../printers/go-sort.js';
import { TABLE_TABWRITER, TabWriter } from '../printers/tabwriter.js';
import { getJsonReleased, type VerbContext, type VerbResult } from './context.js';

const METRICS_PATH = '/apis/metrics.k8s.io/v1beta1';
const MEBIBYTE = 1024 * 1024;

type Usage = { cpu?: string; memory?: string };

interface PodMetrics {
  metadata: { name: string; namespace?: string };
  containers?: { name: string; usage?: Usage }[];
}

interface NodeMetrics {
  metadata: { name: string };
  usage?: Usage;
}

interface Node {
  metadata: { name: string };
  status?: { allocatable?: Usage };
}

interface Pod {
  metadata: { name: string; namespace?: string; creationTimestamp?: string };
}

/** CPU and memory of one row, parsed once for sorting and printing. */
interface Measured {
  cpu: Quantity;
  memory: Quantity;
}

function measured(usage: Usage | undefined): Measured {
  return {
    cpu: usage?.cpu === undefined ? ZERO : parseQuantity(usage.cpu),
    memory: usage?.memory === undefined ? ZERO : parseQuantity(usage.memory),
  };
}

/** getPodMetrics: the pod's usage is its containers' usage added up. */
function sum(items: readonly Measured[]): Measured {
  return items.reduce(
    (acc, m) => ({ cpu: addQuantity(acc.cpu, m.cpu), memory: addQuantity(acc.memory, m.memory) }),
    { cpu: ZERO, memory: ZERO },
  );
}

/** metricsutil's printSingleResourceUsage: millicores and whole mebibytes, rounded as Quantity rounds. */
const cpuCell = (m: Measured): string => `${quantityMilliValue(m.cpu)}m`;
const memoryCell = (m: Measured): string => `${Math.trunc(quantityValue(m.memory) / MEBIBYTE)}Mi`;

/** The sorters' Less: descending usage for cpu and memory, otherwise by `name`. */
function lessBy<T extends { usage: Measured }>(sortBy: string | undefined, byName: (a: T, b: T) => boolean) {
  return (a: T, b: T): boolean => {
    if (sortBy === 'cpu') return quantityMilliValue(a.usage.cpu) > quantityMilliValue(b.usage.cpu);
    if (sortBy === 'memory') return quantityValue(a.usage.memory) > quantityValue(b.usage.memory);
    return byName(a, b);
  };
}

function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 404;
}

export async function runTop(ctx: VerbContext, command: Command): Promise<VerbResult> {
  return command.targets[0]?.resource === 'nodes' ? topNodes(ctx, command) : topPods(ctx, command);
}

/** A metrics read; a 404 on the list means the metrics API is not served (kubectl checks discovery first). */
async function readMetrics<T>(
  ctx: VerbContext,
  path: string,
  named: boolean,
  label?: string,
): Promise<T[] | null> {
  try {
    if (named) return [await getJsonReleased<T>(ctx, path)];
    return (await getJsonReleased<{ items?: T[] }>(ctx, path, { labelSelector: label })).items ?? [];
  } catch (err) {
    if (!named && isNotFound(err)) return null;
    throw err;
  }
}

const unavailable: VerbResult = { output: '', error: 'error: Metrics API not available' };

async function topPods(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const namespace = command.allNamespaces ? null : (command.namespace ?? 'default');
  const name = command.targets[0]?.names[0];
  const scope = namespace === null ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  const path = `${METRICS_PATH}${scope}/pods${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  const metrics = await readMetrics<PodMetrics>(ctx, path, name !== undefined, command.selectors.label);
  if (metrics === null) return unavailable;
  if (metrics.length === 0) return emptyPodMetrics(ctx, command, namespace ?? 'default');

  const withNamespace = command.allNamespaces;
  const sortBy = command.flags.sortBy;
  const rows = metrics.map((m) => {
    const containers = (m.containers ?? []).map((c) => ({ name: c.name, usage: measured(c.usage) }));
    return { m, containers, usage: sum(containers.map((c) => c.usage)) };
  });
  type Row = (typeof rows)[number];
  goSort(
    rows,
    lessBy<Row>(sortBy, (a, b) => {
      const an = a.m.metadata.namespace ?? '';
      const bn = b.m.metadata.namespace ?? '';
      if (withNamespace && an !== bn) return an < bn;
      return a.m.metadata.name < b.m.metadata.name;
    }),
  );
  const w = new TabWriter(TABLE_TABWRITER);
  const line = (cells: string[]) => w.write(`${cells.map((c) => `${c}\t`).join('')}\n`);
  if (!command.flags.noHeaders) {
    line([
      ...(withNamespace ? ['NAMESPACE'] : []),
      ...(command.flags.containers ? ['POD'] : []),
      'NAME',
      'CPU(cores)',
      'MEMORY(bytes)',
    ]);
  }
  for (const row of rows) {
    const prefix = withNamespace ? [row.m.metadata.namespace ?? ''] : [];
    if (command.flags.containers) {
      goSort(
        row.containers,
        lessBy<Row['containers'][number]>(sortBy, (a, b) => a.name < b.name),
      );
      for (const c of row.containers) {
        line([...prefix, row.m.metadata.name, c.name, cpuCell(c.usage), memoryCell(c.usage)]);
      }
    } else {
      line([...prefix, row.m.metadata.name, cpuCell(row.usage), memoryCell(row.usage)]);
    }
  }
  return { output: w.finish(), error: null };
}

/**
 * kubectl's verifyEmptyMetrics: no metrics and no pods is "No resources found" (stderr, exit 0); pods
 * without metrics is an error naming the first one and its age as a Go duration.
 */
async function emptyPodMetrics(ctx: VerbContext, command: Command, namespace: string): Promise<VerbResult> {
  const name = command.targets[0]?.names[0];
  const podsPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  const pods =
    name === undefined
      ? ((await getJsonReleased<{ items?: Pod[] }>(ctx, podsPath, { labelSelector: command.selectors.label }))
          .items ?? [])
      : [await getJsonReleased<Pod>(ctx, `${podsPath}/${encodeURIComponent(name)}`)];
  const pod = pods[0];
  if (pod === undefined) {
    const notice = command.allNamespaces
      ? 'No resources found\n'
      : `No resources found in ${namespace} namespace.\n`;
    return { output: notice, error: null };
  }
  const created = Date.parse(pod.metadata.creationTimestamp ?? '');
  const age = goDuration(Number.isNaN(created) ? 0 : ctx.now() - created);
  return {
    output: '',
    error: `error: Metrics not available for pod ${pod.metadata.namespace ?? namespace}/${pod.metadata.name}, age: ${age}`,
  };
}

/** time.Duration.String() for whole milliseconds: 1h2m3.004s, 5m0s, 0s. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const seconds = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${seconds}`;
  if (m > 0) return `${m}m${seconds}`;
  return seconds;
}

async function topNodes(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const name = command.targets[0]?.names[0];
  const path = `${METRICS_PATH}/nodes${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  const metrics = await readMetrics<NodeMetrics>(ctx, path, name !== undefined, command.selectors.label);
  if (metrics === null) return unavailable;
  if (metrics.length === 0) return { output: '', error: 'error: metrics not available yet' };
  const nodes =
    name === undefined
      ? ((
          await getJsonReleased<{ items?: Node[] }>(ctx, '/api/v1/nodes', {
            labelSelector: command.selectors.label,
          })
        ).items ?? [])
      : [await getJsonReleased<Node>(ctx, `/api/v1/nodes/${encodeURIComponent(name)}`)];
  const available = new Map(nodes.map((n) => [n.metadata.name, n.status?.allocatable]));

  const rows = metrics.map((m) => ({ name: m.metadata.name, usage: measured(m.usage) }));
  type Row = (typeof rows)[number];
  goSort(
    rows,
    lessBy<Row>(command.flags.sortBy, (a, b) => a.name < b.name),
  );
  const w = new TabWriter(TABLE_TABWRITER);
  if (!command.flags.noHeaders) w.write('NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n');
  for (const row of rows) {
    const allocatable = available.get(row.name);
    available.delete(row.name);
    let text = `${row.name}\t${cpuCell(row.usage)}\t`;
    if (allocatable?.cpu !== undefined) text += `${percent(row.usage.cpu, allocatable.cpu)}%\t`;
    text += `${memoryCell(row.usage)}\t`;
    if (allocatable?.memory !== undefined) text += `${percent(row.usage.memory, allocatable.memory)}%\t`;
    w.write(`${text}\n`);
  }
  // kubectl walks a Go map here, so its order varies between runs; the agent prints them by name.
  for (const missing of [...available.keys()].sort()) {
    w.write(`${missing}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n`);
  }
  return { output: w.finish(), error: null };
}

/** int64(float64(used.MilliValue()) / float64(available.MilliValue()) * 100), as kubectl computes it. */
function percent(used: Quantity, available: string): number {
  return Math.trunc((quantityMilliValue(used) / quantityMilliValue(parseQuantity(available))) * 100);
}
