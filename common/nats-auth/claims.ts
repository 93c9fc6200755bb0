// The JWTs of Kubently's NATS accounts and users (decentralized auth, nats-server operator mode). The account
// boundaries are the isolation: a server reply to a subject of an agent's choosing is published in the agent's
// own account, where no stream and no other identity listens. See docs/nats-security.md for the picture.

import {
  type Account,
  type Export,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  type Import,
  type OperatorLimits,
  type User,
} from '@nats-io/jwt';
import { createUser, type KeyPair } from '@nats-io/nkeys';
import {
  AUDIT_CONSUMER,
  AUDIT_STREAM,
  agentConsumerName,
  assertClusterId,
  CMD_STREAM,
  IMPORTED_API_PREFIX,
  subjects,
  subscriberConsumerName,
} from '../subjects.js';
import type { NatsPermissions } from './permissions.js';
import { sysSubjects } from './permissions.js';

/** Connections one cluster account accepts: agent replicas (a Deployment rarely needs more than a few). */
export const MAX_AGENT_CONNECTIONS = 16;
/** Connections one subscriber account accepts. */
export const MAX_SUBSCRIBER_CONNECTIONS = 4;
/** Subscriptions per agent or subscriber connection: inbox, a pull, a few requests in flight. */
const MAX_CLIENT_SUBS = 64;
/** nats.conf's max_payload: results are cut below it by the agent. */
const MAX_PAYLOAD = 1024 * 1024;

/** The JWT library has no account defaults: an omitted limit is zero for the server. */
const UNLIMITED: OperatorLimits = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};

/** JetStream for the account that owns the streams (no JetStream anywhere else). */
const JETSTREAM_ENABLED: OperatorLimits = {
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

const JS = '$JS.API';

function consumerExports(stream: string): Export[] {
  return [
    // A pull answers with several messages and status messages (408, 409, heartbeats).
    {
      name: `${stream} next`,
      subject: `${JS}.CONSUMER.MSG.NEXT.${stream}.*`,
      type: 'service',
      response_type: 'Stream',
    },
    { name: `${stream} info`, subject: `${JS}.CONSUMER.INFO.${stream}.*`, type: 'service' },
    { name: `${stream} acks`, subject: `$JS.ACK.${stream}.*.>`, type: 'service' },
  ];
}

/** The imports that let `account` use one pull consumer of KUBENTLY, the API under IMPORTED_API_PREFIX. */
function consumerImports(kubentlyAccount: string, stream: string, consumer: string): Import[] {
  const api = (op: string) => ({
    name: `${stream} ${op}`,
    subject: `${JS}.CONSUMER.${op}.${stream}.${consumer}`,
    local_subject: `${IMPORTED_API_PREFIX}.CONSUMER.${op}.${stream}.${consumer}`,
    account: kubentlyAccount,
    type: 'service' as const,
  });
  return [
    api('MSG.NEXT'),
    api('INFO'),
    {
      name: `${stream} acks`,
      subject: `$JS.ACK.${stream}.${consumer}.>`,
      account: kubentlyAccount,
      type: 'service',
    },
  ];
}

export interface OperatorClaimsInput {
  operator: KeyPair;
  signer: KeyPair;
  systemAccount: string;
}

/** The operator JWT the server trusts (`operator:` in the server config): public keys only. */
export function operatorJwt(input: OperatorClaimsInput): Promise<string> {
  return encodeOperator('KUBENTLY', input.operator, {
    signing_keys: [input.signer.getPublicKey()],
    system_account: input.systemAccount,
  });
}

/** The system account: exports to AUDIT only the client advisories it reads. */
export function systemAccountJwt(signer: KeyPair, sys: KeyPair): Promise<string> {
  return encodeAccount(
    'SYS',
    sys,
    {
      limits: UNLIMITED,
      exports: [
        { name: 'client connects', subject: sysSubjects.connect, type: 'stream' },
        { name: 'client disconnects', subject: sysSubjects.disconnect, type: 'stream' },
        { name: 'authentication failures', subject: sysSubjects.authError, type: 'stream' },
      ],
    },
    { signer },
  );
}

/**
 * KUBENTLY owns both streams; the gateway and provisioning log in here. It exports, as services, each stream's
 * consumer API and acks (one consumer per importer, chosen by the importer's account JWT, which only the operator
 * signs), and the subjects agents publish on. A service import sends the importer's replies back into the
 * importer's account: that is what keeps every JetStream answer out of the streams.
 */
export function kubentlyAccountJwt(signer: KeyPair, kubently: KeyPair): Promise<string> {
  return encodeAccount(
    'KUBENTLY',
    kubently,
    {
      limits: { ...UNLIMITED, ...JETSTREAM_ENABLED },
      exports: [
        ...consumerExports(CMD_STREAM),
        ...consumerExports(AUDIT_STREAM),
        { name: 'audit stream info', subject: `${JS}.STREAM.INFO.${AUDIT_STREAM}`, type: 'service' },
        { name: 'results', subject: subjects.allResults, type: 'service' },
        // One answer (credit or stop) per chunk, back to the agent's inbox through the import's reply mapping.
        { name: 'streams', subject: subjects.allStreams, type: 'service', response_type: 'Singleton' },
        { name: 'heartbeats', subject: subjects.allHeartbeats, type: 'service' },
        {
          name: 'agent connection failures',
          subject: subjects.audit('agent_connection_failure'),
          type: 'service',
        },
      ],
    },
    { signer },
  );
}

/** The audit service's account: its consumer of the audit stream, one audit subject, the client advisories. */
export function auditAccountJwt(
  signer: KeyPair,
  audit: KeyPair,
  kubentlyAccount: string,
  systemAccount: string,
) {
  return encodeAccount(
    'AUDIT',
    audit,
    {
      limits: { ...UNLIMITED, exports: 0 },
      imports: [
        ...consumerImports(kubentlyAccount, AUDIT_STREAM, AUDIT_CONSUMER),
        {
          name: 'audit stream info',
          subject: `${JS}.STREAM.INFO.${AUDIT_STREAM}`,
          local_subject: `${IMPORTED_API_PREFIX}.STREAM.INFO.${AUDIT_STREAM}`,
          account: kubentlyAccount,
          type: 'service',
        },
        {
          name: 'agent connection failures',
          subject: subjects.audit('agent_connection_failure'),
          account: kubentlyAccount,
          type: 'service',
        },
        { name: 'client connects', subject: sysSubjects.connect, account: systemAccount, type: 'stream' },
        {
          name: 'client disconnects',
          subject: sysSubjects.disconnect,
          account: systemAccount,
          type: 'stream',
        },
        {
          name: 'authentication failures',
          subject: sysSubjects.authError,
          account: systemAccount,
          type: 'stream',
        },
      ],
    },
    { signer },
  );
}

/** State Kubently keeps in a cluster or subscriber account JWT (its `tags`), read back by parseAccountState. */
export interface AccountState {
  /** Credentials that are valid now: user public key → expiry (epoch seconds, 0 = never). */
  users: Record<string, number>;
  /** Credentials replaced by a rotation: user public key → when their revocation is due (epoch seconds). */
  retiring: Record<string, number>;
  /** Revoked user public keys → when (epoch seconds); the server refuses and disconnects them. */
  revocations: Record<string, number>;
}

export const EMPTY_ACCOUNT_STATE: AccountState = { users: {}, retiring: {}, revocations: {} };

const USER_TAG = 'kubently-user:';
const RETIRE_TAG = 'kubently-retire:';

function stateTags(state: AccountState): string[] {
  return [
    ...Object.entries(state.users).map(([k, exp]) => `${USER_TAG}${k}:${exp}`),
    ...Object.entries(state.retiring).map(([k, at]) => `${RETIRE_TAG}${k}:${at}`),
  ];
}

/** Reads the state back from an account JWT's claims (tags and revocations). */
export function parseAccountState(claims: Partial<Account>): AccountState {
  const state: AccountState = { users: {}, retiring: {}, revocations: { ...(claims.revocations ?? {}) } };
  for (const tag of claims.tags ?? []) {
    for (const [prefix, target] of [
      [USER_TAG, state.users],
      [RETIRE_TAG, state.retiring],
    ] as const) {
      if (!tag.startsWith(prefix)) continue;
      const [key, at] = tag.slice(prefix.length).split(':');
      if (key && at !== undefined && /^\d+$/.test(at)) target[key] = Number(at);
    }
  }
  return state;
}

/** A cluster's account: exactly its own consumer, its results, streams and heartbeats, at most MAX_AGENT_CONNECTIONS. */
export function clusterAccountJwt(
  signer: KeyPair,
  account: KeyPair,
  clusterId: string,
  kubentlyAccount: string,
  state: AccountState,
): Promise<string> {
  assertClusterId(clusterId);
  return encodeAccount(
    `cluster-${clusterId}`,
    account,
    {
      limits: {
        ...UNLIMITED,
        exports: 0,
        leaf: 0,
        conn: MAX_AGENT_CONNECTIONS,
        subs: MAX_AGENT_CONNECTIONS * MAX_CLIENT_SUBS,
        payload: MAX_PAYLOAD,
      },
      imports: [
        ...consumerImports(kubentlyAccount, CMD_STREAM, agentConsumerName(clusterId)),
        {
          name: 'results',
          subject: subjects.resultsOf(clusterId),
          account: kubentlyAccount,
          type: 'service',
        },
        {
          name: 'streams',
          subject: subjects.streamsOf(clusterId),
          account: kubentlyAccount,
          type: 'service',
        },
        {
          name: 'heartbeats',
          subject: subjects.heartbeat(clusterId),
          account: kubentlyAccount,
          type: 'service',
        },
      ],
      tags: stateTags(state),
      revocations: state.revocations,
    },
    { signer },
  );
}

/** An event subscriber's account: its own durable consumer of the audit stream, and nothing to publish on. */
export function subscriberAccountJwt(
  signer: KeyPair,
  account: KeyPair,
  name: string,
  kubentlyAccount: string,
  state: AccountState,
): Promise<string> {
  return encodeAccount(
    `subscriber-${name}`,
    account,
    {
      limits: {
        ...UNLIMITED,
        exports: 0,
        leaf: 0,
        conn: MAX_SUBSCRIBER_CONNECTIONS,
        subs: MAX_SUBSCRIBER_CONNECTIONS * MAX_CLIENT_SUBS,
        payload: MAX_PAYLOAD,
      },
      imports: consumerImports(kubentlyAccount, AUDIT_STREAM, subscriberConsumerName(name)),
      tags: stateTags(state),
      revocations: state.revocations,
    },
    { signer },
  );
}

export interface IssuedUser {
  /** The credentials file text (user JWT and seed) that nats.js's credsAuthenticator and `nats --creds` take. */
  creds: string;
  publicKey: string;
  /** Epoch seconds; 0 = never. */
  issuedAt: number;
  expiresAt: number;
}

/** A user of `account`, signed by the account key itself, with `permissions` and an optional expiry. */
export async function issueUser(
  account: KeyPair,
  name: string,
  permissions: NatsPermissions,
  options: { expiresAt?: number; now?: () => number } = {},
): Promise<IssuedUser> {
  const user = createUser();
  const issuedAt = Math.floor((options.now ?? Date.now)() / 1000);
  const expiresAt = options.expiresAt ?? 0;
  const claims: Partial<User> = {
    pub: { allow: permissions.publish.allow, deny: permissions.publish.deny ?? [] },
    sub: { allow: permissions.subscribe.allow, deny: permissions.subscribe.deny ?? [] },
    // The JWT's ttl is a Go time.Duration: nanoseconds.
    ...(permissions.responses
      ? { resp: { max: permissions.responses.max, ttl: permissions.responses.ttlMs * 1_000_000 } }
      : {}),
  };
  const jwt = await encodeUser(name, user, account, claims, expiresAt ? { exp: expiresAt } : {});
  return {
    creds: new TextDecoder().decode(fmtCreds(jwt, user)),
    publicKey: user.getPublicKey(),
    issuedAt,
    expiresAt,
  };
}
