// One registry of error codes. Every error Kubently raises on purpose is a KubentlyError with a code
// from this list; the HTTP layer maps it to its status and never shows a stack trace.

export const ERROR_CODES = {
  bad_request: { statusCode: 400 },
  invalid_command: { statusCode: 400 },
  unauthorized: { statusCode: 401 },
  unauthorized_command: { statusCode: 403 },
  forbidden: { statusCode: 403 },
  not_found: { statusCode: 404 },
  method_not_allowed: { statusCode: 405 },
  request_timeout: { statusCode: 408 },
  conflict: { statusCode: 409 },
  payload_too_large: { statusCode: 413 },
  headers_too_large: { statusCode: 431 },
  rate_limited: { statusCode: 429 },
  internal_error: { statusCode: 500 },
  agent_unavailable: { statusCode: 503 },
  service_unavailable: { statusCode: 503 },
  audit_unavailable: { statusCode: 503 },
  timeout: { statusCode: 504 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class KubentlyError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubentlyError';
    this.code = code;
    this.statusCode = ERROR_CODES[code].statusCode;
    this.details = options.details;
  }
}

export function isKubentlyError(err: unknown): err is KubentlyError {
  return err instanceof KubentlyError;
}
