// Turns the nats-server's own advisories into connection events for `agent_connection_failure` and
// `kubently_agent_connected`. The system account exports exactly these subjects, only the AUDIT account imports
// them. Verified on nats-server 2.9.10 in operator mode:
//   $SYS.ACCOUNT.<account>.CONNECT     io.nats.server.advisory.v1.client_connect: client.acc is the account's public
//                                      key, client.jwt the user JWT the server has verified (its `name` is ours)
//   $SYS.ACCOUNT.<account>.DISCONNECT  io.nats.server.advisory.v1.client_disconnect (reason: "Client Closed", ...)
//   $SYS.SERVER.<id>.CLIENT.AUTH.ERR   io.nats.server.advisory.v1.client_disconnect, reason "Authentication Failure",
//                                      account "$G": everything in it (user, name, JWT) is what the client sent.

import { decode } from '@nats-io/jwt';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { sysSubjects } from './nats-auth/permissions.js';
import { isValidClusterId } from './subjects.js';

export type ConnectionEventKind = 'connect' | 'disconnect' | 'auth_error';

export interface ConnectionEvent {
  kind: ConnectionEventKind;
  /**
   * Set when a verified agent connected or disconnected (its user JWT is named `agent-<cluster>`); never for a
   * failed login, whose claims are the client's own word.
   */
  clusterId?: string;
  /** The account's public key (connect and disconnect only). */
  account?: string;
  /** The client's address as the server saw it. */
  remote?: string;
  reason?: string;
  timestamp?: string;
}

/** The fields Kubently reads from a client advisory (the wire shape, not the event we hand out). */
interface ClientAdvisory {
  type?: string;
  timestamp?: string;
  client?: { host?: string; acc?: string; jwt?: string };
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
  const event: ConnectionEvent = { kind, remote: advisory.client.host, timestamp: advisory.timestamp };
  if (kind !== 'connect' && advisory.reason) event.reason = advisory.reason;
  if (kind === 'auth_error') return event;
  event.account = advisory.client.acc;
  const name = userJwtName(advisory.client.jwt);
  const clusterId = name?.startsWith(AGENT_USER_PREFIX) ? name.slice(AGENT_USER_PREFIX.length) : undefined;
  if (clusterId !== undefined && isValidClusterId(clusterId)) event.clusterId = clusterId;
  return event;
}

function userJwtName(jwt: string | undefined): string | undefined {
  if (!jwt) return undefined;
  try {
    return decode(jwt).name;
  } catch {
    return undefined;
  }
}
