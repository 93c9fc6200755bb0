// What every Kubently identity may publish and subscribe to, in one place. Account boundaries do the isolation
// (docs/nats-security.md): these per-user lists are the second guard inside each account, and the isolation
// tests read them to know what each identity may try.

import {
  ADMIN_INBOX_PREFIX,
  AUDIT_CONSUMER,
  AUDIT_INBOX_PREFIX,
  AUDIT_STREAM,
  agentConsumerName,
  agentInboxPrefix,
  assertClusterId,
  CMD_STREAM,
  GATEWAY_INBOX_PREFIX,
  IMPORTED_API_PREFIX,
  SUBSCRIBER_INBOX_PREFIX,
  subjects,
  subscriberConsumerName,
} from '../subjects.js';
import { STREAM_ANSWER_TIMEOUT_MS } from '../wire-stream.js';

export interface SubjectRule {
  allow: string[];
  deny?: string[];
}

export interface NatsPermissions {
  publish: SubjectRule;
  subscribe: SubjectRule;
  /**
   * May answer requests it received (publish once to each request's reply subject, within `ttlMs`), whatever
   * `publish` says: the gateway answers stream chunks (common/wire-stream.ts). NATS allow_responses.
   */
  responses?: { max: number; ttlMs: number };
}

export const SERVICE_IDENTITIES = ['gateway', 'audit', 'admin'] as const;
export type ServiceIdentity = (typeof SERVICE_IDENTITIES)[number];

const JS = '$JS.API';

/** The subjects through which a pull consumer of another account is used: info, next message and acks. */
export function consumerSubjects(apiPrefix: string, stream: string, consumer: string) {
  return {
    info: `${apiPrefix}.CONSUMER.INFO.${stream}.${consumer}`,
    next: `${apiPrefix}.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
    ack: `$JS.ACK.${stream}.${consumer}.>`,
  };
}

/**
 * An agent: its own consumer (through the imported API prefix), its results, streams and heartbeats, its inbox
 * (where the gateway's answers to stream chunks arrive, through the service import's reply mapping).
 */
export function permissionsForAgent(clusterId: string): NatsPermissions {
  assertClusterId(clusterId);
  const c = consumerSubjects(IMPORTED_API_PREFIX, CMD_STREAM, agentConsumerName(clusterId));
  return {
    publish: {
      allow: [
        c.info,
        c.next,
        c.ack,
        subjects.resultsOf(clusterId),
        subjects.streamsOf(clusterId),
        subjects.heartbeat(clusterId),
      ],
    },
    subscribe: { allow: [`${agentInboxPrefix(clusterId)}.>`] },
  };
}

/** An event subscriber: its own durable consumer of the audit stream, and its inbox. Nothing to publish on. */
export function permissionsForSubscriber(name: string): NatsPermissions {
  const c = consumerSubjects(IMPORTED_API_PREFIX, AUDIT_STREAM, subscriberConsumerName(name));
  return {
    publish: { allow: [c.info, c.next, c.ack] },
    subscribe: { allow: [`${SUBSCRIBER_INBOX_PREFIX}.>`] },
  };
}

/** The server advisories the audit service reads (exported by the system account, imported by AUDIT). */
export const sysSubjects = {
  connect: '$SYS.ACCOUNT.*.CONNECT',
  disconnect: '$SYS.ACCOUNT.*.DISCONNECT',
  authError: '$SYS.SERVER.*.CLIENT.AUTH.ERR',
} as const;

const auditConsumer = consumerSubjects(IMPORTED_API_PREFIX, AUDIT_STREAM, AUDIT_CONSUMER);

export const servicePermissions: Record<ServiceIdentity, NatsPermissions> = {
  // In the JetStream-owning account: it writes both streams by design (commands and audit records), so a
  // JetStream answer it steers onto a stream subject gives it nothing it did not have.
  gateway: {
    publish: {
      allow: [
        subjects.allCommands,
        subjects.allAudit,
        // GET /audit reads KUBENTLY_AUDIT with direct get: read-only, creates no server state.
        `${JS}.DIRECT.GET.${AUDIT_STREAM}`,
        `${JS}.DIRECT.GET.${AUDIT_STREAM}.>`,
        `${JS}.CONSUMER.INFO.${CMD_STREAM}.*`,
        `${JS}.STREAM.INFO.*`,
        `${JS}.INFO`,
        // Minting a cluster or subscriber credential creates its durable consumer; removing one deletes it.
        `${JS}.CONSUMER.CREATE.${CMD_STREAM}.>`,
        `${JS}.CONSUMER.DURABLE.CREATE.${CMD_STREAM}.*`,
        `${JS}.CONSUMER.DELETE.${CMD_STREAM}.*`,
        `${JS}.CONSUMER.CREATE.${AUDIT_STREAM}.>`,
        `${JS}.CONSUMER.DURABLE.CREATE.${AUDIT_STREAM}.*`,
        `${JS}.CONSUMER.INFO.${AUDIT_STREAM}.*`,
        `${JS}.CONSUMER.DELETE.${AUDIT_STREAM}.*`,
      ],
      deny: ['$SYS.>', '$KV.>', `${JS}.STREAM.CREATE.>`, `${JS}.STREAM.DELETE.>`, `${JS}.STREAM.PURGE.>`],
    },
    subscribe: {
      allow: [`${GATEWAY_INBOX_PREFIX}.>`, subjects.allResults, subjects.allStreams, subjects.allHeartbeats],
      deny: ['$SYS.>'],
    },
    // One answer per stream chunk, held at most as long as the agent waits for it.
    responses: { max: 1, ttlMs: 2 * STREAM_ANSWER_TIMEOUT_MS },
  },
  // In its own account (AUDIT), like an event subscriber with a few more imports.
  audit: {
    publish: {
      allow: [
        auditConsumer.info,
        auditConsumer.next,
        auditConsumer.ack,
        `${IMPORTED_API_PREFIX}.STREAM.INFO.${AUDIT_STREAM}`,
        // The one event only the audit service writes: agents failing to authenticate or dropping off.
        subjects.audit('agent_connection_failure'),
      ],
    },
    subscribe: {
      allow: [`${AUDIT_INBOX_PREFIX}.>`, sysSubjects.connect, sysSubjects.disconnect, sysSubjects.authError],
    },
  },
  // Provisioning (streams and consumers): the JetStream API of the JetStream-owning account, nothing else.
  admin: {
    publish: { allow: [`${JS}.>`], deny: ['$SYS.>'] },
    subscribe: { allow: [`${ADMIN_INBOX_PREFIX}.>`], deny: ['$SYS.>'] },
  },
};

/** What the gateway's own system-account user may do: read and write account JWTs in the resolver. */
export const claimsPermissions: NatsPermissions = {
  publish: { allow: ['$SYS.REQ.CLAIMS.UPDATE', '$SYS.REQ.CLAIMS.LIST', '$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP'] },
  subscribe: { allow: [`${GATEWAY_INBOX_PREFIX}_sys.>`] },
};
