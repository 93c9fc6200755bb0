// Every NATS subject, stream and consumer name Kubently uses, in one place.

export const CMD_STREAM = 'KUBENTLY_CMD';
export const AUDIT_STREAM = 'KUBENTLY_AUDIT';
export const CMD_SUBJECT_PREFIX = 'kubently.cmd';
export const RESULT_SUBJECT_PREFIX = 'kubently.result';
export const HEARTBEAT_SUBJECT_PREFIX = 'kubently.heartbeat';
export const STREAM_SUBJECT_PREFIX = 'kubently.stream';
export const AUDIT_SUBJECT_PREFIX = 'kubently.audit';
export const AUDIT_CONSUMER = 'kubently-audit';

/** A cluster id is one NATS token and one DNS label: it ends up in subjects, consumer names and user names. */
export const CLUSTER_ID_PATTERN = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
const clusterIdRe = new RegExp(CLUSTER_ID_PATTERN);

export function isValidClusterId(id: string): boolean {
  return clusterIdRe.test(id);
}

export function assertClusterId(id: string): string {
  if (!isValidClusterId(id)) {
    throw new TypeError(
      `invalid cluster id "${id}": lowercase letters, digits and '-', at most 63 characters`,
    );
  }
  return id;
}

export const subjects = {
  command: (clusterId: string) => `${CMD_SUBJECT_PREFIX}.${clusterId}`,
  allCommands: `${CMD_SUBJECT_PREFIX}.*`,
  result: (clusterId: string, commandId: string) => `${RESULT_SUBJECT_PREFIX}.${clusterId}.${commandId}`,
  resultsOf: (clusterId: string) => `${RESULT_SUBJECT_PREFIX}.${clusterId}.*`,
  allResults: `${RESULT_SUBJECT_PREFIX}.*.*`,
  /** A follow command's chunks, each a request the gateway answers with credit (common/wire-stream.ts). */
  stream: (clusterId: string, commandId: string) => `${STREAM_SUBJECT_PREFIX}.${clusterId}.${commandId}`,
  streamsOf: (clusterId: string) => `${STREAM_SUBJECT_PREFIX}.${clusterId}.*`,
  allStreams: `${STREAM_SUBJECT_PREFIX}.*.*`,
  heartbeat: (clusterId: string) => `${HEARTBEAT_SUBJECT_PREFIX}.${clusterId}`,
  allHeartbeats: `${HEARTBEAT_SUBJECT_PREFIX}.*`,
  audit: (eventType: string) => `${AUDIT_SUBJECT_PREFIX}.${eventType}`,
  allAudit: `${AUDIT_SUBJECT_PREFIX}.>`,
} as const;

/** The durable pull consumer shared by one cluster's agent replicas. */
export function agentConsumerName(clusterId: string): string {
  return `agent-${clusterId}`;
}

/** The name in a cluster agent's user JWT (and in the server's connect events). */
export function agentUserName(clusterId: string): string {
  return `agent-${clusterId}`;
}

/** An event subscriber's name: one NATS token and a consumer-name suffix, like a cluster id. */
export const SUBSCRIBER_NAME_PATTERN = CLUSTER_ID_PATTERN;

/** The durable consumer of the audit stream that one event subscriber reads. */
export function subscriberConsumerName(name: string): string {
  return `sub-${name}`;
}

/**
 * The prefix under which agent, audit and subscriber accounts import the JetStream API of the account that
 * owns the streams (`jetstream(nc, { apiPrefix })`). Not `$JS.API`: the server answers `$JS.API.>` itself in
 * an account without JetStream ("JetStream not enabled for account"), before any import is looked at.
 */
export const IMPORTED_API_PREFIX = 'KUBENTLY.API';

/** Each identity has its own inbox prefix so that nats.conf can scope reply subjects per identity. */
export function agentInboxPrefix(clusterId: string): string {
  return `_INBOX_agent_${clusterId}`;
}
export const GATEWAY_INBOX_PREFIX = '_INBOX_gateway';
export const AUDIT_INBOX_PREFIX = '_INBOX_audit';
export const ADMIN_INBOX_PREFIX = '_INBOX_admin';
export const SUBSCRIBER_INBOX_PREFIX = '_INBOX';
