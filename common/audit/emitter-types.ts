// The contract every component uses to record a security event.

import type { AuditEventInput } from './events.js';

export interface AuditEmitter {
  /**
   * Records an event durably (JetStream publish ack). When the bus is unreachable the event waits in a
   * bounded buffer and is flushed on reconnect; what does not fit is counted and logged. Never throws.
   */
  emit(event: AuditEventInput): Promise<void>;
  /** Like emit, but rejects (KubentlyError 'audit_unavailable') when the record cannot be written now: fail-closed paths use it. */
  record(event: AuditEventInput): Promise<void>;
  close(): Promise<void>;
}
