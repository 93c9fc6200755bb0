// Output digests: every command_executed record carries the SHA-256 and byte count of the output the caller
// received (never the output), and `kubently audit verify-output` proves a saved copy against it.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { AuditAnswer, AuditEntry } from '../common/api-audit.js';
import { outputDigest } from '../common/audit/output-digest.js';
import { eventually, scaled } from '../harness/eventually.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'kubently.js');

/** Output with multi-byte characters, a control character and no final newline: bytes ≠ characters. */
const TRICKY_OUTPUT = 'NAME  STATUS\nnaïve-🚀  Running\u001b[31m red\u0000 nul';

function kubently(args: string[], env: Record<string, string>, stdin: string | Buffer) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: tmpdir(), ...env },
      timeout: scaled(30_000),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

test('output digest - SHA-256 and length of the UTF-8 bytes, the same from a string or its bytes', (t) => {
  const bytes = Buffer.from(TRICKY_OUTPUT, 'utf8');
  const d = outputDigest(TRICKY_OUTPUT);
  t.is(d.output_bytes, bytes.byteLength);
  t.not(d.output_bytes, TRICKY_OUTPUT.length, 'bytes, not UTF-16 code units');
  t.is(d.output_sha256, createHash('sha256').update(bytes).digest('hex'));
  t.deepEqual(outputDigest(bytes), d);
  t.deepEqual(outputDigest(''), {
    output_sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    output_bytes: 0,
  });
});

async function stackWithOutput(t: ExecutionContext, output: string) {
  const s = await startGatewayStack(t, {
    audit: 'jetstream',
    redis: false,
    agents: { c1: () => ({ output }) },
  });
  const url = await s.app.listen({ host: '127.0.0.1', port: 0 });
  return { s, url, env: { KUBENTLY_API_URL: url, KUBENTLY_API_KEY: KEYS.alice } };
}

async function executedRecord(t: ExecutionContext, url: string, key: string, commandId: string) {
  return eventually(
    t,
    async () => {
      const res = await fetch(`${url}/audit?event_type=command_executed&command_id=${commandId}`, {
        headers: { 'x-api-key': key },
      });
      return ((await res.json()) as AuditAnswer).entries[0];
    },
    { message: `the command_executed record of ${commandId} is in the audit stream`, timeoutMs: 30_000 },
  );
}

test('output digest - the record carries the digest of exactly the bytes sent, and never the output', async (t) => {
  const { url } = await stackWithOutput(t, TRICKY_OUTPUT);
  const res = await fetch(`${url}/debug/execute`, {
    method: 'POST',
    headers: { 'x-api-key': KEYS.alice, 'content-type': 'application/json' },
    body: JSON.stringify({ cluster_id: 'c1', command: 'get pods' }),
  });
  t.is(res.status, 200);
  // The caller's bytes: the output string of the JSON answer as received on the wire.
  const sent = JSON.parse(await res.text()) as { command_id: string; output: string };
  t.is(sent.output, TRICKY_OUTPUT);
  const record: AuditEntry = await executedRecord(t, url, KEYS.alice, sent.command_id);
  t.is(record.details.output_bytes, Buffer.byteLength(sent.output, 'utf8'));
  t.is(record.details.output_sha256, createHash('sha256').update(sent.output, 'utf8').digest('hex'));
  const stored = JSON.stringify(record);
  t.false(stored.includes('naïve') || stored.includes('Running'), 'no part of the output is recorded');
});

test('output digest - verify-output: 0 for the copy sent, 1 for a copy one byte off, 6 for an unknown or foreign command, 2 for a bad id', async (t) => {
  const { url, env } = await stackWithOutput(t, TRICKY_OUTPUT);
  const res = await fetch(`${url}/debug/execute`, {
    method: 'POST',
    headers: { 'x-api-key': KEYS.alice, 'content-type': 'application/json' },
    body: JSON.stringify({ cluster_id: 'c1', command: 'get pods' }),
  });
  const { command_id: id, output } = (await res.json()) as { command_id: string; output: string };
  await executedRecord(t, url, KEYS.alice, id);

  const ok = await kubently(['audit', 'verify-output', id], env, Buffer.from(output, 'utf8'));
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /^ok: the copy is the output sent: \d+ bytes, sha256 [0-9a-f]{64}/);

  // The CLI's table output adds a final newline the output did not have: that copy is not what was sent.
  const withNewline = await kubently(['audit', 'verify-output', id], env, `${output}\n`);
  t.is(withNewline.code, 1);
  t.regex(withNewline.stdout, /^MISMATCH/);
  const flipped = Buffer.from(output, 'utf8');
  flipped[0] = flipped[0]! ^ 1;
  const json = await kubently(['audit', 'verify-output', id, '-o', 'json'], env, flipped);
  t.is(json.code, 1);
  const parsed = JSON.parse(json.stdout);
  t.false(parsed.match);
  t.is(parsed.received.output_bytes, parsed.recorded.output_bytes, 'same size, other bytes');

  const unknown = await kubently(
    ['audit', 'verify-output', '00000000-0000-4000-8000-000000000000'],
    env,
    output,
  );
  t.is(unknown.code, 6);
  t.regex(unknown.stdout, /^NOT FOUND/);
  // bob holds a copy of alice's output: GET /audit shows him only his own records.
  const foreign = await kubently(
    ['audit', 'verify-output', id],
    { ...env, KUBENTLY_API_KEY: KEYS.bob },
    output,
  );
  t.is(foreign.code, 6);
  const bad = await kubently(['audit', 'verify-output', 'x&limit=1000'], env, output);
  t.is(bad.code, 2);
});
