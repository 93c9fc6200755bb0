// The events of an apiserver watch response: one JSON object per line, as the apiserver frames them over
// HTTP/1.1, parsed as they arrive. The response is destroyed when the caller stops reading.

import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';

/** The longest watch event line held before it is parsed. */
export const MAX_WATCH_EVENT_BYTES = 4 * 1024 * 1024;

export class WatchEventTooLargeError extends Error {
  constructor() {
    super('error: a watch event is larger than the agent reads');
  }
}

export async function* watchEvents<T>(res: IncomingMessage): AsyncGenerator<T> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      pending += decoder.write(chunk);
      if (pending.length > MAX_WATCH_EVENT_BYTES) throw new WatchEventTooLargeError();
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
        if (line !== '') yield JSON.parse(line) as T;
      }
    }
  } finally {
    res.destroy();
  }
}
