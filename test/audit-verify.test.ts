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
    reason: 'content does not match its hash (line edited, or another chain key)',
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
    1,
    'a chain that does not start at genesis is cut, unless the anchor says where it legitimately begins',
  );
  const { anchor } = JSON.parse(out);
  t.truthy(anchor);
  out = '';
  t.is(await runVerifyCommand([path, '--anchor', `1:${anchor}`], sink), 0);
  await writeFile(path, `${lines[0]}not json\n`);
  out = '';
  t.is(await runVerifyCommand([path], sink), 1);
  t.like(JSON.parse(out), { ok: false, firstBrokenLine: 2, reason: 'not valid JSON' });
  t.is(await runVerifyCommand([join(path, 'missing')], sink), 1);
});

const KEY = Buffer.from('k'.repeat(48));

async function writeKeyedChain(dir: string, count: number): Promise<{ path: string; lines: string[] }> {
  let state: ChainState = EMPTY_CHAIN;
  const lines: string[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const record = toAuditRecord({ event_type: 'command_executed', identity: 'alice', details: { n: seq } });
    const linked = chainLine({ seq, ...record }, state, KEY);
    lines.push(linked.text);
    state = linked.state;
  }
  const path = join(dir, 'audit.log');
  await writeFile(path, lines.join(''));
  return { path, lines };
}

/** What someone holding only the file can do: rewrite it and recompute every hash, with any key but the writer's. */
function recomputed(lines: string[], key?: Buffer): string[] {
  let state: ChainState = EMPTY_CHAIN;
  return lines.map((text) => {
    const { hash: _h, prev_hash: _p, ...content } = JSON.parse(text);
    const linked = chainLine(content, state, key);
    state = linked.state;
    return linked.text;
  });
}

test('verify - a keyed chain reports first and last sequence, count and anchor', async (t) => {
  const { path } = await writeKeyedChain(await tempDir(t), 10);
  t.like(await verifyAuditLog(path, { key: KEY }), {
    ok: true,
    firstSeq: 1,
    lastSeq: 10,
    count: 10,
    anchor: undefined,
    keyed: true,
  });
  t.like(await verifyAuditLog(path, { key: Buffer.from('x'.repeat(48)) }), { ok: false, firstBrokenLine: 1 });
});

test('verify - with the key, edits, deletions and reorderings fail even after the chain is recomputed', async (t) => {
  const dir = await tempDir(t);
  const { path, lines } = await writeKeyedChain(dir, 10);
  const attacks: Record<string, string[]> = {
    edit: lines.map((l, i) => (i === 6 ? l.replace('"identity":"alice"', '"identity":"mallory"') : l)),
    delete: lines.filter((_, i) => i !== 3),
    reorder: [...lines.slice(0, 4), lines[5]!, lines[4]!, ...lines.slice(6)],
  };
  for (const [name, forged] of Object.entries(attacks)) {
    for (const [how, text] of [
      ['as is', forged],
      ['recomputed unkeyed', recomputed(forged)],
      ['recomputed with a guessed key', recomputed(forged, Buffer.from('guess'.repeat(10)))],
    ] as const) {
      await writeFile(path, text.join(''));
      const result = await verifyAuditLog(path, { key: KEY });
      t.false(result.ok, `${name} ${how}`);
    }
  }
});

test('verify - a log cut at the start or the end fails; a legitimate start is given as the anchor', async (t) => {
  const { path, lines } = await writeKeyedChain(await tempDir(t), 10);
  const third = JSON.parse(lines[2]!) as { seq: number; hash: string };
  await writeFile(path, lines.slice(3).join(''));
  const cutStart = await verifyAuditLog(path, { key: KEY });
  t.like(cutStart, { ok: false, firstBrokenLine: 1, firstSeq: 4, anchor: third.hash });
  t.regex(cutStart.reason!, /cut from the start/);
  t.like(await verifyAuditLog(path, { key: KEY, anchor: { seq: third.seq, hash: third.hash } }), {
    ok: true,
    firstSeq: 4,
    lastSeq: 10,
    count: 7,
  });
  // An anchor further back does not cover a cut.
  const second = JSON.parse(lines[1]!) as { seq: number; hash: string };
  t.false((await verifyAuditLog(path, { key: KEY, anchor: second })).ok);

  await writeFile(path, lines.slice(0, 8).join(''));
  const cutEnd = await verifyAuditLog(path, { key: KEY, minLastSeq: 10 });
  t.like(cutEnd, { ok: false, lastSeq: 8, count: 8 });
  t.regex(cutEnd.reason!, /cut from the end/);
  t.true((await verifyAuditLog(path, { key: KEY, minLastSeq: 8 })).ok);
});

test('verify - a line that is valid JSON with the right hash but not in canonical form fails', async (t) => {
  const { path, lines } = await writeKeyedChain(await tempDir(t), 5);
  const parsed = JSON.parse(lines[2]!);
  for (const variant of [
    `${JSON.stringify(parsed, null, 1).replace(/\n/g, '')}\n`, // spaces
    `${JSON.stringify({ hash: parsed.hash, ...parsed })}\n`, // hash first, keys in another order
    lines[2]!.replace('"identity":"alice"', '"identity":"\\u0061lice"'), // an escape for the same text
    lines[2]!.replace('{', '{"identity":"mallory",'), // a duplicate key JSON.parse resolves to the last
  ]) {
    await writeFile(path, [...lines.slice(0, 2), variant, ...lines.slice(3)].join(''));
    const result = await verifyAuditLog(path, { key: KEY });
    t.like(result, { ok: false, firstBrokenLine: 3 }, variant);
  }
});

test('verify - the command takes the key file, the anchor and the expected last sequence', async (t) => {
  const dir = await tempDir(t);
  const { path, lines } = await writeKeyedChain(dir, 4);
  const keyFile = join(dir, 'chain.key');
  await writeFile(keyFile, `${KEY.toString()}\n`);
  let out = '';
  const sink = {
    write: (s: string) => {
      out += s;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  t.is(await runVerifyCommand([path, '--key-file', keyFile, '--min-last-seq', '4'], sink), 0);
  t.like(JSON.parse(out), { ok: true, keyed: true, firstSeq: 1, lastSeq: 4, count: 4 });
  out = '';
  t.is(await runVerifyCommand([path, '--key-file', keyFile, '--min-last-seq', '5'], sink), 1);
  const first = JSON.parse(lines[0]!) as { seq: number; hash: string };
  await writeFile(path, lines.slice(1).join(''));
  out = '';
  t.is(
    await runVerifyCommand([path, '--key-file', keyFile, '--anchor', `${first.seq}:${first.hash}`], sink),
    0,
  );
  out = '';
  t.is(await runVerifyCommand([path, '--anchor', 'nope'], sink), 2);
  t.regex(out, /--anchor takes SEQ:HASH/);
  await writeFile(join(dir, 'short.key'), 'short');
  t.is(await runVerifyCommand([path, '--key-file', join(dir, 'short.key')], sink), 2);
});
