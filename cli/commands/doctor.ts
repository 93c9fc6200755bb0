// `kubently doctor [--cluster <id>|--all]`: the post-deployment security checklist, run against a live
// deployment with the caller's credential. Prints a table (check, cluster, result, evidence, what to do),
// or JSON with -o json; exits 1 when any check fails.

import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { CheckRow } from '../doctor/check.js';
import { runDoctor } from '../doctor/run.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { render } from '../output.js';

interface DoctorOptions {
  cluster?: string;
  all?: boolean;
  wait: number;
  auditLog?: string;
  auditKeyFile?: string;
  auditMetricsUrl?: string;
}

function parseWait(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 600)
    throw new CliError(`--wait must be a number of seconds from 1 to 600, got ${value}`, EXIT.usage);
  return n;
}

export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description(
      'run the post-deployment security checklist: authentication, command filtering, transport, audit, metrics exposure',
    )
    .option('--cluster <id>', 'check this cluster only')
    .option('--all', 'check every cluster you may use (the default)')
    .option('--wait <seconds>', 'how long to wait for audit records to appear (default 15)', parseWait, 15)
    .option('--audit-log <file>', "the audit consumer's log file, when readable here: verify its chain")
    .option('--audit-key-file <file>', 'the chain key (AUDIT_CHAIN_KEY_FILE) for --audit-log')
    .option(
      '--audit-metrics-url <url>',
      "the audit service's metrics URL (port 9464): check the consumer lag",
    )
    .action(async (opts: DoctorOptions) => {
      if (opts.cluster && opts.all) throw new CliError('give --cluster <id> or --all, not both', EXIT.usage);
      const settings = await ctx.settings();
      const client = await ctx.client();
      const { body } = await client.request<{ clusters: { cluster_id: string }[] }>('GET', '/clusters');
      const known = body.clusters.map((c) => c.cluster_id);
      if (opts.cluster && !known.includes(opts.cluster))
        throw new CliError(`cluster ${opts.cluster} is not one you may use`, EXIT.notFound, 'not_found');
      const rows = await runDoctor({
        client,
        apiUrl: settings.apiUrl.replace(/\/+$/, ''),
        fetch,
        clusters: opts.cluster ? [opts.cluster] : known,
        startedAt: new Date(Date.now() - 1000),
        nonce: randomBytes(8).toString('hex'),
        waitMs: opts.wait * 1000,
        auditLog: opts.auditLog,
        auditKeyFile: opts.auditKeyFile,
        auditMetricsUrl: opts.auditMetricsUrl,
      });
      const failed = rows.filter((r) => r.result === 'fail').length;
      ctx.stdout.write(
        render<CheckRow>(
          ctx.output(),
          rows,
          [
            { header: 'CHECK', value: (r) => r.check },
            { header: 'CLUSTER', value: (r) => r.cluster },
            { header: 'RESULT', value: (r) => r.result.toUpperCase() },
            { header: 'EVIDENCE', value: (r) => r.evidence },
            { header: 'WHAT TO DO', value: (r) => r.action },
          ],
          { ok: failed === 0, failed, checks: rows },
        ),
      );
      ctx.setExitCode(failed === 0 ? EXIT.ok : EXIT.failure);
    });
}
