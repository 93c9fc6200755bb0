// One error handler for the whole API: every error leaves as { error, message, details? } with the right
// status. KubentlyError keeps its code; Fastify's own 4xx errors are mapped; anything else is a 500 whose
// message and stack stay in the log.

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Ajv } from 'ajv';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import type { ErrorBody } from '../../common/api.js';
import { ERROR_CODES, type ErrorCode, isKubentlyError, KubentlyError } from '../../common/errors.js';

/** The API's error shape for a KubentlyError: its code, its message and its details, nothing else. */
export function errorBodyOf(err: KubentlyError): ErrorBody {
  return err.details
    ? { error: err.code, message: err.message, details: err.details }
    : { error: err.code, message: err.message };
}

/**
 * A schema keyword that names the fix for its schema's failures ("use either `command` or ...") where Ajv's own
 * words would only describe the schema ("must match exactly one schema in oneOf", a regular expression).
 * Ajv reports the failing schema's parent only with `verbose: true` (set in buildGateway).
 */
export const ERROR_MESSAGE_KEYWORD = 'x-error-message';

/** The gateway's Ajv: bodies never coerced or stripped; failing errors carry their schema (for the keyword). */
export const AJV_OPTIONS: FastifyServerOptions['ajv'] = {
  customOptions: {
    allErrors: false,
    removeAdditional: false,
    coerceTypes: false,
    useDefaults: true,
    verbose: true,
  },
  plugins: [(ajv: Ajv) => ajv.addKeyword({ keyword: ERROR_MESSAGE_KEYWORD, schemaType: 'string' })],
};

type ValidationError = NonNullable<FastifyError['validation']>[number] & {
  parentSchema?: Record<string, unknown>;
};

/** The keywords whose own messages say what the schema is rather than what to send; the others are clear. */
const OPAQUE_KEYWORDS = new Set(['oneOf', 'anyOf', 'not', 'pattern']);

function fixFor(errors: readonly ValidationError[]): string | undefined {
  for (const e of errors) {
    if (!OPAQUE_KEYWORDS.has(e.keyword)) continue;
    const fix = e.parentSchema?.[ERROR_MESSAGE_KEYWORD];
    if (typeof fix === 'string') return fix;
  }
  return undefined;
}

function fromFastify(err: FastifyError): KubentlyError | null {
  if (err.validation) {
    const validation = err.validation.map((v) => ({
      path: v.instancePath || '/',
      keyword: v.keyword,
      message: v.message ?? 'invalid',
      params: v.params,
    }));
    const context = err.validationContext ?? 'request';
    const fix = fixFor(err.validation);
    return new KubentlyError('bad_request', `invalid ${context}: ${fix ?? err.message}`, {
      details: { validation },
    });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new KubentlyError('payload_too_large', 'request body too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new KubentlyError('bad_request', 'request body must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new KubentlyError('bad_request', 'request body is empty');
    default:
      break;
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new KubentlyError('bad_request', 'request body is not valid JSON');
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new KubentlyError('bad_request', err.message);
  }
  return null;
}

function notFound(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(404)
    .send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // Fastify reads the body before it answers an unknown route: a body it cannot read (wrong media type,
    // bad JSON, too large) must not turn "no such route" into a 400 or 415.
    if (request.is404 && (err.statusCode ?? 500) < 500) return notFound(request, reply);
    const known = isKubentlyError(err) ? err : fromFastify(err);
    if (known) {
      // A Fastify 4xx may carry a status outside the registry (415, 405): keep the real one.
      const status = isKubentlyError(err) ? known.statusCode : (err.statusCode ?? known.statusCode);
      if (status >= 500) request.log.warn({ err: known, cause: known.cause }, 'request failed');
      return reply.code(status).send(errorBodyOf(known));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'internal_error', message: 'internal error' });
  });

  app.setNotFoundHandler((request, reply) => {
    notFound(request, reply);
  });
}

/**
 * Errors Fastify raises before routing (a bad percent-escape, a path parameter over maxParamLength) bypass
 * the error handler; passed as Fastify's `frameworkErrors` option they answer in the API's error shape.
 */
export function frameworkErrorReply(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  reply
    .code(tooLong ? 414 : 400)
    .send({ error: 'bad_request', message: tooLong ? 'a path parameter is too long' : 'malformed URL' });
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (malformed request line or header, headers
 * over the size limit, a request that outlived requestTimeout) is answered on the raw socket. Passed as
 * Fastify's `clientErrorHandler`, those answers carry the API's error shape too.
 */
export function clientErrorReply(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message]: [ErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['request_timeout', 'the request did not arrive in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['headers_too_large', 'request headers too large']
        : ['bad_request', 'malformed HTTP request'];
  const status = ERROR_CODES[code].statusCode;
  const body = JSON.stringify({ error: code, message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
