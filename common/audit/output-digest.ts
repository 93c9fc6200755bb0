// The digest of the output a caller received, kept in its `command_executed` record so that an operator can
// later prove which answer a person or an AI agent acted on (`kubently audit verify-output`). The output
// itself is never recorded.

import { createHash } from 'node:crypto';
import type { OutputDigestDetails } from './events.js';

/**
 * The digest of `output` as UTF-8, which is exactly what the caller gets: the JSON answer's `output` string
 * once decoded, the CLI's stdout. A Buffer is taken as is (a saved copy read back from disk).
 */
export function outputDigest(output: string | Uint8Array): OutputDigestDetails {
  const bytes = typeof output === 'string' ? Buffer.from(output, 'utf8') : output;
  return { output_sha256: createHash('sha256').update(bytes).digest('hex'), output_bytes: bytes.byteLength };
}
