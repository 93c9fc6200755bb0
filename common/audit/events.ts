// Audit event types and the record shape (docs/audit.md), a JSON Schema with its type derived from it.
// Every component emits through one emitter (common/audit/emitter.ts); this file is only the vocabulary.

import type { FromSchema } from 'json-schema-to-ts';
import { escapeTerminalDeep } from '../terminal.js';

export const AUDIT_EVENT_TYPES = [
  'authentication_failure',
  'unauthorized_command_attempt',
  'session_creation',
  'session_termination',
  'agent_connection_failure',
  'rate_limit_exceeded',
  'command_attempt',
  'command_executed',
  /** A refused request that ran nothing: an unknown or forbidden cluster, a foreign session, a bad command. */
  'access_denied',
  /** One POST /fleet/execute: its selectors, matched clusters and summary; each cluster's records share its fleet_id. */
  'fleet_execution',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

const nullableString = { type: ['string', 'null'] } as const;

/** One record as published on kubently.audit.<event_type>. */
export const auditRecordSchema = {
  $id: 'AuditRecord',
  type: 'object',
  required: [
    'timestamp',
    'event_type',
    'source_ip',
    'api_key_prefix',
    'identity',
    'cluster_id',
    'session_id',
    'command_id',
    'details',
  ],
  additionalProperties: false,
  properties: {
    timestamp: { type: 'string', description: 'ISO-8601 with milliseconds' },
    event_type: { type: 'string', enum: AUDIT_EVENT_TYPES },
    source_ip: nullableString,
    api_key_prefix: {
      ...nullableString,
      description: 'Never the key: its first characters and "...", e.g. "dev-key..."',
    },
    identity: { ...nullableString, description: 'The API-key identity (service name) the record is about' },
    cluster_id: nullableString,
    session_id: nullableString,
    command_id: nullableString,
    details: { type: 'object', additionalProperties: true },
  },
} as const;
export type AuditRecord = FromSchema<typeof auditRecordSchema>;

/** A record as `GET /audit` returns it: with its sequence number in the KUBENTLY_AUDIT stream. */
export const storedAuditRecordSchema = {
  type: 'object',
  required: ['seq', ...auditRecordSchema.required],
  additionalProperties: false,
  properties: {
    seq: { type: 'integer', description: 'Sequence in the KUBENTLY_AUDIT stream' },
    ...auditRecordSchema.properties,
  },
} as const;
export type StoredAuditRecord = FromSchema<typeof storedAuditRecordSchema>;

/**
 * The digest fields of a `command_executed` record's `details` (common/audit/output-digest.ts): what the caller
 * received, as SHA-256 and byte count of the output's UTF-8 bytes. Absent only from a record whose command
 * failed before any answer (`status: 'error'`); the output itself is never recorded.
 */
export const outputDigestDetailsSchema = {
  type: 'object',
  required: ['output_sha256', 'output_bytes'],
  properties: {
    output_sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the output, hex' },
    output_bytes: { type: 'integer', minimum: 0, description: "The output's length in bytes (UTF-8)" },
  },
} as const;
export type OutputDigestDetails = FromSchema<typeof outputDigestDetailsSchema>;

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
  // Escaped once here, so the stream, GET /audit and audit.log never carry a terminal control character.
  return escapeTerminalDeep({
    timestamp: input.timestamp ?? now().toISOString(),
    event_type: input.event_type,
    source_ip: input.source_ip ?? null,
    api_key_prefix: input.api_key_prefix ?? null,
    identity: input.identity ?? null,
    cluster_id: input.cluster_id ?? null,
    session_id: input.session_id ?? null,
    command_id: input.command_id ?? null,
    details: input.details ?? {},
  });
}
