// ServiceAccount describer, as kubectl 1.32's describeServiceAccount, except that the agent never lists
// Secrets: it prints what kubectl prints when it may not list them (no Tokens, no "(not found)" marks).

import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { DescribeContext } from './context.js';
import { describeEvents, eventsAbout } from './events.js';
import { printAnnotationsMultiline, printLabelsMultiline, type Stored } from './format.js';
import { LEVEL_0, tabbed } from './prefix-writer.js';

const EMPTY_HEADER = '                   ';

export async function describeServiceAccount(
  ctx: DescribeContext,
  sa: Stored<ServiceAccount>,
): Promise<string> {
  const md = sa.metadata;
  const events = await eventsAbout(ctx, sa, 'ServiceAccount');
  // Headers in kubectl's (sorted) order, each padded to the same width.
  const sections: [header: string, names: string[]][] = [
    ['Image pull secrets:', (sa.imagePullSecrets ?? []).map((s) => s.name ?? '')],
    ['Mountable secrets: ', (sa.secrets ?? []).map((s) => s.name ?? '')],
    ['Tokens:            ', []],
  ];
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${md.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${md.namespace ?? ''}\n`);
    printLabelsMultiline(w, 'Labels', md.labels);
    printAnnotationsMultiline(w, 'Annotations', md.annotations);
    for (const [header, names] of sections) {
      if (names.length === 0) w.write(LEVEL_0, `${header}\t<none>\n`);
      for (const [i, name] of names.entries())
        w.write(LEVEL_0, `${i === 0 ? header : EMPTY_HEADER}\t${name}\n`);
    }
    describeEvents(events, w, ctx.now);
  });
}
