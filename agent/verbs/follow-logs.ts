// kubectl logs -f: the same pods and containers as kubectl logs, each log read as the kubelet writes it. One
// stream is copied as its bytes arrive; several (-l, --all-containers) run at once and are copied a whole line
// at a time (with --prefix, too), as kubectl's parallel consumer does, so their lines never mix within a line.

import { StringDecoder } from 'node:string_decoder';
import type { Command } from '../../common/command/types.js';
import type { FollowOutcome, StreamSink } from '../executor-types.js';
import type { VerbContext } from './context.js';
import { containersOf, effectiveTail, logQuery, podsToRead, prefixLines } from './logs.js';

/** kubectl logs --max-log-requests default: the most logs one -f follows at once. */
export const MAX_FOLLOWED_LOGS = 5;
/** The most characters of one unfinished line held while several logs are followed. */
const MAX_PARTIAL_LINE = 64 * 1024;

export async function followLogs(
  ctx: VerbContext,
  command: Command,
  sink: StreamSink,
): Promise<FollowOutcome> {
  const read = await podsToRead(ctx, command);
  if (!('pods' in read)) {
    if (read.output !== '') await sink.write(read.output);
    return { status: read.error === null ? 'success' : 'failure', error: read.error };
  }
  const tail = effectiveTail(command, ctx);
  const plan = read.pods.map((pod) => ({ pod, ...containersOf(pod, command) }));
  const streams = plan.flatMap(({ pod, containers }) =>
    containers.map((container) => ({
      path: `${read.podsPath}/${encodeURIComponent(pod.metadata.name)}/log`,
      query: { ...logQuery(command, container, tail), follow: true },
      prefix: command.flags.prefix ? `[pod/${pod.metadata.name}/${container}] ` : undefined,
    })),
  );
  if (streams.length > MAX_FOLLOWED_LOGS) {
    return {
      status: 'failure',
      error: `error: you are attempting to follow ${streams.length} log streams, but maximum allowed concurrency is ${MAX_FOLLOWED_LOGS}, use --max-log-requests to increase the limit`,
    };
  }
  // kubectl's "Defaulted container" notices go to stderr before any log line: they lead here, as in kubectl logs.
  const notices = plan.flatMap((p) => p.notices).join('');
  if (notices !== '') await sink.write(notices);
  const byLine = streams.length > 1 || command.flags.prefix === true;
  // One writer at a time: parallel streams take turns, each waiting for the sink's credit.
  let turn = Promise.resolve();
  const write = (text: string): Promise<void> => {
    turn = turn.then(() => sink.write(text));
    return turn;
  };
  // The first stream that fails closes the others, as kubectl stops at the first error.
  const failed = new AbortController();
  const signal = AbortSignal.any([ctx.signal, failed.signal]);
  const copy = async ({ path, query, prefix }: (typeof streams)[number]) => {
    const lines = (text: string) => (prefix === undefined ? text : prefixLines(text, prefix));
    const res = await ctx.kube.open(path, { accept: '*/*', query, signal });
    const decoder = new StringDecoder('utf8');
    let partial = '';
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        const text = decoder.write(chunk);
        if (!byLine) {
          if (text !== '') await write(text);
          continue;
        }
        const cut = text.lastIndexOf('\n');
        if (cut < 0) {
          partial += text;
          continue;
        }
        await write(lines(partial + text.slice(0, cut + 1)));
        partial = text.slice(cut + 1);
        if (partial.length > MAX_PARTIAL_LINE) {
          // A line this long is passed on in pieces rather than held.
          await write(lines(partial));
          partial = '';
        }
      }
      const rest = partial + decoder.end();
      if (rest !== '') await write(lines(rest));
    } finally {
      res.destroy();
    }
  };
  await Promise.all(
    streams.map((stream) =>
      copy(stream).catch((err: unknown) => {
        failed.abort(err);
        throw err;
      }),
    ),
  );
  return { status: 'success', error: null };
}
