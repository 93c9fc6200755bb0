// Shapes the simulated apiserver stores and serves. Objects are plain JSON as the real apiserver
// would encode them (timestamps are RFC 3339 strings), so they can be served without conversion.

import type { ObjectMeta as K8sObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { GeneratedPods } from './fixtures-generated.js';
import type { SimRbacRule } from './rbac.js';

/**
 * Metadata as the apiserver stores it: a name is always set, and the fields clients only read
 * (resourceVersion, uid, creationTimestamp, ...) are writable here, because the sim is the server.
 */
export type ObjectMeta = { -readonly [K in keyof K8sObjectMeta]: K8sObjectMeta[K] } & { name: string };

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** One log line of a container; `time` is RFC 3339 with nanoseconds as the kubelet writes it. */
export interface LogLine {
  time: string;
  text: string;
}

export interface ContainerLogs {
  current: LogLine[];
  /** Lines of the previous (terminated) instance, when the container has restarted. */
  previous?: LogLine[];
}

export interface SimFixtures {
  /** Objects by resource plural ('pods', 'deployments', 'leases', ...), in any order. */
  objects: Record<string, KubeObject[]>;
  /** Logs keyed by `namespace/pod/container`. */
  logs: Record<string, ContainerLogs>;
  /** The identity RBAC denials name, as the agent's ServiceAccount would be named. */
  user: string;
  /** What the self reviews say that ServiceAccount may do (sim/rbac.ts); DEFAULT_SIM_RBAC when absent. */
  rbac?: SimRbacRule[];
  /** Objects built only when a request reads them (sim/fixtures-generated.ts), by resource. */
  generated?: { pods?: GeneratedPods[] };
}

/**
 * Keeps a response open after its body: `write` sends more, `end` finishes it. Returns the function that stops
 * it (called once, when the client goes away or after `end`).
 */
export type SimStream = (write: (chunk: string) => void, end: () => void) => () => void;

export interface SimResponse {
  status: number;
  contentType: string;
  /** The whole body, or the first part of a stream. */
  body: string;
  /** Present for watches and followed logs. */
  stream?: SimStream;
}

export type SimHeaders = Record<string, string | string[] | undefined>;
