// Audit event types and the record shape (docs/audit.md). Every component emits through one emitter
// (common/audit/emitter.ts); this file is only the vocabulary.

export const AUDIT_EVENT_TYPES = [
  'authentication_failure',
  'unauthorized_command_attempt',
  'session_creation',
  'session_termination',
  'agent_connection_failure',
  'rate_limit_exceeded',
  'command_attempt',
  'command_executed',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditRecord {
  /** ISO-8601 with milliseconds. */
  timestamp: string;
  event_type: AuditEventType;
  source_ip: string | null;
  /** Never the key: its first characters and '...', e.g. "dev-key...". */
  api_key_prefix: string | null;
  /** The API-key identity (service name), so `GET /audit` can return a caller's own records. */
  identity: string | null;
  cluster_id: string | null;
  session_id: string | null;
  command_id: string | null;
  details: Record<string, unknown>;
}

export type AuditEventInput = Partial<Omit<AuditRecord, 'event_type' | 'details' | 'timestamp'>> & {
  event_type: AuditEventType;
  details?: Record<string, unknown>;
  timestamp?: string;
};

/** What logs and audit records may show of an API key. */
export function apiKeyPrefix(key: string): string {
  return `${key.slice(0, Math.min(8, Math.floor(key.length / 3)))}...`;
}

export function toAuditRecord(input: AuditEventInput, now: () => Date = () => new Date()): AuditRecord {
  return {
    timestamp: input.timestamp ?? now().toISOString(),
    event_type: input.event_type,
    source_ip: input.source_ip ?? null,
    api_key_prefix: input.api_key_prefix ?? null,
    identity: input.identity ?? null,
    cluster_id: input.cluster_id ?? null,
    session_id: input.session_id ?? null,
    command_id: input.command_id ?? null,
    details: input.details ?? {},
  };
}
