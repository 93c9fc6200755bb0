// The request headers upstream Kubently's clients send with a command or a session: X-Correlation-ID (a
// tracing id, recorded with the command) and X-Request-Timeout (seconds, 1 to 60). As upstream does, a header
// wins over the body's `correlation_id` / `timeout_seconds`; the handler sees one body with the values to use.

import type { FastifyRequest } from 'fastify';
import { PRINTABLE_PATTERN } from '../common/terminal.js';

export const REQUEST_TIMEOUT_HEADER_MAX_SECONDS = 60;

/** Fastify `schema.headers` (names in lower case): validated like the body, published in /openapi.json. */
export function upstreamHeadersSchema(options: { timeout: boolean }) {
  return {
    type: 'object',
    properties: {
      'x-correlation-id': {
        type: 'string',
        minLength: 1,
        maxLength: 256,
        // The body field's bound: a header may carry C1 controls (bytes 0x80-0x9f read as Latin-1).
        pattern: PRINTABLE_PATTERN,
        'x-error-message': 'X-Correlation-ID must be printable text (no control characters)',
        description: 'Correlation id for tracing; wins over the body field `correlation_id`',
      },
      ...(options.timeout
        ? {
            'x-request-timeout': {
              type: 'string',
              pattern: '^(?:[1-9]|[1-5][0-9]|60)$',
              'x-error-message': `X-Request-Timeout must be whole seconds from 1 to ${REQUEST_TIMEOUT_HEADER_MAX_SECONDS}`,
              description:
                'Seconds to wait for the result, 1 to 60; wins over the body field `timeout_seconds`',
            },
          }
        : {}),
    },
  } as const;
}

interface HeaderFields {
  correlation_id?: string | null | undefined;
  timeout_seconds?: number | undefined;
}

/** preHandler: the validated headers folded into the validated body. */
export async function foldUpstreamHeaders(request: FastifyRequest): Promise<void> {
  const correlation = request.headers['x-correlation-id'];
  const timeout = request.headers['x-request-timeout'];
  if (correlation === undefined && timeout === undefined) return;
  const body = { ...(request.body as HeaderFields) };
  if (typeof correlation === 'string') body.correlation_id = correlation;
  if (typeof timeout === 'string') body.timeout_seconds = Number(timeout);
  request.body = body;
}
