// What every CLI command gets: output streams, the environment and lazily resolved settings/client.

import type { ApiClient } from './api-client.js';
import type { ExitCode } from './exit-codes.js';
import type { OutputFormat } from './output.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream;
  env: Readonly<Record<string, string | undefined>>;
}

export interface CliContext extends CliIo {
  client(): Promise<ApiClient>;
  output(): OutputFormat;
  setExitCode(code: ExitCode): void;
}
