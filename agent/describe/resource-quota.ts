// ResourceQuota describer, as kubectl 1.32's describeQuota (no events).

import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { DescribeContext } from './context.js';
import { type Stored, sortedKeys, sortStrings } from './format.js';
import { QUOTA_SCOPE_HELP } from './namespace.js';
import { LEVEL_0, tabbed } from './prefix-writer.js';
import { canonicalQuantity } from './quantity.js';

export async function describeResourceQuota(
  _ctx: DescribeContext,
  quota: Stored<ResourceQuota>,
): Promise<string> {
  return tabbed((w) => {
    w.write(LEVEL_0, `Name:\t${quota.metadata.name}\n`);
    w.write(LEVEL_0, `Namespace:\t${quota.metadata.namespace ?? ''}\n`);
    const scopes = sortStrings([...(quota.spec?.scopes ?? [])]);
    if (scopes.length > 0) {
      w.write(LEVEL_0, `Scopes:\t${scopes.join(', ')}\n`);
      for (const s of scopes) if (QUOTA_SCOPE_HELP[s]) w.write(LEVEL_0, ` * ${QUOTA_SCOPE_HELP[s]}\n`);
    }
    w.write(LEVEL_0, 'Resource\tUsed\tHard\n');
    w.write(LEVEL_0, '--------\t----\t----\n');
    for (const r of sortedKeys(quota.status?.hard)) {
      w.write(
        LEVEL_0,
        `${r}\t${canonicalQuantity(quota.status?.used?.[r] ?? '0')}\t${canonicalQuantity(quota.status?.hard?.[r])}\n`,
      );
    }
  });
}
