// LimitRange describer, as kubectl 1.32's describeLimitRange (no events).

import type { LimitRange } from 'kubernetes-types/core/v1.js';
import type { DescribeContext } from './context.js';
import type { Stored } from './format.js';
import { describeLimitRangeSpec } from './namespace.js';
import { LEVEL_0, tabbed } from './prefix-writer.js';

export async function describeLimitRange(_ctx: DescribeContext, lr: Stored<LimitRange>): Promise<string> {
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${lr.metadata.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${lr.metadata.namespace ?? ''}\n`);
    w.write(LEVEL_0, 'Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n');
    w.write(LEVEL_0, '----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n');
    describeLimitRangeSpec(lr, '', w);
  });
}
