// What every CLI command gets: output streams, the environment and lazily resolved settings/client.

import type { ApiClient } from './api-client.js';
import type { ExitCode } from './exit-codes.js';
import type { OutputFormat } from './output.js';
import type { Settings } from './settings.js';

export interface CliIo {
  /** What `audit verify-output` reads a saved output from. */
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Calls `listener` on Ctrl-C (SIGINT) instead of exiting, until the returned function is called. */
  onInterrupt?: (listener: () => void) => () => void;
}

export interface CliContext extends CliIo {
  /** Gateway URL, credential and config file from flags, environment and config file. */
  settings(options?: { creatingConfig?: boolean }): Promise<Settings>;
  client(): Promise<ApiClient>;
  output(): OutputFormat;
  setExitCode(code: ExitCode): void;
}
