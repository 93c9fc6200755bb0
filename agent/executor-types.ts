// The contract between the consume loop and whatever turns a validated command into output.

import type { Command } from '../common/command/types.js';
import type { ResultStatus } from '../common/wire.js';

export interface ExecutionOutcome {
  status: ResultStatus;
  output: string;
  error: string | null;
  truncated: boolean;
}

export interface CommandExecutor {
  /** Never throws for a command's own failure: that is a `failure` outcome. `signal` fires at the deadline. */
  execute(command: Command, signal: AbortSignal): Promise<ExecutionOutcome>;
}
