// Attacks on the streaming path (follow commands over SSE): a misbehaving agent of the cluster talking to the
// gateway's stream relay on a real nats-server (forged, duplicated, oversized and late chunks, stops ignored), a
// client that reads nothing, SSE framing injection from log lines, and Accept headers that do not ask for a stream.

import test, { type ExecutionContext } from 'ava';
import type { Command } from '../common/command/types.js';
import { KubentlyError } from '../common/errors.js';
import { formatSseEvent, takeSseEvents } from '../common/sse.js';
import { subjects } from '../common/subjects.js';
import { decodeJson, encodeJson, type ResultMessage } from '../common/wire.js';
import type { StreamAnswer, StreamEndReason, StreamMessage } from '../common/wire-stream.js';
import { createStreamRelay, type StreamOutcome } from '../gateway/stream-relay.js';
import { eventually } from '../harness/eventually.js';
import { startGatewayStack } from '../harness/gateway.js';
import { quietLog } from '../harness/log.js';
import { connectAs, startNats } from '../harness/nats-server.js';
import { readSse, startStreamingStack } from '../harness/stream.js';

const WEB = 'web-7c5ddbdf54-2xkqp';

/** The send of a relay whose agent never answers with a result: it rejects once the relay stops waiting. */
function neverAnswered(_command: Command, { signal }: { signal: AbortSignal }): Promise<ResultMessage> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () =>
      reject(new KubentlyError('service_unavailable', 'not waited for')),
    );
  });
}

interface RelayOptions {
  silenceMs?: number;
  stopGraceMs?: number;
  maxMs?: number;
  maxBytes?: number;
  /** What the client does with a chunk: takes it at once by default. */
  write?: (text: string) => Promise<void>;
}

/**
 * The gateway's stream relay for one command of c1, and a hand-driven c1 agent connection: `chunk` sends one
 * stream message as a request (the answer, or undefined when none came), `publish` sends one without a reply.
 */
async function relayWithRogueAgent(t: ExecutionContext, options: RelayOptions = {}) {
  const server = await startNats(t, { clusters: ['c1', 'c2'] });
  const gateway = await connectAs(t, server, 'gateway');
  const agent = await connectAs(t, server, { agent: 'c1' });
  const relay = createStreamRelay({
    nc: gateway,
    log: quietLog(),
    send: neverAnswered,
    silenceMs: options.silenceMs ?? 60_000,
    stopGraceMs: options.stopGraceMs ?? 60_000,
  });
  t.teardown(() => relay.close());
  const command = { id: 'cmd-1', clusterId: 'c1' } as Command;
  const writes: string[] = [];
  const client = new AbortController();
  const outcome: Promise<StreamOutcome> = relay.stream(command, {
    started() {},
    write(text) {
      writes.push(text);
      return options.write ? options.write(text) : Promise.resolve();
    },
    signal: client.signal,
    maxMs: options.maxMs ?? 60_000,
    maxBytes: options.maxBytes ?? 1024 * 1024,
  });
  // The relay's subscription reaches the server before the agent publishes.
  await gateway.flush();
  const subject = subjects.stream('c1', command.id);
  const message = (m: Omit<StreamMessage, 'v'>) => encodeJson({ v: 1, ...m });
  return {
    server,
    outcome,
    writes,
    client,
    async chunk(m: Omit<StreamMessage, 'v'>, timeout = 5_000): Promise<StreamAnswer | undefined> {
      const reply = await agent.request(subject, message(m), { timeout }).catch(() => undefined);
      return reply && decodeJson<StreamAnswer>(reply.data);
    },
    async publish(m: Omit<StreamMessage, 'v'>): Promise<void> {
      agent.publish(subject, message(m));
      await agent.flush();
    },
    /** A successful end message, as the agent sends it (without a reply). */
    end(seq: number, reason: StreamEndReason): Promise<void> {
      return this.publish({ seq, kind: 'end', status: 'success', error: null, truncated: false, reason });
    },
  };
}

test('attack stream - a client that reads nothing for longer than the agent silence is not blamed on the agent: the stream runs to its cap', async (t) => {
  // The client never takes its first chunk; the agent meanwhile waits for the answer, as it must.
  const r = await relayWithRogueAgent(t, {
    silenceMs: 200,
    maxMs: 1_500,
    stopGraceMs: 100,
    write: () => new Promise<void>(() => {}),
  });
  void r.chunk({ seq: 0, kind: 'output', data: 'first\n' }, 10_000);
  await eventually(t, () => r.writes.length === 1, { message: 'the chunk went to the client' });
  const ended = await r.outcome;
  t.like(ended, { kind: 'ended', reason: 'max_duration', error: null });
});

test('attack stream - a chunk over 16 KiB of UTF-8 (fewer than 16 Ki characters) is dropped, not written', async (t) => {
  const r = await relayWithRogueAgent(t);
  const big = 'é'.repeat(16 * 1024); // 32 KiB: within the schema's character count
  t.is(await r.chunk({ seq: 0, kind: 'output', data: big }, 500), undefined, 'not answered');
  t.deepEqual(await r.chunk({ seq: 0, kind: 'output', data: 'ok\n' }), { v: 1, seq: 0 });
  t.deepEqual(r.writes, ['ok\n']);
});

test('attack stream - duplicated, skipped and malformed sequence numbers and chunks after end never reach the client', async (t) => {
  const r = await relayWithRogueAgent(t);
  t.truthy(await r.chunk({ seq: 0, kind: 'output', data: 'a' }));
  await r.publish({ seq: 0, kind: 'output', data: 'replayed' });
  await r.publish({ seq: 2, kind: 'output', data: 'skipped ahead' });
  await r.publish({ seq: 1, kind: 'output', data: 'x'.repeat(10), extra: true } as Omit<StreamMessage, 'v'>);
  t.truthy(await r.chunk({ seq: 1, kind: 'output', data: 'b' }));
  await r.end(2, 'completed');
  await r.publish({ seq: 3, kind: 'output', data: 'after end' });
  t.like(await r.outcome, { kind: 'ended', reason: 'completed', bytes: 2 });
  t.deepEqual(r.writes, ['a', 'b']);
});

test('attack stream - an agent that ignores stop and keeps sending is cut off after the grace, and nothing after the stop is written', async (t) => {
  const r = await relayWithRogueAgent(t, { stopGraceMs: 2_000 });
  t.deepEqual(await r.chunk({ seq: 0, kind: 'output', data: 'before\n' }), { v: 1, seq: 0 });
  r.client.abort();
  const answers: StreamAnswer[] = [];
  let seq = 1;
  void (async () => {
    for (;;) {
      const answer = await r.chunk({ seq: seq++, kind: 'output', data: 'more\n' }, 2_000);
      if (answer === undefined) return;
      answers.push(answer);
    }
  })();
  const ended = await r.outcome;
  t.like(ended, { kind: 'ended', reason: 'client_closed', bytes: 7 });
  t.true(answers.length > 0 && answers.every((a) => a.stop === 'client_closed'), 'every answer said stop');
  t.deepEqual(r.writes, ['before\n']);
});

test('attack stream - log lines cannot frame their own SSE events: blank lines, CR, U+2028, event: and data: stay inside one output event', async (t) => {
  const evil = 'line\n\nevent: end\ndata: {"status":"success"}\n\r\rdata: x\r\n\u2028\u0000\u001b[2J\ud800';
  const wire = formatSseEvent('output', evil);
  t.is(wire.split(/\r\n|\r|\n/).length, 4, 'one event line, one data line, the blank line');
  t.false(/[\u2028\u2029]/.test(wire), 'no line end JavaScript sees either');
  const { events, rest } = takeSseEvents(wire);
  t.is(rest, '');
  t.is(events.length, 1);
  t.is(events[0]?.event, 'output');
  t.is(events[0]?.data, evil);
});

test('attack stream - Accept must ask for text/event-stream itself: q=0, a longer type or a wildcard get the follow hint; case and lists are honoured', async (t) => {
  const s = await startStreamingStack(t);
  for (const accept of [
    'text/event-stream;q=0',
    'text/event-stream; q=0.0, application/json',
    'text/event-streams',
    'application/json, text/event-stream-x',
    '*/*',
  ]) {
    const res = await s.execute(`logs -f ${WEB}`, { accept });
    t.is(res.status, 400, accept);
    t.is(
      ((await res.json()) as { details: { rule: string } }).details.rule,
      'follow_needs_event_stream',
      accept,
    );
  }
  const listed = await s.execute(`logs -f ${WEB} --tail=1`, {
    accept: 'application/json;q=0.5, TEXT/Event-Stream;q=0.9',
  });
  t.is(listed.status, 200);
  t.regex(listed.headers.get('content-type') ?? '', /^text\/event-stream/);
  const sse = readSse(listed);
  await eventually(t, () => sse.state.output !== '', { message: 'the stream runs' });
  await sse.cancel();
  await eventually(t, () => s.sim.openStreams === 0, { message: 'the follow closed' });
});

test('attack stream - a U+2028 written by an older gateway still parses: the reader splits lines at LF only', (t) => {
  const raw = `event: output\ndata: ${JSON.stringify('a\u2028b\u2029c')}\n\n`;
  t.deepEqual(takeSseEvents(raw).events, [{ event: 'output', data: 'a\u2028b\u2029c' }]);
});

test('attack stream - a client that reads nothing does not keep its socket once the stream ended at its cap', async (t) => {
  const s = await startStreamingStack(t, { policyExtra: 'limits: { stream: { maxSeconds: 10 } }\n' });
  const sse = readSse(await s.execute(`logs -f ${WEB} --tail=0`));
  t.teardown(() => sse.cancel());
  await eventually(t, () => s.sim.openStreams === 1, { message: 'the follow is open' });
  sse.pause();
  for (let i = 0; i < 1152; i++) s.sim.live.appendLog('default', WEB, 'nginx', 'z'.repeat(8191));
  await eventually(t, () => s.sim.streamBacklog > 3 * 1024 * 1024, {
    message: 'every buffer to the client is full',
    timeoutMs: 30_000,
  });
  const record = await eventually(t, () => s.stack.captured.of('command_executed')[0], {
    message: 'the stream ended at its cap',
    timeoutMs: 30_000,
  });
  t.like(record.details, { reason: 'max_duration', streamed: true });
  const connections = () =>
    new Promise<number>((resolve) => s.stack.app.server.getConnections((_err, n) => resolve(n)));
  await eventually(t, async () => (await connections()) === 0, {
    message: 'the gateway closed the unread socket',
    timeoutMs: 20_000,
  });
  t.is(sse.state.end, undefined, 'the client read nothing');
});

test('attack stream - an agent cannot have the audit say the client left: its client_closed without a stop ends as completed', async (t) => {
  const r = await relayWithRogueAgent(t);
  t.truthy(await r.chunk({ seq: 0, kind: 'output', data: 'a' }));
  await r.end(1, 'client_closed');
  t.like(await r.outcome, { kind: 'ended', reason: 'completed' });
});

test('attack stream - a follow command sent to /fleet/execute is refused for the whole request (400) and sent to no cluster', async (t) => {
  const s = await startGatewayStack(t, { agents: { c1: 'answer', c2: 'answer' }, redis: false });
  for (const command of [
    `logs -f ${WEB}`,
    'get pods --watch-only',
    'events -w',
    'rollout status deployment/web',
  ]) {
    const res = await s.app.inject({
      method: 'POST',
      url: '/fleet/execute',
      headers: { ...s.as('alice'), accept: 'text/event-stream' },
      payload: { clusters: ['c1', 'c2'], command },
    });
    t.is(res.statusCode, 400, command);
    const body = res.json() as { error: string; message: string; details: { rule: string } };
    t.is(body.details.rule, 'follow_needs_event_stream', command);
    t.regex(body.message, /POST \/debug\/execute/, command);
  }
  t.is(s.agents.c1!.received.length + s.agents.c2!.received.length, 0, 'no agent was sent anything');
  t.is(s.captured.of('command_attempt').length, 0);
});

test('attack stream - an agent that ignores the byte cap gets no byte past it: the gateway cuts, says stop and writes nothing more', async (t) => {
  const r = await relayWithRogueAgent(t, { maxBytes: 5, stopGraceMs: 60_000 });
  t.deepEqual(await r.chunk({ seq: 0, kind: 'output', data: 'abc' }), { v: 1, seq: 0 });
  t.deepEqual(await r.chunk({ seq: 1, kind: 'output', data: 'déf' }), { v: 1, seq: 1, stop: 'max_bytes' });
  t.deepEqual(await r.chunk({ seq: 2, kind: 'output', data: 'ghi' }), { v: 1, seq: 2, stop: 'max_bytes' });
  await r.end(3, 'completed');
  t.like(await r.outcome, { kind: 'ended', reason: 'max_bytes', truncated: true, bytes: 4 });
  t.deepEqual(r.writes, ['abc', 'd'], 'é would be the 5th and 6th byte: cut before it');
});

test('attack stream - bytes that are not UTF-8 reach the client as U+FFFD, counted as written', async (t) => {
  const r = await relayWithRogueAgent(t);
  const raw = Buffer.concat([
    Buffer.from('{"v":1,"seq":0,"kind":"output","data":"a'),
    Buffer.from([0xff, 0xc3]),
    Buffer.from('b"}'),
  ]);
  const agent = await connectAs(t, r.server, { agent: 'c1' });
  const reply = await agent.request(subjects.stream('c1', 'cmd-1'), raw, { timeout: 5_000 });
  t.deepEqual(decodeJson(reply.data), { v: 1, seq: 0 });
  t.deepEqual(r.writes, ['a\ufffd\ufffdb']);
});

test('attack stream - a client that leaves before the agent starts ends the wait after the grace, not at the command timeout', async (t) => {
  const r = await relayWithRogueAgent(t, { stopGraceMs: 200 });
  r.client.abort();
  t.like(await r.outcome, { kind: 'ended', reason: 'client_closed', started: false, bytes: 0 });
});

test('attack stream - parallel follow requests of one identity cannot race past MAX_STREAMS_PER_IDENTITY', async (t) => {
  const s = await startStreamingStack(t, { config: { maxStreamsPerIdentity: 1 } });
  const responses = await Promise.all(Array.from({ length: 6 }, () => s.execute(`logs -f ${WEB} --tail=1`)));
  t.deepEqual(responses.map((r) => r.status).sort(), [200, 429, 429, 429, 429, 429]);
  for (const res of responses) {
    if (res.status === 200) await readSse(res).cancel();
    else await res.body?.cancel();
  }
  await eventually(t, () => s.sim.openStreams === 0, { message: 'the one follow closed' });
});
