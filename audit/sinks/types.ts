// Where the consumer writes its chained JSON lines.

export interface AuditSink {
  /** Appends lines (each ends with '\n'); resolves once they are as durable as the sink promises. */
  write(lines: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
