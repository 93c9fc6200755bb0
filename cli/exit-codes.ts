// Exit codes scripts can rely on; documented in `kubently --help` and README.

export const EXIT = {
  ok: 0,
  /** The command ran and failed (kubectl's own non-zero), or a generic error. */
  failure: 1,
  usage: 2,
  denied: 3,
  timeout: 4,
  unauthorized: 5,
  notFound: 6,
  unavailable: 7,
  rateLimited: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeForStatus(httpStatus: number): ExitCode {
  switch (httpStatus) {
    case 400:
    case 413:
      return EXIT.usage;
    case 401:
      return EXIT.unauthorized;
    case 403:
      return EXIT.denied;
    case 404:
      return EXIT.notFound;
    case 429:
      return EXIT.rateLimited;
    case 503:
      return EXIT.unavailable;
    case 504:
      return EXIT.timeout;
    default:
      return EXIT.failure;
  }
}

export const EXIT_CODES_HELP = `Exit codes:
  0 success            1 command failed       2 usage or bad input
  3 denied by policy   4 timeout              5 missing or wrong API key
  6 not found          7 unavailable          8 rate limited`;
