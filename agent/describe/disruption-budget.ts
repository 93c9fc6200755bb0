// PodDisruptionBudget (policy/v1) describer, as kubectl 1.32's describePodDisruptionBudgetV1.

import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { DescribeContext } from './context.js';
import { describeEvents, eventsAbout } from './events.js';
import { formatLabelSelector, intOrString, type Stored } from './format.js';
import { LEVEL_0, LEVEL_2, tabbed } from './prefix-writer.js';

export async function describePodDisruptionBudget(
  ctx: DescribeContext,
  pdb: Stored<PodDisruptionBudget>,
): Promise<string> {
  const md = pdb.metadata;
  const events = await eventsAbout(ctx, pdb, 'PodDisruptionBudget');
  const spec = pdb.spec ?? {};
  const st = pdb.status;
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${md.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    if (spec.minAvailable != null) w.write(LEVEL_0, `Min available:\t${intOrString(spec.minAvailable)}\n`);
    else if (spec.maxUnavailable != null)
      w.write(LEVEL_0, `Max unavailable:\t${intOrString(spec.maxUnavailable)}\n`);
    w.write(LEVEL_0, `Selector:\t${spec.selector ? formatLabelSelector(spec.selector) : '<unset>'}\n`);
    w.write(LEVEL_0, 'Status:\n');
    w.write(LEVEL_2, `Allowed disruptions:\t${st?.disruptionsAllowed ?? 0}\n`);
    w.write(LEVEL_2, `Current:\t${st?.currentHealthy ?? 0}\n`);
    w.write(LEVEL_2, `Desired:\t${st?.desiredHealthy ?? 0}\n`);
    w.write(LEVEL_2, `Total:\t${st?.expectedPods ?? 0}\n`);
    describeEvents(events, w, ctx.now);
  });
}
