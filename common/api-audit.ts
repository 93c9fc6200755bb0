// GET /audit's answer. Each entry is an audit record (the shape in docs/audit.md, plus its stream sequence) that also
// carries upstream Kubently's flat fields (`type`, `service_identity`, `command`, `outcome`, `error`,
// `correlation_id`): upstream's `kubently audit` prints and exports those as columns, Kubently's own CLI and
// other readers keep the nested record.

import type { FromSchema } from 'json-schema-to-ts';
import { type StoredAuditRecord, storedAuditRecordSchema } from './audit/events.js';

const nullableString = { type: ['string', 'null'] } as const;

export const auditEntrySchema = {
  type: 'object',
  required: [
    ...storedAuditRecordSchema.required,
    'type',
    'service_identity',
    'command',
    'outcome',
    'error',
    'correlation_id',
  ],
  additionalProperties: false,
  properties: {
    ...storedAuditRecordSchema.properties,
    type: { type: 'string', description: 'Upstream name of event_type' },
    service_identity: { ...nullableString, description: 'Upstream name of identity' },
    command: { ...nullableString, description: 'The kubectl arguments, space-separated' },
    outcome: {
      ...nullableString,
      description: 'success, failure, timeout, denied or error; null for events that are no command',
    },
    error: { ...nullableString, description: "The command's error, if it had one" },
    correlation_id: nullableString,
  },
} as const;
export type AuditEntry = FromSchema<typeof auditEntrySchema>;

export const auditAnswerSchema = {
  type: 'object',
  required: ['entries', 'count', 'service_identity', 'scanned', 'truncated'],
  additionalProperties: false,
  properties: {
    entries: { type: 'array', items: auditEntrySchema, description: 'Newest first' },
    count: { type: 'integer' },
    service_identity: { type: 'string', description: 'Whose records these are: the caller' },
    scanned: { type: 'integer', description: 'Stream messages read to answer' },
    truncated: {
      type: 'boolean',
      description: 'The scan bound was reached: older matching records may exist (narrow since/until)',
    },
  },
} as const;
export type AuditAnswer = FromSchema<typeof auditAnswerSchema>;

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A record with upstream's flat fields added, read from its `details` where the event has them. */
export function auditEntry(record: StoredAuditRecord): AuditEntry {
  const d = record.details;
  const argv = Array.isArray(d.argv) ? d.argv.filter((a): a is string => typeof a === 'string') : null;
  const outcome = text(d.status) ?? (record.event_type === 'unauthorized_command_attempt' ? 'denied' : null);
  return {
    ...record,
    type: record.event_type,
    service_identity: record.identity,
    command: argv ? argv.join(' ') : null,
    outcome,
    error: text(d.error) ?? (outcome === 'denied' ? text(d.reason) : null),
    correlation_id: text(d.correlation_id),
  };
}
