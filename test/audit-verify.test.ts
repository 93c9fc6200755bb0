import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { type ChainState, chainLine, EMPTY_CHAIN } from '../audit/hash-chain.js';
import { runVerifyCommand, verifyAuditLog } from '../audit/verify.js';
import { toAuditRecord } from '../common/audit/events.js';
import { tempDir } from '../harness/audit.js';

async function writeChain(dir: string, count: number): Promise<{ path: string; lines: string[] }> {
  let state: ChainState = EMPTY_CHAIN;
  const lines: string[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const record = toAuditRecord({ event_type: 'command_executed', identity: 'alice', details: { n: seq } });
    const linked = chainLine({ seq, ...record }, state);
    lines.push(linked.text);
    state = linked.state;
  }
  const path = join(dir, 'audit.log');
  await writeFile(path, lines.join(''));
  return { path, lines };
}

test('verify - accepts an intact chain', async (t) => {
  const { path } = await writeChain(await tempDir(t), 10);
  t.like(await verifyAuditLog(path), { ok: true, lines: 10, firstBrokenLine: undefined });
});

test('verify - names an edited line', async (t) => {
  const { path, lines } = await writeChain(await tempDir(t), 10);
  lines[6] = lines[6]!.replace('"identity":"alice"', '"identity":"mallory"');
  await writeFile(path, lines.join(''));
  t.like(await verifyAuditLog(path), {
    ok: false,
    firstBrokenLine: 7,
    reason: 'content does not match its hash (line edited)',
  });
});

test('verify - names the line after a removed one', async (t) => {
  const { path, lines } = await writeChain(await tempDir(t), 10);
  lines.splice(3, 1);
  await writeFile(path, lines.join(''));
  const result = await verifyAuditLog(path);
  t.like(result, { ok: false, firstBrokenLine: 4 });
  t.regex(result.reason!, /prev_hash/);
});

test('verify - names the first of two swapped lines', async (t) => {
  const { path, lines } = await writeChain(await tempDir(t), 10);
  [lines[4], lines[5]] = [lines[5]!, lines[4]!];
  await writeFile(path, lines.join(''));
  t.like(await verifyAuditLog(path), { ok: false, firstBrokenLine: 5 });
});

test('verify - an edit that also recomputes the line hash still breaks the next line', async (t) => {
  const { path } = await writeChain(await tempDir(t), 5);
  const parsed = (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const { hash: _h, prev_hash, ...content } = parsed[1];
  const forged = chainLine({ ...content, identity: 'mallory' }, { lastSeq: 1, lastHash: prev_hash });
  const texts = parsed.map((l) => `${JSON.stringify(l)}\n`);
  texts[1] = forged.text;
  await writeFile(path, texts.join(''));
  t.like(await verifyAuditLog(path), { ok: false, firstBrokenLine: 3 });
});

test('verify - the command prints the result and exits 0 or 1', async (t) => {
  const { path, lines } = await writeChain(await tempDir(t), 3);
  let out = '';
  const sink = {
    write: (s: string) => {
      out += s;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  t.is(await runVerifyCommand([path], sink), 0);
  t.like(JSON.parse(out), { ok: true, lines: 3 });
  await writeFile(path, lines.slice(1).join(''));
  out = '';
  t.is(
    await runVerifyCommand([path], sink),
    0,
    'a chain whose older files were rotated away starts at an anchor',
  );
  t.truthy(JSON.parse(out).anchor);
  await writeFile(path, `${lines[0]}not json\n`);
  out = '';
  t.is(await runVerifyCommand([path], sink), 1);
  t.like(JSON.parse(out), { ok: false, firstBrokenLine: 2, reason: 'not valid JSON' });
  t.is(await runVerifyCommand([join(path, 'missing')], sink), 1);
});
