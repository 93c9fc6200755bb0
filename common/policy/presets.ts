// The presets of docs/policy.md's preset table. policies/strict.yaml, read-only.yaml and troubleshoot.yaml
// ship the same documents for operators to read and copy; a test keeps them identical to these.

import { VERBS, type Verb } from '../command/types.js';
import type { PolicyDocument, PresetName } from './types.js';

/**
 * The presets' output limit, 768 KiB: output up to it still fits one NATS message (NATS_MAX_PAYLOAD_BYTES,
 * 1 MiB) after JSON escaping grows it by up to a third (`-o json` grows about 8 %, JSON log lines about 20 %)
 * plus the result envelope. Past that the agent cuts again to fit (agent/command-loop.ts encodeResult).
 */
export const DEFAULT_MAX_OUTPUT_BYTES = 768 * 1024;

const STRICT_GET = ['pods', 'nodes', 'services', 'deployments', 'events', 'namespaces'];
const STRICT_DESCRIBE = ['pods', 'nodes', 'services', 'deployments', 'events'];

/** What the minimal agent ClusterRole can read. */
const READ_ONLY_RESOURCES = [
  'pods',
  'nodes',
  'services',
  'endpoints',
  'events',
  'namespaces',
  'deployments',
  'replicasets',
  'daemonsets',
  'statefulsets',
  'ingresses',
  'networkpolicies',
  'storageclasses',
  'persistentvolumes',
];

/** What a troubleshooter reads beyond readOnly (the k8s/components/troubleshoot ClusterRole grants it). */
const TROUBLESHOOT_RESOURCES = [
  ...READ_ONLY_RESOURCES,
  'jobs',
  'cronjobs',
  'persistentvolumeclaims',
  'horizontalpodautoscalers',
  'poddisruptionbudgets',
  'resourcequotas',
  'limitranges',
  'endpointslices',
  'serviceaccounts',
  'roles',
  'rolebindings',
  'clusterroles',
  'clusterrolebindings',
  'ingressclasses',
  'priorityclasses',
  'customresourcedefinitions',
];

const READ_ONLY_LIMITS = {
  maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
  logTail: { default: 500, max: 10_000 },
  timeoutSeconds: { default: 30, max: 120 },
};

/** The verbs only troubleshoot adds: top, and rollout (status, history). */
const TROUBLESHOOT_VERBS: readonly Verb[] = ['top', 'rollout'];

/** readOnly's verbs: every verb the grammar knows but troubleshoot's own. */
const READ_ONLY_VERBS: Verb[] = VERBS.filter((v) => !TROUBLESHOOT_VERBS.includes(v));

/**
 * What a file extending a preset may add although layers otherwise only narrow: `configMaps: true` and a
 * first `customResources.groups` list. Both stay off until a policy file names them.
 */
export const PRESET_OPT_INS: Readonly<Record<PresetName, { configMaps: boolean; customResources: boolean }>> =
  {
    strict: { configMaps: false, customResources: false },
    readOnly: { configMaps: false, customResources: false },
    troubleshoot: { configMaps: true, customResources: true },
  };

export const PRESET_DOCUMENTS: Readonly<Record<PresetName, PolicyDocument>> = {
  strict: {
    name: 'strict',
    description:
      'The security guide list: get, describe, explain, version, cluster-info on core workload types.',
    verbs: ['get', 'describe', 'explain', 'version', 'cluster-info'],
    resources: { get: STRICT_GET, describe: STRICT_DESCRIBE },
    namespaces: { allow: ['*'], deny: [] },
    limits: {
      maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
      logTail: { default: 100, max: 1000 },
      timeoutSeconds: { default: 30, max: 60 },
    },
  },
  readOnly: {
    name: 'readOnly',
    description:
      'The default: strict plus logs, events and API discovery on what the agent ClusterRole reads.',
    verbs: READ_ONLY_VERBS,
    resources: { get: READ_ONLY_RESOURCES, describe: READ_ONLY_RESOURCES, logs: ['pods/log'] },
    namespaces: { allow: ['*'], deny: [] },
    limits: READ_ONLY_LIMITS,
  },
  troubleshoot: {
    name: 'troubleshoot',
    description:
      'readOnly plus jobs, volumes, autoscaling, disruption budgets, quotas, RBAC and CRDs; custom resources and ConfigMaps by opt-in.',
    verbs: [...READ_ONLY_VERBS, ...TROUBLESHOOT_VERBS],
    resources: {
      get: TROUBLESHOOT_RESOURCES,
      describe: TROUBLESHOOT_RESOURCES,
      logs: ['pods/log'],
      top: ['pods', 'nodes'],
      rollout: ['deployments', 'daemonsets', 'statefulsets'],
    },
    namespaces: { allow: ['*'], deny: [] },
    limits: READ_ONLY_LIMITS,
  },
};
