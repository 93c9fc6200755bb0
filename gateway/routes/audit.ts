// GET /audit — the caller's own audit records, newest first, read from the audit stream.

import type { FastifyInstance } from 'fastify';
import { type AuditAnswer, auditAnswerSchema, auditEntry } from '../../common/api-audit.js';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../../common/audit/events.js';
import {
  AUDIT_DEFAULT_LIMIT,
  AUDIT_MAX_LIMIT,
  type AuditFilter,
  type AuditQueryResult,
} from '../../common/audit/reader.js';
import { timeFromAgoOrTimestamp } from '../../common/duration.js';
import { KubentlyError } from '../../common/errors.js';
import { callerOf, isAdmin } from '../auth/authenticate.js';
import { clusterId, errorRef } from '../schemas.js';

export interface AuditRouteOptions {
  readAudit(filter: AuditFilter): Promise<AuditQueryResult>;
  /** Per-identity limit of this route (@fastify/rate-limit route config); the global limit otherwise. */
  rateLimit?: { max: number; timeWindow: number };
  now?: () => number;
  /** Identities that also see the records of no identity (ADMIN_IDENTITIES). */
  adminIdentities?: readonly string[];
}

interface AuditQuery {
  event_type?: AuditEventType;
  cluster_id?: string;
  session_id?: string;
  command_id?: string;
  since?: string;
  until?: string;
  limit: string;
}

/** ISO-8601 or ago-relative as a Go duration with days and weeks ("90s", "1h30m", "2h", "7d"). */
const TIME_PATTERN = '^([0-9.]+[a-zµμ]{1,2})+$|^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:?\\d{2})?)?$';

/** Dates the gateway will compare against: far enough back for any retention, never an overflow. */
const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A point in time from ISO-8601 or an ago-relative duration. Rejects (400) what is no real calendar time
 * (February 31, hour 24) and what lands outside 1970…9999 (`2000000h` ago).
 */
export function parseTime(value: string, now: number, name: string): Date {
  const at = timeFromAgoOrTimestamp(value, now);
  if (!Number.isFinite(at) || at < EARLIEST_MS || at > LATEST_MS)
    throw new KubentlyError('bad_request', `${name} is not a valid time: ${value}`);
  return new Date(at);
}

export async function auditRoutes(app: FastifyInstance, options: AuditRouteOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const admins = new Set(options.adminIdentities ?? []);
  app.get<{ Querystring: AuditQuery }>(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Your own audit records, newest first',
        description:
          'Only records of the calling identity; admins also see the records of no identity (failed ' +
          'authentications, agent connection failures). Each entry is the audit record (event_type, details, ...) with ' +
          "upstream Kubently's flat fields added (type, service_identity, command, outcome, error, " +
          'correlation_id); the details of a `command_executed` record carry `output_sha256` and `output_bytes` of the ' +
          "output the caller received. `command_id` narrows to one command's records. `limit` is 1 to 1000 " +
          '(default 100); `since`/`until` take ISO-8601 or a duration ago ' +
          '(30m, 2h, 7d).',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            event_type: { type: 'string', enum: [...AUDIT_EVENT_TYPES] },
            cluster_id: clusterId,
            session_id: { type: 'string', minLength: 1, maxLength: 128 },
            command_id: {
              type: 'string',
              minLength: 1,
              maxLength: 128,
              description: "One command's records (its attempt, refusal or execution)",
            },
            since: {
              type: 'string',
              pattern: TIME_PATTERN,
              description: 'ISO-8601 or relative: 30m, 2h, 7d',
            },
            until: { type: 'string', pattern: TIME_PATTERN },
            // A digit string: the gateway's validator never coerces types (bodies stay strict), and a query
            // string arrives as text.
            limit: {
              type: 'string',
              pattern: '^(?:[1-9][0-9]{0,2}|1000)$',
              default: String(AUDIT_DEFAULT_LIMIT),
              description: `1 to ${AUDIT_MAX_LIMIT}`,
            },
          },
        },
        response: {
          200: auditAnswerSchema,
          400: errorRef,
          401: errorRef,
          429: errorRef,
          503: errorRef,
        },
      },
      ...(options.rateLimit ? { config: { rateLimit: options.rateLimit } } : {}),
    },
    async (request): Promise<AuditAnswer> => {
      const caller = callerOf(request);
      const { identity } = caller;
      const q = request.query;
      const at = now();
      const since = q.since === undefined ? undefined : parseTime(q.since, at, 'since');
      const until = q.until === undefined ? undefined : parseTime(q.until, at, 'until');
      if (since && until && since > until) throw new KubentlyError('bad_request', 'since is after until');
      let result: AuditQueryResult;
      try {
        result = await options.readAudit({
          identity,
          unattributed: isAdmin(caller, admins),
          event_type: q.event_type,
          cluster_id: q.cluster_id,
          session_id: q.session_id,
          command_id: q.command_id,
          since,
          until,
          limit: Number(q.limit),
        });
      } catch (err) {
        if (err instanceof KubentlyError) throw err;
        throw new KubentlyError('service_unavailable', 'the audit stream cannot be read now', { cause: err });
      }
      return {
        entries: result.records.map(auditEntry),
        count: result.records.length,
        service_identity: identity,
        scanned: result.scanned,
        truncated: result.truncated,
      };
    },
  );
}
