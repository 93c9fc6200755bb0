// Every refused access leaves an audit record, while the answer stays exactly what it was: a cluster the
// caller may not use and one that does not exist still get the same 404, so a prober learns nothing from
// the answer and the operator sees every probe in the audit log.

import type { FastifyRequest } from 'fastify';
import type { AuditEmitter } from '../common/audit/emitter-types.js';
import type { Policy } from '../common/policy/index.js';
import { callerOf } from './auth/authenticate.js';
import type { ClusterAccess } from './cluster-access.js';

/** Why a request was refused without running anything. */
export type RefusalReason = 'cluster_not_found' | 'session_not_found' | 'invalid_command' | 'foreign_origin';

/**
 * The authenticated request a refusal or command came through: who, from which address, which method and
 * route. A FastifyRequest is one; a route that runs commands on the caller's behalf passes its own.
 */
export type RequestOrigin = Pick<FastifyRequest, 'ip' | 'method' | 'caller'> & {
  routeOptions: { url?: string | undefined };
};

export interface Refusal {
  reason: RefusalReason;
  cluster_id?: string | null;
  session_id?: string | null;
  command_id?: string | null;
  /** More to record; `reason`, `method` and `route` are always the refusal's own. */
  details?: Record<string, unknown>;
}

export interface Refusals {
  /** Emits one `access_denied` record for the authenticated caller of `request` (never throws). */
  record(request: RequestOrigin, refusal: Refusal): void;
  /** ClusterAccess.require that records the refusal before rethrowing the same 404. */
  requireCluster(request: RequestOrigin, clusterId: string, policy?: Policy): void;
}

export function createRefusals(audit: AuditEmitter, clusters: ClusterAccess): Refusals {
  function record(request: RequestOrigin, { reason, details, ...ids }: Refusal): void {
    const caller = callerOf(request);
    void audit.emit({
      event_type: 'access_denied',
      source_ip: request.ip,
      api_key_prefix: caller.keyPrefix,
      identity: caller.identity,
      ...ids,
      details: { ...details, reason, method: request.method, route: request.routeOptions.url ?? null },
    });
  }
  return {
    record,
    requireCluster(request, clusterId, policy) {
      try {
        clusters.require(callerOf(request), clusterId, policy);
      } catch (err) {
        record(request, { reason: 'cluster_not_found', cluster_id: clusterId });
        throw err;
      }
    },
  };
}
