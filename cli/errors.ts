// A CLI error is one line for the user plus the exit code; never a stack trace.

import { EXIT, type ExitCode } from './exit-codes.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
