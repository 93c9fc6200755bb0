// HorizontalPodAutoscaler (autoscaling/v2) describer, as kubectl 1.32's describeHorizontalPodAutoscalerV2.

import type {
  HorizontalPodAutoscaler,
  HPAScalingRules,
  MetricSpec,
  MetricStatus,
} from 'kubernetes-types/autoscaling/v2.js';
import type { DescribeContext } from './context.js';
import { describeEvents, eventsAbout } from './events.js';
import { goQuote, printAnnotationsMultiline, printLabelsMultiline, rfc1123z, type Stored } from './format.js';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, type PrefixWriter, tabbed } from './prefix-writer.js';
import { canonicalQuantity } from './quantity.js';

const q = (v: unknown): string => (v === undefined || v === null ? '0' : canonicalQuantity(v));

/** One line per metric: the current value (from the status at the same index) over the target. */
function writeMetric(w: PrefixWriter, m: MetricSpec, cur: MetricStatus | undefined): void {
  switch (m.type) {
    case 'External': {
      const ext = m.external;
      const name = goQuote(ext?.metric.name ?? '');
      if (ext?.target.averageValue != null) {
        const current =
          cur?.external?.current.averageValue != null ? q(cur.external.current.averageValue) : '<unknown>';
        w.write(LEVEL_1, `${name} (target average value):\t${current} / ${q(ext.target.averageValue)}\n`);
      } else {
        const current = cur?.external ? q(cur.external.current.value) : '<unknown>';
        w.write(LEVEL_1, `${name} (target value):\t${current} / ${q(ext?.target.value)}\n`);
      }
      return;
    }
    case 'Pods': {
      const current = cur?.pods ? q(cur.pods.current.averageValue) : '<unknown>';
      w.write(
        LEVEL_1,
        `${goQuote(m.pods?.metric.name ?? '')} on pods:\t${current} / ${q(m.pods?.target.averageValue)}\n`,
      );
      return;
    }
    case 'Object': {
      const o = m.object;
      w.write(
        LEVEL_1,
        `"${o?.metric.name ?? ''}" on ${o?.describedObject.kind ?? ''}/${o?.describedObject.name ?? ''} `,
      );
      if (o?.target.type === 'AverageValue') {
        const current = cur?.object ? q(cur.object.current.averageValue) : '<unknown>';
        w.write(LEVEL_0, `(target average value):\t${current} / ${q(o.target.averageValue)}\n`);
      } else {
        const current = cur?.object ? q(cur.object.current.value) : '<unknown>';
        w.write(LEVEL_0, `(target value):\t${current} / ${q(o?.target.value)}\n`);
      }
      return;
    }
    case 'Resource':
    case 'ContainerResource': {
      const r = m.type === 'Resource' ? m.resource : m.containerResource;
      const c = m.type === 'Resource' ? cur?.resource : cur?.containerResource;
      const container =
        m.type === 'ContainerResource' ? ` of container "${m.containerResource?.container ?? ''}"` : '';
      w.write(LEVEL_1, `resource ${r?.name ?? ''}${container} on pods`);
      if (r?.target.averageValue != null) {
        const current = c ? q(c.current.averageValue) : '<unknown>';
        w.write(LEVEL_0, `:\t${current} / ${q(r.target.averageValue)}\n`);
      } else {
        const current =
          c && c.current.averageUtilization != null
            ? `${c.current.averageUtilization}% (${q(c.current.averageValue)})`
            : '<unknown>';
        const target = r?.target.averageUtilization != null ? `${r.target.averageUtilization}%` : '<auto>';
        w.write(LEVEL_1, `(as a percentage of request):\t${current} / ${target}\n`);
      }
      return;
    }
    default:
      w.write(LEVEL_1, `<unknown metric type ${goQuote(String(m.type))}>\n`);
  }
}

function writeBehavior(w: PrefixWriter, direction: string, rules: HPAScalingRules | undefined): void {
  if (!rules) return;
  w.write(LEVEL_1, `${direction}:\n`);
  if (rules.stabilizationWindowSeconds != null)
    w.write(LEVEL_2, `Stabilization Window: ${rules.stabilizationWindowSeconds} seconds\n`);
  if ((rules.policies ?? []).length > 0) {
    w.write(LEVEL_2, `Select Policy: ${rules.selectPolicy ?? 'Max'}\n`);
    w.write(LEVEL_2, 'Policies:\n');
    for (const p of rules.policies ?? [])
      w.write(LEVEL_3, `- Type: ${p.type}\tValue: ${p.value}\tPeriod: ${p.periodSeconds} seconds\n`);
  }
}

export async function describeHorizontalPodAutoscaler(
  ctx: DescribeContext,
  hpa: Stored<HorizontalPodAutoscaler>,
): Promise<string> {
  const md = hpa.metadata;
  const events = await eventsAbout(ctx, hpa, 'HorizontalPodAutoscaler');
  const spec = hpa.spec;
  const st = hpa.status;
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${md.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(md.creationTimestamp)}\n`);
    const ref = spec?.scaleTargetRef;
    w.write(LEVEL_0, `Reference:\t${ref?.kind ?? ''}/${ref?.name ?? ''}\n`);
    w.write(LEVEL_0, 'Metrics:\t( current / target )\n');
    (spec?.metrics ?? []).forEach((m, i) => {
      writeMetric(w, m, st?.currentMetrics?.[i]);
    });
    w.write(LEVEL_0, `Min replicas:\t${spec?.minReplicas ?? '<unset>'}\n`);
    w.write(LEVEL_0, `Max replicas:\t${spec?.maxReplicas ?? 0}\n`);
    if (spec?.behavior) {
      w.write(LEVEL_0, 'Behavior:\n');
      writeBehavior(w, 'Scale Up', spec.behavior.scaleUp);
      writeBehavior(w, 'Scale Down', spec.behavior.scaleDown);
    }
    w.write(LEVEL_0, `${ref?.kind ?? ''} pods:\t`);
    w.write(LEVEL_0, `${st?.currentReplicas ?? 0} current / ${st?.desiredReplicas ?? 0} desired\n`);
    const conditions = st?.conditions ?? [];
    if (conditions.length > 0) {
      w.write(LEVEL_0, 'Conditions:\n');
      w.write(LEVEL_1, 'Type\tStatus\tReason\tMessage\n');
      w.write(LEVEL_1, '----\t------\t------\t-------\n');
      for (const c of conditions)
        w.write(LEVEL_1, `${c.type}\t${c.status}\t${c.reason ?? ''}\t${c.message ?? ''}\n`);
    }
    describeEvents(events, w, ctx.now);
  });
}
