// `kubently audit` (your own records from the gateway), `kubently audit verify <file>` and `audit verify-output`.

import type { Command } from 'commander';
import { type VerifyCliOptions, verifyAuditLog, verifyOptionsFrom } from '../../audit/verify.js';
import type { AuditAnswer } from '../../common/api-audit.js';
import { AUDIT_MAX_LIMIT } from '../../common/audit/reader.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { unreadable } from '../files.js';
import { render } from '../output.js';
import { toIsoTime } from '../time.js';
import { registerVerifyOutput } from './audit-verify-output.js';

interface AuditOptions {
  cluster?: string;
  session?: string;
  type?: string;
  since?: string;
  until?: string;
  limit?: number;
}

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program
    .command('audit')
    .description('read your audit records, or verify an audit log file')
    .option('--cluster <id>', 'only this cluster')
    .option('--session <id>', 'only this session')
    .option('--type <event_type>', 'only this event type, e.g. unauthorized_command_attempt')
    .option('--since <time>', 'from this time: a duration (30m, 2h, 7d) or an ISO timestamp')
    .option('--until <time>', 'up to this time: a duration or an ISO timestamp')
    .option(`--limit <n>`, `at most this many records, 1 to ${AUDIT_MAX_LIMIT} (default 100)`, parseLimit)
    .action(async (opts: AuditOptions) => {
      const client = await ctx.client();
      const query = new URLSearchParams();
      if (opts.cluster) query.set('cluster_id', opts.cluster);
      if (opts.session) query.set('session_id', opts.session);
      if (opts.type) query.set('event_type', opts.type);
      if (opts.since) query.set('since', toIsoTime(opts.since));
      if (opts.until) query.set('until', toIsoTime(opts.until));
      if (opts.limit !== undefined) query.set('limit', String(opts.limit));
      const qs = query.size > 0 ? `?${query}` : '';
      const { body } = await client.request<AuditAnswer>('GET', `/audit${qs}`);
      ctx.stdout.write(
        render(
          ctx.output(),
          body.entries,
          [
            { header: 'TIME', value: (r) => r.timestamp },
            { header: 'EVENT', value: (r) => r.event_type },
            { header: 'CLUSTER', value: (r) => r.cluster_id },
            { header: 'SESSION', value: (r) => r.session_id },
            { header: 'OUTCOME', value: (r) => r.outcome },
            { header: 'COMMAND', value: (r) => r.command },
            { header: 'DETAILS', value: (r) => summarize(r.details) },
          ],
          body,
        ),
      );
    });

  audit
    .command('verify')
    .argument('<file>', 'an audit log file written by the audit consumer')
    .description("check the file's hash chain and report the first broken link")
    .option('--no-rotated', 'check only this file, not its rotated predecessors')
    .option('--key-file <file>', 'the chain key (AUDIT_CHAIN_KEY_FILE): check HMACs, not plain hashes')
    .option('--anchor <seq:hash>', 'the log legitimately begins after this line (from an earlier report)')
    .option(
      '--min-last-seq <n>',
      'the log must reach this stream sequence (what the stream says was written)',
    )
    .action(async (file: string, opts: VerifyCliOptions) => {
      const options = await verifyOptionsFrom(opts).catch((err: Error) => {
        throw new CliError(err.message, EXIT.usage);
      });
      const result = await verifyAuditLog(file, options).catch((err: unknown) => {
        throw unreadable('audit log', file, err);
      });
      if (ctx.output() === 'json') {
        ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else if (result.ok) {
        const from = result.anchor ? `after anchor ${result.anchor}` : 'from genesis';
        ctx.stdout.write(
          `ok: ${result.count} records, seq ${result.firstSeq ?? '-'}..${result.lastSeq ?? '-'}, ${from}, ` +
            `${result.keyed ? 'HMAC chain intact' : 'hash chain intact (no key: not tamper-evident)'} (${result.files.join(', ')})\n`,
        );
      } else {
        ctx.stdout.write(
          `BROKEN: ${result.file ?? file} line ${result.firstBrokenLine ?? '?'}: ${result.reason ?? 'chain broken'}\n`,
        );
      }
      ctx.setExitCode(result.ok ? EXIT.ok : EXIT.failure);
    });

  registerVerifyOutput(audit, ctx);
}

/** The gateway answers at most AUDIT_MAX_LIMIT records; say so here instead of sending a doomed request. */
function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > AUDIT_MAX_LIMIT)
    throw new CliError(
      `--limit must be a whole number from 1 to ${AUDIT_MAX_LIMIT}, got ${value}`,
      EXIT.usage,
    );
  return n;
}

function summarize(details: Record<string, unknown>): string {
  const parts: string[] = [];
  // status and argv are the OUTCOME and COMMAND columns.
  for (const key of ['verb', 'reason', 'rule']) {
    const value = details[key];
    if (value === undefined || value === null) continue;
    parts.push(`${key}=${Array.isArray(value) ? value.join(' ') : String(value)}`);
  }
  return parts.join(' ');
}
