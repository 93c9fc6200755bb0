// `kubently audit verify-output <command_id> < saved-output`: is this saved copy the output the gateway sent?
// Compares the copy's SHA-256 and byte count with those of the command's `command_executed` record, read
// back through GET /audit (so only the caller's own commands).

import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import type { AuditAnswer } from '../../common/api-audit.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

/** What the command prints with `-o json`; `recorded` is null when no record carries a digest. */
export interface VerifyOutputResult {
  command_id: string;
  match: boolean;
  received: { output_sha256: string; output_bytes: number };
  recorded: {
    output_sha256: string;
    output_bytes: number;
    timestamp: string;
    cluster_id: string | null;
  } | null;
}

/** SHA-256 and byte count of a stream, read once without holding it: a saved output may be large. */
async function digestOf(
  input: NodeJS.ReadableStream,
): Promise<{ output_sha256: string; output_bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of input) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    hash.update(b);
    bytes += b.byteLength;
  }
  return { output_sha256: hash.digest('hex'), output_bytes: bytes };
}

const COMMAND_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function registerVerifyOutput(audit: Command, ctx: CliContext): void {
  audit
    .command('verify-output')
    .argument('<command_id>', 'the command whose output was saved (its result has command_id)')
    .description(
      'check a saved output (on standard input) against the SHA-256 and size its audit record kept; ' +
        'exit 0 when it is what the gateway sent, 1 when it differs, 6 when no record of the command has a digest',
    )
    .action(async (commandId: string) => {
      if (!COMMAND_ID.test(commandId))
        throw new CliError(`not a command id: ${JSON.stringify(commandId)}`, EXIT.usage);
      const received = await digestOf(ctx.stdin);
      const client = await ctx.client();
      const query = new URLSearchParams({
        command_id: commandId,
        event_type: 'command_executed',
        limit: '10',
      });
      const { body } = await client.request<AuditAnswer>('GET', `/audit?${query}`);
      const entry = body.entries.find(
        (e) => typeof e.details.output_sha256 === 'string' && typeof e.details.output_bytes === 'number',
      );
      const recorded = entry
        ? {
            output_sha256: entry.details.output_sha256 as string,
            output_bytes: entry.details.output_bytes as number,
            timestamp: entry.timestamp,
            cluster_id: entry.cluster_id,
          }
        : null;
      const match =
        recorded !== null &&
        recorded.output_sha256 === received.output_sha256 &&
        recorded.output_bytes === received.output_bytes;
      const result: VerifyOutputResult = { command_id: commandId, match, received, recorded };
      if (ctx.output() === 'json') ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else ctx.stdout.write(`${summary(result)}\n`);
      ctx.setExitCode(match ? EXIT.ok : recorded === null ? EXIT.notFound : EXIT.failure);
    });
}

function summary(r: VerifyOutputResult): string {
  const got = `${r.received.output_bytes} bytes, sha256 ${r.received.output_sha256}`;
  if (r.recorded === null)
    return `NOT FOUND: none of your command_executed records for ${r.command_id} carries an output digest (the copy: ${got})`;
  const rec = `${r.recorded.output_bytes} bytes, sha256 ${r.recorded.output_sha256} (${r.recorded.cluster_id ?? '-'}, ${r.recorded.timestamp})`;
  return r.match
    ? `ok: the copy is the output sent: ${rec}`
    : `MISMATCH: the copy has ${got}; the record says ${rec}`;
}
