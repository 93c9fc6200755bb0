// kubectl rollout status --watch=false and rollout history, ported from kubectl 1.32
// (pkg/polymorphichelpers rollout_status.go and history.go, pkg/cmd/rollout): the status viewers'
// messages, the REVISION/CHANGE-CAUSE table, and one revision's pod template. Only reads. What is read
// is redacted (agent/redact.ts) before anything is printed: a revision's template shows env and args.

import type {
  ControllerRevision,
  DaemonSet,
  Deployment,
  ReplicaSet,
  StatefulSet,
} from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Command } from '../../common/command/types.js';
import { collectionPath, RESOURCE_TYPES } from '../../common/resources.js';
import { selectorString } from '../describe/format.js';
import { describePodTemplate } from '../describe/pod.js';
import { PrefixWriter, tabbed } from '../describe/prefix-writer.js';
import { redactObject } from '../redact.js';
import { getJsonReleased, ok, type VerbContext, type VerbResult } from './context.js';

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';

type Workload = Deployment | DaemonSet | StatefulSet;

export function typeOf(resource: string) {
  const type = RESOURCE_TYPES.find((t) => t.resource === resource && t.group === 'apps');
  if (!type) throw new Error(`${resource} are missing from the resource catalog`);
  return type;
}

/** Reads the one workload the command names; a 404 is kubectl's own `Error from server (NotFound)`. */
export async function runRollout(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const target = command.targets[0];
  const name = target?.names[0];
  if (!target || name === undefined) throw new Error('rollout without a named target reached the agent');
  const type = typeOf(target.resource);
  const namespace = command.namespace ?? 'default';
  const base = collectionPath(type, namespace);
  const obj = redactObject(await getJsonReleased<Workload>(ctx, `${base}/${encodeURIComponent(name)}`));
  if (command.subcommand === 'history') {
    const revision = command.flags.revision ?? 0;
    const history = await viewHistory(ctx, type.kind, obj, base.replace(/[^/]+$/, ''), revision);
    if (history.error) return { output: '', error: `error: ${history.error}` };
    const withRevision = revision > 0 ? `with revision #${revision}` : '';
    // The name printer's "operation" is "<withRevision>\n<history>": a space, then the history.
    return ok(`${type.singular}.${type.group}/${name} ${withRevision}\n${history.text}\n`);
  }
  const status = statusOf(type.kind, obj);
  return status.error ? { output: '', error: `error: ${status.error}` } : ok(status.text);
}

interface Text {
  text: string;
  error?: string;
  /** The rollout is complete (kubectl rollout status stops watching). */
  done?: boolean;
}

/** The status viewers of rollout_status.go: one message, or an error kubectl prints with `error: `. */
export function statusOf(kind: string, obj: Workload): Text {
  const name = obj.metadata?.name ?? '';
  const generation = obj.metadata?.generation ?? 0;
  if (kind === 'Deployment') {
    const d = obj as Deployment;
    const s = d.status ?? {};
    if (generation > (s.observedGeneration ?? 0))
      return { text: 'Waiting for deployment spec update to be observed...\n' };
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.reason === TIMED_OUT_REASON)
      return { text: '', error: `deployment "${name}" exceeded its progress deadline` };
    const updated = s.updatedReplicas ?? 0;
    const replicas = d.spec?.replicas;
    if (replicas !== undefined && updated < replicas) {
      return {
        text: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...\n`,
      };
    }
    if ((s.replicas ?? 0) > updated) {
      return {
        text: `Waiting for deployment "${name}" rollout to finish: ${(s.replicas ?? 0) - updated} old replicas are pending termination...\n`,
      };
    }
    if ((s.availableReplicas ?? 0) < updated) {
      return {
        text: `Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas ?? 0} of ${updated} updated replicas are available...\n`,
      };
    }
    return { text: `deployment "${name}" successfully rolled out\n`, done: true };
  }
  if (kind === 'DaemonSet') {
    const ds = obj as DaemonSet;
    const s = ds.status;
    if (ds.spec?.updateStrategy?.type !== 'RollingUpdate')
      return { text: '', error: 'rollout status is only available for RollingUpdate strategy type' };
    if (generation > (s?.observedGeneration ?? 0))
      return { text: 'Waiting for daemon set spec update to be observed...\n' };
    const desired = s?.desiredNumberScheduled ?? 0;
    const updated = s?.updatedNumberScheduled ?? 0;
    if (updated < desired) {
      return {
        text: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...\n`,
      };
    }
    if ((s?.numberAvailable ?? 0) < desired) {
      return {
        text: `Waiting for daemon set "${name}" rollout to finish: ${s?.numberAvailable ?? 0} of ${desired} updated pods are available...\n`,
      };
    }
    return { text: `daemon set "${name}" successfully rolled out\n`, done: true };
  }
  const sts = obj as StatefulSet;
  const s = sts.status;
  const strategy = sts.spec?.updateStrategy;
  if (strategy?.type !== 'RollingUpdate')
    return { text: '', error: 'rollout status is only available for RollingUpdate strategy type' };
  const observed = s?.observedGeneration ?? 0;
  if (observed === 0 || generation > observed)
    return { text: 'Waiting for statefulset spec update to be observed...\n' };
  const replicas = sts.spec?.replicas;
  const ready = s?.readyReplicas ?? 0;
  if (replicas !== undefined && ready < replicas)
    return { text: `Waiting for ${replicas - ready} pods to be ready...\n` };
  const updated = s?.updatedReplicas ?? 0;
  if (strategy.rollingUpdate) {
    const partition = strategy.rollingUpdate.partition;
    if (replicas !== undefined && partition !== undefined && updated < replicas - partition) {
      return {
        text: `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...\n`,
      };
    }
    return { text: `partitioned roll out complete: ${updated} new pods have been updated...\n`, done: true };
  }
  if (s?.updateRevision !== s?.currentRevision) {
    return {
      text: `waiting for statefulset rolling update to complete ${updated} pods at revision ${s?.updateRevision ?? ''}...\n`,
    };
  }
  return {
    text: `statefulset rolling update complete ${s?.currentReplicas ?? 0} pods at revision ${s?.currentRevision ?? ''}...\n`,
    done: true,
  };
}

const isControlledBy = (meta: ObjectMeta | undefined, owner: Workload): boolean =>
  meta?.ownerReferences?.some((r) => r.controller === true && r.uid === owner.metadata?.uid) === true;

/** History entries by revision: the pod template to show and the change cause to list. */
type HistoryInfo = Map<number, { template: PodTemplateSpec | undefined; changeCause: string }>;

async function viewHistory(
  ctx: VerbContext,
  kind: string,
  owner: Workload,
  namespacePath: string,
  revision: number,
): Promise<Text> {
  const label = selectorString(owner.spec?.selector) ?? '';
  const info: HistoryInfo = new Map();
  if (kind === 'Deployment') {
    const list = redactObject(
      await getJsonReleased<{ items?: ReplicaSet[] }>(ctx, `${namespacePath}replicasets`, {
        labelSelector: label,
      }),
    );
    for (const rs of list.items ?? []) {
      if (!isControlledBy(rs.metadata, owner)) continue;
      const text = rs.metadata?.annotations?.[REVISION_ANNOTATION];
      const v = text === undefined ? Number.NaN : Number(text);
      if (!Number.isSafeInteger(v)) continue;
      const changeCause = rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? '';
      // kubectl copies the change cause into the template it shows for the revision.
      const template = rs.spec?.template;
      const annotated =
        changeCause === ''
          ? template
          : {
              ...template,
              metadata: {
                ...template?.metadata,
                annotations: { ...template?.metadata?.annotations, [CHANGE_CAUSE_ANNOTATION]: changeCause },
              },
            };
      info.set(v, { template: annotated, changeCause });
    }
  } else {
    const list = await getJsonReleased<{ items?: ControllerRevision[] }>(
      ctx,
      `${namespacePath}controllerrevisions`,
      { labelSelector: label },
    );
    for (const history of list.items ?? []) {
      if (!isControlledBy(history.metadata, owner)) continue;
      // The revision's template is under data, where redacting the list does not look.
      redactObject(history);
      redactObject(history.data);
      info.set(history.revision, {
        template: appliedTemplate(owner, history),
        changeCause: history.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? '',
      });
    }
  }
  if (info.size === 0) return { text: 'No rollout history found.' };
  if (revision > 0) {
    const entry = info.get(revision);
    if (!entry) return { text: '', error: 'unable to find the specified revision' };
    const w = new PrefixWriter({ aligned: false });
    describePodTemplate(entry.template, w);
    return { text: w.toString() };
  }
  const revisions = [...info.keys()].sort((a, b) => a - b);
  return {
    text: tabbed((w) => {
      w.write(0, 'REVISION\tCHANGE-CAUSE\n');
      for (const r of revisions) w.write(0, `${r}\t${info.get(r)?.changeCause || '<none>'}\n`);
    }),
  };
}

/**
 * The owner's template with a revision's patch applied. The daemon set and stateful set controllers
 * always record the whole template with `"$patch": "replace"`, which replaces it outright; any other
 * patch is merged key by key over the owner's template (maps merge, everything else is replaced).
 */
function appliedTemplate(owner: Workload, history: ControllerRevision): PodTemplateSpec | undefined {
  const patch = (history.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec
    ?.template;
  if (patch === undefined) return owner.spec?.template;
  const { $patch, ...rest } = patch;
  if ($patch === 'replace') return rest as PodTemplateSpec;
  return merge(owner.spec?.template ?? {}, rest) as PodTemplateSpec;
}

function merge(base: unknown, patch: unknown): unknown {
  if (!isMap(base) || !isMap(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
