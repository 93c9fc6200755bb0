// Writes lines to a Node writable (process.stdout in production), waiting for the stream to drain.

import type { Writable } from 'node:stream';
import type { AuditSink } from './types.js';

export function createStreamSink(out: Writable): AuditSink {
  return {
    write: (lines) =>
      new Promise<void>((resolve, reject) => {
        if (lines.length === 0) return resolve();
        out.write(lines.join(''), (err) => (err ? reject(err) : resolve()));
      }),
    close: async () => {},
  };
}
