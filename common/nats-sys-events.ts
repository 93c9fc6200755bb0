// Turns the nats-server's own advisories into connection events for `agent_connection_failure` and
// `kubently_agent_connected`. nats.conf exports exactly these subjects from the system account to KUBENTLY,
// and only the audit identity may subscribe to them. Verified on nats-server 2.9.10:
//   $SYS.ACCOUNT.KUBENTLY.CONNECT      io.nats.server.advisory.v1.client_connect
//   $SYS.ACCOUNT.KUBENTLY.DISCONNECT   io.nats.server.advisory.v1.client_disconnect (reason: "Client Closed", ...)
//   $SYS.SERVER.<id>.CLIENT.AUTH.ERR   io.nats.server.advisory.v1.client_disconnect, reason "Authentication Failure",
//                                      account "$G" because no account was bound; `user` is the name the client sent.

import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { sysSubjects } from './nats-config/permissions.js';
import { isValidClusterId } from './subjects.js';

export type ConnectionEventKind = 'connect' | 'disconnect' | 'auth_error';

export interface ConnectionEvent {
  kind: ConnectionEventKind;
  /** Set when the user is an agent (`agent-<cluster>`), also for a failed login with an agent's user name. */
  clusterId?: string;
  user?: string;
  /** The client's address as the server saw it. */
  remote?: string;
  reason?: string;
  timestamp?: string;
}

/** The fields Kubently reads from a client advisory (the wire shape, not the event we hand out). */
interface ClientAdvisory {
  type?: string;
  timestamp?: string;
  client?: { host?: string; user?: string; name?: string; acc?: string };
  reason?: string;
}

const AGENT_USER_PREFIX = 'agent-';

export interface ConnectionWatch {
  /** Resolves when the server has registered the subscriptions (so no event after it is missed). */
  ready: Promise<void>;
  stop: () => void;
}

export function watchAgentConnections(
  sysConn: NatsConnection,
  onEvent: (e: ConnectionEvent) => void,
): ConnectionWatch {
  const routes: [string, ConnectionEventKind][] = [
    [sysSubjects.connect, 'connect'],
    [sysSubjects.disconnect, 'disconnect'],
    [sysSubjects.authError, 'auth_error'],
  ];
  const subs: Subscription[] = routes.map(([subject, kind]) =>
    sysConn.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return; // a permission error ends the subscription; the connection's status reports it
        const event = toEvent(kind, parseAdvisory(msg.data));
        if (event) onEvent(event);
      },
    }),
  );
  return {
    ready: sysConn.flush(),
    stop: () => {
      for (const s of subs) s.unsubscribe();
    },
  };
}

function parseAdvisory(data: Uint8Array): ClientAdvisory | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(data));
    return typeof parsed === 'object' && parsed !== null ? (parsed as ClientAdvisory) : undefined;
  } catch {
    return undefined;
  }
}

function toEvent(
  kind: ConnectionEventKind,
  advisory: ClientAdvisory | undefined,
): ConnectionEvent | undefined {
  if (!advisory?.client) return undefined;
  const user = advisory.client.user;
  const event: ConnectionEvent = { kind, user, remote: advisory.client.host, timestamp: advisory.timestamp };
  if (kind !== 'connect' && advisory.reason) event.reason = advisory.reason;
  const clusterId = user?.startsWith(AGENT_USER_PREFIX) ? user.slice(AGENT_USER_PREFIX.length) : undefined;
  if (clusterId !== undefined && isValidClusterId(clusterId)) event.clusterId = clusterId;
  return event;
}
