// The NATS permissions of every Kubently identity, in one place. The generator writes them into the users
// file that nats.conf includes, and the isolation tests read them to know what must be refused.

import {
  ADMIN_INBOX_PREFIX,
  AUDIT_CONSUMER,
  AUDIT_INBOX_PREFIX,
  AUDIT_STREAM,
  agentConsumerName,
  agentInboxPrefix,
  assertClusterId,
  CMD_STREAM,
  CMD_SUBJECT_PREFIX,
  GATEWAY_INBOX_PREFIX,
  subjects,
} from '../subjects.js';

export interface SubjectRule {
  allow: string[];
  deny?: string[];
}

export interface NatsPermissions {
  publish: SubjectRule;
  subscribe: SubjectRule;
}

export const SERVICE_IDENTITIES = ['gateway', 'audit', 'admin'] as const;
export type ServiceIdentity = (typeof SERVICE_IDENTITIES)[number];

/** The environment variable nats-server reads each service password from (resolved when the config is parsed). */
export const SERVICE_PASSWORD_ENV = {
  gateway: 'KUBENTLY_NATS_GATEWAY_PASSWORD',
  audit: 'KUBENTLY_NATS_AUDIT_PASSWORD',
  admin: 'KUBENTLY_NATS_ADMIN_PASSWORD',
} as const satisfies Record<ServiceIdentity, string>;

/** The account every Kubently identity lives in, and the system account whose events audit may read. */
export const KUBENTLY_ACCOUNT = 'KUBENTLY';
export const SYSTEM_ACCOUNT = 'SYS';

/**
 * The system-account subjects the audit identity may read (imported into KUBENTLY by nats.conf):
 * connects and disconnects of KUBENTLY clients, and every failed authentication on the server.
 */
export const sysSubjects = {
  connect: `$SYS.ACCOUNT.${KUBENTLY_ACCOUNT}.CONNECT`,
  disconnect: `$SYS.ACCOUNT.${KUBENTLY_ACCOUNT}.DISCONNECT`,
  authError: '$SYS.SERVER.*.CLIENT.AUTH.ERR',
} as const;

const JS = '$JS.API';

/** Subjects an agent must never reach even if an allow rule were widened by mistake: the second guard. */
const AGENT_PUBLISH_DENY = [
  `${JS}.STREAM.>`,
  `${JS}.CONSUMER.CREATE.>`,
  `${JS}.CONSUMER.DURABLE.CREATE.>`,
  `${JS}.CONSUMER.DELETE.>`,
  `${JS}.DIRECT.GET.>`,
  '$KV.>',
  '$SYS.>',
  subjects.allAudit,
  `${CMD_SUBJECT_PREFIX}.>`,
];

export function permissionsForAgent(clusterId: string): NatsPermissions {
  assertClusterId(clusterId);
  const consumer = agentConsumerName(clusterId);
  return {
    publish: {
      allow: [
        // consumers.get() asks CONSUMER.INFO; fetch()/consume()/next() pull with MSG.NEXT.
        `${JS}.CONSUMER.MSG.NEXT.${CMD_STREAM}.${consumer}`,
        `${JS}.CONSUMER.INFO.${CMD_STREAM}.${consumer}`,
        `$JS.ACK.${CMD_STREAM}.${consumer}.>`,
        subjects.resultsOf(clusterId),
        subjects.heartbeat(clusterId),
      ],
      deny: AGENT_PUBLISH_DENY,
    },
    subscribe: {
      allow: [`${agentInboxPrefix(clusterId)}.>`],
      deny: ['_INBOX.>', '$SYS.>', 'kubently.>'],
    },
  };
}

export const servicePermissions: Record<ServiceIdentity, NatsPermissions> = {
  gateway: {
    publish: {
      allow: [
        // js.publish() to the command stream; the ack comes back on the gateway inbox.
        subjects.allCommands,
        subjects.allAudit,
        // GET /audit reads KUBENTLY_AUDIT with direct get: read-only, creates no server state, and cannot
        // be turned into a push consumer that delivers audit records onto another subject.
        `${JS}.DIRECT.GET.${AUDIT_STREAM}`,
        `${JS}.DIRECT.GET.${AUDIT_STREAM}.>`,
        // Whether a cluster has its consumer (is provisioned), and stream state for health.
        `${JS}.CONSUMER.INFO.${CMD_STREAM}.*`,
        `${JS}.STREAM.INFO.*`,
        // jetstreamManager() checks the API once with $JS.API.INFO (account limits only).
        `${JS}.INFO`,
      ],
      deny: ['$SYS.>', '$KV.>'],
    },
    subscribe: {
      allow: [`${GATEWAY_INBOX_PREFIX}.>`, subjects.allResults, subjects.allHeartbeats],
      deny: ['_INBOX.>', '$SYS.>'],
    },
  },
  audit: {
    publish: {
      allow: [
        `${JS}.CONSUMER.MSG.NEXT.${AUDIT_STREAM}.${AUDIT_CONSUMER}`,
        `${JS}.CONSUMER.INFO.${AUDIT_STREAM}.${AUDIT_CONSUMER}`,
        `$JS.ACK.${AUDIT_STREAM}.${AUDIT_CONSUMER}.>`,
        `${JS}.STREAM.INFO.${AUDIT_STREAM}`,
        `${JS}.INFO`,
        // The one event only the audit service sees: agents failing to authenticate or dropping off
        // ($SYS events below). Every other audit subject stays out of its reach.
        subjects.audit('agent_connection_failure'),
      ],
      deny: ['$SYS.>'],
    },
    subscribe: {
      allow: [
        `${AUDIT_INBOX_PREFIX}.>`,
        sysSubjects.connect,
        sysSubjects.disconnect,
        sysSubjects.authError,
        // Heartbeats show agents that connected before this audit service started.
        subjects.allHeartbeats,
      ],
      deny: ['_INBOX.>'],
    },
  },
  admin: {
    publish: { allow: [`${JS}.>`], deny: ['$SYS.>'] },
    subscribe: { allow: [`${ADMIN_INBOX_PREFIX}.>`], deny: ['_INBOX.>', '$SYS.>'] },
  },
};
