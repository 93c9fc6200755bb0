// The contract between the consume loop and whatever turns a validated command into output.

import type { Command } from '../common/command/types.js';
import type { ResultStatus } from '../common/wire.js';

export interface ExecutionOutcome {
  status: ResultStatus;
  output: string;
  error: string | null;
  truncated: boolean;
}

/** Where a follow command's output goes as it is made (agent/stream-sender.ts sends it to the gateway). */
export interface StreamSink {
  /** Hands text on; resolves once the receiver has room for more, so a slow reader slows the writer. */
  write(text: string): Promise<void>;
}

/** How a follow command ended by itself (a stop from outside aborts its signal instead). */
export interface FollowOutcome {
  status: ResultStatus;
  error: string | null;
}

export interface CommandExecutor {
  /** Never throws for a command's own failure: that is a `failure` outcome. `signal` fires at the deadline. */
  execute(command: Command, signal: AbortSignal): Promise<ExecutionOutcome>;
  /**
   * Runs a follow command (logs -f, get -w), writing its output to `sink` as it comes, until it ends by itself
   * or `signal` aborts (then it resolves with `success` as soon as its apiserver requests are closed).
   * Absent on executors that cannot stream.
   */
  follow?(command: Command, sink: StreamSink, signal: AbortSignal): Promise<FollowOutcome>;
}
