// metrics.k8s.io/v1beta1 as metrics-server serves it: PodMetrics for every running pod and NodeMetrics
// for every ready node, derived from the stored objects (usage is a hash of the name, so it is stable
// across runs). A NotReady node has no metrics, as a node whose kubelet stopped reporting; kubectl top
// prints it as <unknown>.

import { createHash } from 'node:crypto';
import type { ResourceType } from '../common/resources.js';
import { matchesLabels, parseLabelSelector, SelectorError } from './selectors.js';
import { badRequest, JSON_TYPE, notFound } from './status.js';
import type { KubeObject, SimResponse } from './types.js';

export const METRICS_GROUP = 'metrics.k8s.io';
const METRICS_VERSION = 'v1beta1';
const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;
/** metrics-server's scrape window, as its responses carry it. */
const WINDOW = '20.029s';

function metricsType(resource: string, singular: string, kind: string, namespaced: boolean): ResourceType {
  return {
    resource,
    singular,
    kind,
    group: METRICS_GROUP,
    version: METRICS_VERSION,
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ['get', 'list'],
  };
}

/** The two resources metrics-server registers, in its discovery order. */
export const METRICS_TYPES: readonly ResourceType[] = [
  metricsType('nodes', 'node', 'NodeMetrics', false),
  metricsType('pods', 'pod', 'PodMetrics', true),
];

/** A number from 0 to `span` - 1 that only depends on `key`. */
function spread(key: string, span: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % span;
}

interface Stored {
  metadata: KubeObject['metadata'];
  spec?: { containers?: { name: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

function containerUsage(pod: Stored, container: string): { cpu: string; memory: string } {
  const key = `${pod.metadata.namespace}/${pod.metadata.name}/${container}`;
  // Nanocores and KiB, the units metrics-server reports in; some containers land on equal values
  // so that sorting by cpu or memory has ties to order.
  const cpu = (1 + spread(`cpu:${key}`, 40)) * 2_500_000 + spread(`cpun:${key}`, 3);
  const memory = (8 + spread(`mem:${key}`, 60)) * 4096;
  return { cpu: `${cpu}n`, memory: `${memory}Ki` };
}

function podMetrics(pod: Stored, timestamp: string): Record<string, unknown> {
  return {
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      creationTimestamp: timestamp,
      ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
    },
    timestamp,
    window: WINDOW,
    containers: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      usage: containerUsage(pod, c.name),
    })),
  };
}

function nodeMetrics(node: Stored, timestamp: string): Record<string, unknown> {
  const name = node.metadata.name;
  return {
    metadata: {
      name,
      creationTimestamp: timestamp,
      ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
    },
    timestamp,
    window: WINDOW,
    usage: {
      cpu: `${(150 + spread(`cpu:${name}`, 900)) * 1_000_000 + spread(`cpun:${name}`, 999_999)}n`,
      memory: `${(900_000 + spread(`mem:${name}`, 3_000_000)) * 1}Ki`,
    },
  };
}

const isRunning = (pod: Stored): boolean => pod.status?.phase === 'Running';
const isReady = (node: Stored): boolean =>
  node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/**
 * Answers GET on a metrics.k8s.io path: a list (label selector applied to the pod's or node's labels,
 * as metrics-server does) or one object, 404 when the pod is not running or the node not ready.
 */
export function metricsResponse(
  type: ResourceType,
  objects: Readonly<Record<string, KubeObject[]>>,
  namespace: string | null,
  name: string | undefined,
  query: URLSearchParams,
  now: number,
): SimResponse {
  const timestamp = new Date(Math.floor(now / 1000) * 1000 - 7000).toISOString().replace('.000Z', 'Z');
  const isPods = type.kind === 'PodMetrics';
  const stored = ((isPods ? objects.pods : objects.nodes) ?? []) as Stored[];
  let items = stored.filter(
    (o) => (isPods ? isRunning(o) : isReady(o)) && (namespace === null || o.metadata.namespace === namespace),
  );
  const render = (o: Stored) => (isPods ? podMetrics(o, timestamp) : nodeMetrics(o, timestamp));
  if (name !== undefined) {
    const found = items.find((o) => o.metadata.name === name);
    // metrics-server names the object namespace/name in its NotFound.
    if (!found)
      return notFound(
        type.kind.toLowerCase(),
        namespace === null ? name : `${namespace}/${name}`,
        METRICS_GROUP,
      );
    return {
      status: 200,
      contentType: JSON_TYPE,
      body: JSON.stringify({ kind: type.kind, apiVersion: API_VERSION, ...render(found) }),
    };
  }
  const selector = query.get('labelSelector');
  if (selector) {
    try {
      const reqs = parseLabelSelector(selector);
      items = items.filter((o) => matchesLabels(reqs, o.metadata.labels));
    } catch (err) {
      if (err instanceof SelectorError) return badRequest(err.message);
      throw err;
    }
  }
  items.sort((a, b) => {
    const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
    const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const body = {
    kind: `${type.kind}List`,
    apiVersion: API_VERSION,
    metadata: {},
    items: items.map(render),
  };
  return { status: 200, contentType: JSON_TYPE, body: JSON.stringify(body) };
}
