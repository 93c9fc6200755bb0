// Follow commands end to end: POST /debug/execute with Accept: text/event-stream, a real agent streaming from
// the simulated apiserver over NATS with flow control, the caps of the policy and the audit record at the end.

import test from 'ava';
import { STREAM_SUBJECT_PREFIX, subjects } from '../common/subjects.js';
import { encodeJson } from '../common/wire.js';
import { eventually } from '../harness/eventually.js';
import { connectAs, expectDenied } from '../harness/nats-server.js';
import { readSse, startStreamingStack } from '../harness/stream.js';

const WEB = 'web-7c5ddbdf54-2xkqp';

test('stream - logs -f sends the tail, then each new line as it is written, and ends when the pod stops', async (t) => {
  const s = await startStreamingStack(t);
  const res = await s.execute(`logs -f ${WEB} --tail=1`);
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const sse = readSse(res);
  await eventually(t, () => sse.state.output.includes('GET /api/cart'), { message: 'the tail arrived' });
  s.sim.live.appendLog('default', WEB, 'nginx', 'first new line');
  await eventually(t, () => sse.state.output.endsWith('first new line\n'), {
    message: 'the new line arrived',
  });
  s.sim.live.appendLog('default', WEB, 'nginx', 'second new line');
  await eventually(t, () => sse.state.output.endsWith('second new line\n'), {
    message: 'the second line arrived',
  });
  s.sim.live.setPodPhase('default', WEB, 'Succeeded');
  await sse.done;
  t.like(sse.state.end, { status: 'success', reason: 'completed', truncated: false });
  t.is(sse.state.end?.bytes, Buffer.byteLength(sse.state.output));
  t.is(sse.state.events.at(-1)?.event, 'end', 'end comes last, once');
  t.is(sse.state.events.filter((e) => e.event === 'end').length, 1);
  const record = await eventually(
    t,
    () =>
      s.stack.captured
        .of('command_executed')
        .find((r) => (r.details as { streamed?: boolean } | undefined)?.streamed === true),
    { message: 'the stream was audited when it ended' },
  );
  t.like(record.details, { reason: 'completed', status: 'success', output_bytes: sse.state.end?.bytes });
  t.is(typeof record.details?.duration_ms, 'number');
});

test('stream - when the client goes away the agent closes its apiserver stream, and the audit says client_closed', async (t) => {
  const s = await startStreamingStack(t);
  const client = new AbortController();
  const sse = readSse(await s.execute(`logs -f ${WEB}`, { signal: client.signal }));
  await eventually(t, () => s.sim.openStreams === 1 && sse.state.output !== '', {
    message: 'the follow is open',
  });
  client.abort();
  await eventually(t, () => s.sim.openStreams === 0, {
    message: 'the agent closed its follow on the apiserver',
  });
  const record = await eventually(t, () => s.stack.captured.of('command_executed')[0], {
    message: 'the stream was audited',
  });
  t.like(record.details, { reason: 'client_closed', streamed: true });
});

test('stream - get -w prints the table, then a row per change; a watch closed by its client is closed on the apiserver', async (t) => {
  const s = await startStreamingStack(t);
  const client = new AbortController();
  const sse = readSse(await s.execute('get pods -w -l app=web', { signal: client.signal }));
  await eventually(t, () => sse.state.output.includes('NAME'), { message: 'the table arrived' });
  await eventually(t, () => s.sim.openStreams === 1, { message: 'the watch is open' });
  const before = sse.state.output;
  s.sim.live.setPodPhase('default', WEB, 'Pending');
  await eventually(t, () => sse.state.output.length > before.length, { message: 'the change arrived' });
  const row = sse.state.output.slice(before.length);
  t.regex(row, new RegExp(`^${WEB} +0/1 +ContainerCreating +0 +\\S+\\n$`));
  client.abort();
  await eventually(t, () => s.sim.openStreams === 0, { message: 'the agent closed its watch' });
});

test('stream - a follow command without Accept: text/event-stream is refused with the hint; get -f stays forbidden', async (t) => {
  const s = await startStreamingStack(t);
  const res = await s.execute(`logs -f ${WEB}`, { accept: 'application/json' });
  t.is(res.status, 400);
  const body = (await res.json()) as { error: string; message: string; details: { rule: string } };
  t.is(body.details.rule, 'follow_needs_event_stream');
  t.regex(body.message, /Accept: text\/event-stream/);
  const watch = await s.execute('get pods --watch-only', { accept: 'application/json' });
  t.is(watch.status, 400);
  const filename = await s.execute('get pods -f pods.yaml');
  t.is(filename.status, 403, '-f is a filename for get, never allowed');
  t.is(((await filename.json()) as { details: { rule: string } }).details.rule, 'forbidden_flag');
  const events = await s.execute('events --watch', { accept: 'application/json' });
  t.is(events.status, 400, 'events --watch follows too');
  const grep = await fetch(`${s.url}/debug/execute`, {
    method: 'POST',
    headers: { ...s.stack.as('alice'), 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ cluster_id: 'c1', command: `logs -f ${WEB}`, grep: ['error'] }),
  });
  t.is(grep.status, 400, 'grep shapes one finished output, not a stream');
  t.is(((await grep.json()) as { details: { rule: string } }).details.rule, 'grep_not_applicable');
  const plain = await s.execute(`logs ${WEB} --tail=1`);
  t.is(plain.status, 200, 'a command that does not follow answers JSON as before, whatever the Accept');
  t.regex(plain.headers.get('content-type') ?? '', /application\/json/);
  t.is(s.sim.openStreams, 0, 'nothing was followed');
});

test('stream - max bytes: the stream is cut at limits.stream.maxBytes and ends with max_bytes', async (t) => {
  const s = await startStreamingStack(t, { policyExtra: 'limits: { stream: { maxBytes: 2048 } }\n' });
  const sse = readSse(await s.execute(`logs -f ${WEB} --tail=0`));
  await eventually(t, () => s.sim.openStreams === 1, { message: 'the follow is open' });
  for (let i = 0; i < 50; i++) s.sim.live.appendLog('default', WEB, 'nginx', `line ${i} ${'x'.repeat(100)}`);
  await sse.done;
  t.like(sse.state.end, { reason: 'max_bytes', truncated: true });
  t.is(Buffer.byteLength(sse.state.output), 2048);
  await eventually(t, () => s.sim.openStreams === 0, { message: 'the agent closed its follow' });
});

test('stream - max duration: the stream ends with max_duration after limits.stream.maxSeconds', async (t) => {
  const s = await startStreamingStack(t, { policyExtra: 'limits: { stream: { maxSeconds: 1 } }\n' });
  const sse = readSse(await s.execute(`get pods -w`));
  await sse.done;
  t.like(sse.state.end, { reason: 'max_duration' });
  t.true(sse.state.output.includes('NAME'));
  await eventually(t, () => s.sim.openStreams === 0, { message: 'the agent closed its watch' });
});

test('stream - one identity streams at most MAX_STREAMS_PER_IDENTITY at once; one more answers 429', async (t) => {
  const s = await startStreamingStack(t, { config: { maxStreamsPerIdentity: 1 } });
  const client = new AbortController();
  const first = readSse(await s.execute(`logs -f ${WEB}`, { signal: client.signal }));
  await eventually(t, () => first.state.output !== '', { message: 'the first stream runs' });
  const second = await s.execute(`logs -f ${WEB}`);
  t.is(second.status, 429);
  t.is(((await second.json()) as { error: string }).error, 'rate_limited');
  const other = await s.execute(`logs -f ${WEB} --tail=1`, { who: 'admin' });
  t.is(other.status, 200, 'another identity still streams');
  const o = readSse(other);
  await eventually(t, () => o.state.output !== '', { message: 'the other identity streams' });
  await o.cancel();
  client.abort();
  await eventually(t, () => s.sim.openStreams === 0, { message: 'both follows closed' });
  const again = await s.execute(`logs -f ${WEB} --tail=1`);
  t.is(again.status, 200, 'the slot is free again once the stream ended');
  await readSse(again).cancel();
});

test('stream - another cluster cannot inject chunks: its account may not publish on c1 stream subjects, and its own never reach c1 streams', async (t) => {
  const s = await startStreamingStack(t);
  const sse = readSse(await s.execute(`logs -f ${WEB} --tail=1`));
  await eventually(t, () => sse.state.output !== '', { message: 'the stream runs' });
  const attempt = await eventually(t, () => s.stack.captured.of('command_attempt')[0], {
    message: 'the attempt was recorded',
  });
  const id = attempt.command_id!;
  const c2 = await connectAs(t, s.stack.server, { agent: 'c2' });
  await expectDenied(c2, 'publish', subjects.stream('c1', id));
  await expectDenied(c2, 'publish', `${STREAM_SUBJECT_PREFIX}.>`);
  // What c2 may publish, with this command's id and every plausible sequence number, lands on c2's subject.
  for (let seq = 0; seq < 20; seq++) {
    const forged = encodeJson({ v: 1, seq, kind: 'output', data: 'FORGED\n' });
    c2.publish(subjects.stream('c2', id), forged);
    await c2.request(subjects.stream('c2', id), forged, { timeout: 200 }).catch(() => undefined);
  }
  await c2.flush();
  // A positive signal after the forgeries: a real line written now arrives, and nothing forged came before it.
  s.sim.live.appendLog('default', WEB, 'nginx', 'real line after the forgeries');
  await eventually(t, () => sse.state.output.includes('real line after the forgeries'), {
    message: 'the real line arrived',
  });
  t.false(sse.state.output.includes('FORGED'));
  s.sim.live.setPodPhase('default', WEB, 'Succeeded');
  await sse.done;
  t.like(sse.state.end, { status: 'success', reason: 'completed' });
});

test('stream - a slow client pauses the agent: the apiserver backlog grows instead of memory, and every byte still arrives in order', async (t) => {
  const s = await startStreamingStack(t);
  const sse = readSse(await s.execute(`logs -f ${WEB} --tail=0`));
  await eventually(t, () => s.sim.openStreams === 1, { message: 'the follow is open' });
  sse.pause();
  const line = (i: number) => `${String(i).padStart(6, '0')} ${'y'.repeat(8184)}`;
  const lines = 1152; // 9 MiB, under the 10 MiB default cap
  for (let i = 0; i < lines; i++) s.sim.live.appendLog('default', WEB, 'nginx', line(i));
  // Stuck at the sim: the agent stopped reading because the gateway stopped answering its chunks.
  await eventually(t, () => s.sim.streamBacklog > 3 * 1024 * 1024, {
    message: 'the backlog piles up at the apiserver (the agent paused)',
    timeoutMs: 30_000,
  });
  sse.resume();
  const expected = Array.from({ length: lines }, (_, i) => `${line(i)}\n`).join('');
  await eventually(t, () => sse.state.output.length >= expected.length || sse.state.end, {
    message: 'everything arrived once the client read again',
    timeoutMs: 60_000,
  });
  t.is(sse.state.end, undefined, 'the stream is still running');
  t.is(sse.state.output.length, expected.length);
  t.true(sse.state.output === expected, 'in order, nothing lost, nothing doubled');
  await sse.cancel();
});
