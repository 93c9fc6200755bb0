// `kubently clusters`: the clusters the key may use, with agent connectivity.

import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { render } from '../output.js';

interface ClusterRow {
  cluster_id: string;
  connected: boolean;
  last_seen: string | null;
  agents?: number;
}

export function registerClusters(program: Command, ctx: CliContext): void {
  program
    .command('clusters')
    .description('list the clusters you may use and whether their agent is connected')
    .action(async () => {
      const client = await ctx.client();
      const { body } = await client.request<{ clusters: ClusterRow[] }>('GET', '/clusters');
      ctx.stdout.write(
        render(
          ctx.output(),
          body.clusters,
          [
            { header: 'CLUSTER', value: (c) => c.cluster_id },
            { header: 'CONNECTED', value: (c) => (c.connected ? 'yes' : 'no') },
            { header: 'AGENTS', value: (c) => c.agents },
            { header: 'LAST SEEN', value: (c) => c.last_seen },
          ],
          body,
        ),
      );
    });
}
