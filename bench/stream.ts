// `npx tsx bench/stream.ts [--lines 200] [--disconnects 20]`: follow commands, measured on this machine.
// 1. Line delay: a line appended to a running container's log in the simulated apiserver until the SSE client
//    of `logs -f` (gateway, NATS, agent, sim) has it, against the floor of the same line reaching a client that
//    follows the sim's log directly over HTTP (same run, same machine): p50/p99 and the ratio.
// 2. Stop after disconnect: the SSE client aborts; time until the sim sees the agent's follow closed.

import { parseArgs } from 'node:util';
import { standInContext } from '../harness/stand-in-context.js';
import { readSse, startStreamingStack } from '../harness/stream.js';
import { type LatencySummary, summarize } from './lib/stats.js';

const { values: flags } = parseArgs({
  options: { lines: { type: 'string', default: '200' }, disconnects: { type: 'string', default: '20' } },
});
const LINES = Number(flags.lines);
const DISCONNECTS = Number(flags.disconnects);
const WEB = 'web-7c5ddbdf54-2xkqp';

/** Resolves when `check` is true, testing it each time `subscribe`'s callback fires. */
function waiter() {
  let pending: { check: () => boolean; resolve: () => void } | undefined;
  return {
    notify() {
      if (pending?.check()) {
        pending.resolve();
        pending = undefined;
      }
    },
    until(check: () => boolean): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve) => {
        pending = { check, resolve };
      });
    },
  };
}

async function lineDelays(
  append: (text: string) => void,
  seen: () => string,
  wait: ReturnType<typeof waiter>,
) {
  const samples: number[] = [];
  for (let i = 0; i < LINES + 20; i++) {
    const marker = `bench line ${i} ${process.hrtime.bigint()}`;
    const started = performance.now();
    append(marker);
    await wait.until(() => seen().endsWith(`${marker}\n`));
    if (i >= 20) samples.push(performance.now() - started);
  }
  return summarize(samples);
}

const fmt = (s: LatencySummary) =>
  `p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, max ${s.maxMs.toFixed(2)} ms (${s.samples} samples)`;

const { t, runTeardowns } = standInContext();
try {
  const s = await startStreamingStack(t);
  const append = (text: string) => s.sim.live.appendLog('default', WEB, 'nginx', text);

  // Floor: the sim's own follow, read directly over HTTP.
  const directClient = new AbortController();
  const direct = await fetch(
    `${s.sim.url}/api/v1/namespaces/default/pods/${WEB}/log?follow=true&tailLines=0`,
    {
      signal: directClient.signal,
    },
  );
  const floorWait = waiter();
  let directText = '';
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of direct.body as unknown as AsyncIterable<Uint8Array>) {
      directText += decoder.decode(chunk, { stream: true });
      floorWait.notify();
    }
  })().catch(() => {});
  const floor = await lineDelays(append, () => directText, floorWait);
  directClient.abort();

  // Through Kubently.
  const streamWait = waiter();
  const sseClient = new AbortController();
  const sse = readSse(await s.execute(`logs -f ${WEB} --tail=0`, { signal: sseClient.signal }), () =>
    streamWait.notify(),
  );
  const stream = await lineDelays(append, () => sse.state.output, streamWait);
  sseClient.abort();

  // Stop after the client disconnects.
  const stops: number[] = [];
  const open = () => s.sim.openStreams;
  for (let i = 0; i < DISCONNECTS; i++) {
    while (open() !== 0) await new Promise((r) => setTimeout(r, 5));
    const client = new AbortController();
    const follow = readSse(await s.execute(`logs -f ${WEB} --tail=1`, { signal: client.signal }));
    while (open() !== 1 || follow.state.output === '') await new Promise((r) => setTimeout(r, 1));
    const started = performance.now();
    client.abort();
    while (open() !== 0) await new Promise((r) => setImmediate(r));
    stops.push(performance.now() - started);
  }
  const stop = summarize(stops);

  process.stdout.write(
    [
      'follow commands (logs -f), this machine, one run:',
      `  line written in the sim -> client, direct HTTP follow (floor): ${fmt(floor)}`,
      `  line written in the sim -> SSE client through gateway, NATS and agent: ${fmt(stream)}`,
      `  ratio p50 ${(stream.p50Ms / floor.p50Ms).toFixed(1)}x the floor, absolute +${(stream.p50Ms - floor.p50Ms).toFixed(2)} ms`,
      `  client disconnect -> agent's apiserver follow closed: ${fmt(stop)}`,
      '',
    ].join('\n'),
  );
} finally {
  await runTeardowns();
}
