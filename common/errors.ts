// One registry of error codes. Every error Kubently raises on purpose is a KubentlyError with a code
// from this list; the HTTP layer maps it to its status and never shows a stack trace.

export const ERROR_CODES = {
  bad_request: { statusCode: 400, canRetry: false },
  invalid_command: { statusCode: 400, canRetry: false },
  unauthorized: { statusCode: 401, canRetry: false },
  unauthorized_command: { statusCode: 403, canRetry: false },
  forbidden: { statusCode: 403, canRetry: false },
  not_found: { statusCode: 404, canRetry: false },
  payload_too_large: { statusCode: 413, canRetry: false },
  rate_limited: { statusCode: 429, canRetry: true },
  internal_error: { statusCode: 500, canRetry: false },
  agent_unavailable: { statusCode: 503, canRetry: true },
  service_unavailable: { statusCode: 503, canRetry: true },
  audit_unavailable: { statusCode: 503, canRetry: true },
  timeout: { statusCode: 504, canRetry: true },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class KubentlyError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly canRetry: boolean;
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
    this.canRetry = ERROR_CODES[code].canRetry;
    this.details = options.details;
  }
}

export function isKubentlyError(err: unknown): err is KubentlyError {
  return err instanceof KubentlyError;
}
