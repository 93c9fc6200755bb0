// IngressClass and PriorityClass describers, as kubectl 1.32's describeIngressClassV1 and
// describePriorityClass.

import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { DescribeContext } from './context.js';
import { describeEvents, eventsAbout } from './events.js';
import { formatLabels, printAnnotationsMultiline, printLabelsMultiline, type Stored } from './format.js';
import { LEVEL_0, LEVEL_1, tabbed } from './prefix-writer.js';

export async function describeIngressClass(ctx: DescribeContext, ic: Stored<IngressClass>): Promise<string> {
  const events = await eventsAbout(ctx, ic, 'IngressClass');
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${ic.metadata.name}\n`);
    printLabelsMultiline(w, 'Labels', ic.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', ic.metadata.annotations);
    w.write(LEVEL_0, `Controller:\t${ic.spec?.controller ?? ''}\n`);
    const p = ic.spec?.parameters;
    if (p) {
      w.write(LEVEL_0, 'Parameters:\n');
      if (p.apiGroup != null) w.write(LEVEL_1, `APIGroup:\t${p.apiGroup}\n`);
      w.write(LEVEL_1, `Kind:\t${p.kind}\n`);
      w.write(LEVEL_1, `Name:\t${p.name}\n`);
    }
    describeEvents(events, w, ctx.now);
  });
}

export async function describePriorityClass(
  ctx: DescribeContext,
  pc: Stored<PriorityClass>,
): Promise<string> {
  const events = await eventsAbout(ctx, pc, 'PriorityClass');
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${pc.metadata.name}\n`);
    w.write(LEVEL_0, `Value:\t${pc.value}\n`);
    w.write(LEVEL_0, `GlobalDefault:\t${pc.globalDefault ?? false}\n`);
    w.write(LEVEL_0, `PreemptionPolicy:\t${pc.preemptionPolicy ?? ''}\n`);
    w.write(LEVEL_0, `Description:\t${pc.description ?? ''}\n`);
    w.write(LEVEL_0, `Annotations:\t${formatLabels(pc.metadata.annotations)}\n`);
    describeEvents(events, w, ctx.now);
  });
}
