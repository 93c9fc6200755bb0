// `kubently session create|show|end|list`.

import type { Command } from 'commander';
import type { SessionBody, SessionRequestBody } from '../../common/api.js';
import type { CliContext } from '../context.js';
import { type Column, render } from '../output.js';

const columns: Column<SessionBody>[] = [
  { header: 'SESSION', value: (s) => s.session_id },
  { header: 'CLUSTER', value: (s) => s.cluster_id },
  { header: 'STATUS', value: (s) => s.status },
  { header: 'COMMANDS', value: (s) => s.commands_executed },
  { header: 'CREATED', value: (s) => s.created_at },
  { header: 'EXPIRES', value: (s) => s.expires_at },
];

export function registerSession(program: Command, ctx: CliContext): void {
  const session = program.command('session').description('create, show, end and list your debug sessions');

  session
    .command('create')
    .argument('<cluster>', 'cluster id')
    .option('--ttl <seconds>', 'session lifetime in seconds', (v) => Number.parseInt(v, 10))
    .option('--user <id>', 'user id recorded with the session')
    .option('--correlation-id <id>', 'correlation id recorded with the session')
    .description('open a session on a cluster')
    .action(async (cluster: string, opts: { ttl?: number; user?: string; correlationId?: string }) => {
      const client = await ctx.client();
      const body: SessionRequestBody = { cluster_id: cluster };
      if (opts.ttl !== undefined) body.ttl_seconds = opts.ttl;
      if (opts.user) body.user_id = opts.user;
      if (opts.correlationId) body.correlation_id = opts.correlationId;
      const { body: created } = await client.request<SessionBody>('POST', '/debug/session', body);
      ctx.stdout.write(
        ctx.output() === 'table'
          ? `${created.session_id}\n`
          : render(ctx.output(), [created], columns, created),
      );
    });

  session
    .command('show')
    .argument('<id>', 'session id')
    .description('show one of your sessions')
    .action(async (id: string) => {
      const client = await ctx.client();
      const { body } = await client.request<SessionBody>('GET', `/debug/session/${encodeURIComponent(id)}`);
      ctx.stdout.write(render(ctx.output(), [body], columns, body));
    });

  session
    .command('end')
    .argument('<id>', 'session id')
    .description('end one of your sessions')
    .action(async (id: string) => {
      const client = await ctx.client();
      await client.request('DELETE', `/debug/session/${encodeURIComponent(id)}`);
      ctx.stdout.write(`session ${id} ended\n`);
    });

  session
    .command('list')
    .description('list your sessions')
    .action(async () => {
      const client = await ctx.client();
      const { body } = await client.request<{ sessions: SessionBody[] }>('GET', '/debug/sessions');
      ctx.stdout.write(render(ctx.output(), body.sessions, columns, body));
    });
}
