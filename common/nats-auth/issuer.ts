// Mints, rotates and revokes cluster-agent and event-subscriber credentials at run time: it signs the account
// JWT and pushes it to the servers' full resolver through the system account ($SYS.REQ.CLAIMS.UPDATE), which
// every server of a cluster applies at once: no restart, no reload. Revocation is the account JWT's
// `revocations` map: the servers disconnect the revoked users and refuse them from then on.

import { type Account, decode } from '@nats-io/jwt';
import type { NatsConnection } from '@nats-io/nats-core';
import type { KeyPair } from '@nats-io/nkeys';
import { KubentlyError } from '../errors.js';
import { agentUserName, assertClusterId } from '../subjects.js';
import {
  type AccountState,
  clusterAccountJwt,
  EMPTY_ACCOUNT_STATE,
  issueUser,
  parseAccountState,
  subscriberAccountJwt,
} from './claims.js';
import { type AccountLabel, deriveAccount } from './keys.js';
import { type NatsPermissions, permissionsForAgent, permissionsForSubscriber } from './permissions.js';

/** Agent credentials expire after this by default (rotate before). */
export const DEFAULT_CREDENTIAL_TTL_SECONDS = 365 * 24 * 3600;
/** After a rotation the replaced credential stays valid this long, so agents can pick up the new one. */
export const DEFAULT_ROTATE_OVERLAP_SECONDS = 300;
const CLAIMS_REQUEST_TIMEOUT_MS = 5_000;

export type CredentialKind = 'cluster' | 'subscriber';

export interface IssuedCredential {
  /** The credentials file text; shown once, never stored by Kubently. */
  token: string;
  name: string;
  createdAt: string;
  /** ISO time, or null when it never expires. */
  expiresAt: string | null;
  /** Set on a rotation: until when the replaced credential keeps working. */
  previousValidUntil?: string;
}

export interface CredentialIssuer {
  /**
   * Issues a credential. Throws `conflict` (409) when a valid one exists and `rotate` is false; with `rotate` the
   * valid ones are revoked `overlapSeconds` later (applyDue does it; the caller schedules it).
   */
  mint(kind: CredentialKind, name: string, options?: { rotate?: boolean }): Promise<IssuedCredential>;
  /** Revokes every credential of `name` now; false when it had none. */
  revoke(kind: CredentialKind, name: string): Promise<boolean>;
  /** Revokes the rotated-out credentials whose overlap has ended; returns how many. */
  applyDue(kind: CredentialKind, name: string): Promise<number>;
  /** Whether `name` has a valid credential now. */
  has(kind: CredentialKind, name: string): Promise<boolean>;
  readonly overlapSeconds: number;
}

export interface CredentialIssuerDeps {
  /** A system-account connection allowed to publish $SYS.REQ.CLAIMS.* (claimsPermissions). */
  sys: NatsConnection;
  /** The operator signing key (its seed is the secret every account key is derived from). */
  signer: KeyPair;
  kubentlyAccount: string;
  ttlSeconds?: number;
  overlapSeconds?: number;
  now?: () => number;
}

interface ClaimsReply {
  data?: { code?: number; message?: string };
  error?: { code?: number; description?: string };
}

export function createCredentialIssuer(deps: CredentialIssuerDeps): CredentialIssuer {
  const { sys, signer, kubentlyAccount, now = Date.now } = deps;
  const ttlSeconds = deps.ttlSeconds ?? DEFAULT_CREDENTIAL_TTL_SECONDS;
  const overlapSeconds = deps.overlapSeconds ?? DEFAULT_ROTATE_OVERLAP_SECONDS;
  const seconds = () => Math.floor(now() / 1000);

  const profiles: Record<
    CredentialKind,
    {
      label: (name: string) => AccountLabel;
      user: (name: string) => string;
      permissions: (name: string) => NatsPermissions;
      jwt: (account: KeyPair, name: string, state: AccountState) => Promise<string>;
      check: (name: string) => void;
    }
  > = {
    cluster: {
      label: (name) => `cluster:${name}`,
      user: agentUserName,
      permissions: permissionsForAgent,
      jwt: (account, name, state) => clusterAccountJwt(signer, account, name, kubentlyAccount, state),
      check: (name) => void assertClusterId(name),
    },
    subscriber: {
      label: (name) => `subscriber:${name}`,
      user: (name) => `subscriber-${name}`,
      permissions: permissionsForSubscriber,
      jwt: (account, name, state) => subscriberAccountJwt(signer, account, name, kubentlyAccount, state),
      check: (name) => void assertClusterId(name),
    },
  };

  async function request(subject: string, data: string): Promise<string> {
    try {
      return (await sys.request(subject, data, { timeout: CLAIMS_REQUEST_TIMEOUT_MS })).string();
    } catch (err) {
      throw new KubentlyError('service_unavailable', 'the NATS account resolver did not answer', {
        cause: err,
      });
    }
  }

  async function load(account: KeyPair): Promise<AccountState | undefined> {
    const pub = account.getPublicKey();
    const list = JSON.parse(await request('$SYS.REQ.CLAIMS.LIST', '')) as { data?: string[] };
    if (!list.data?.includes(pub)) return undefined;
    const jwt = await request(`$SYS.REQ.ACCOUNT.${pub}.CLAIMS.LOOKUP`, '');
    return parseAccountState(decode<Account>(jwt).nats);
  }

  async function push(
    kind: CredentialKind,
    account: KeyPair,
    name: string,
    state: AccountState,
  ): Promise<void> {
    const jwt = await profiles[kind].jwt(account, name, state);
    const reply = JSON.parse(await request('$SYS.REQ.CLAIMS.UPDATE', jwt)) as ClaimsReply;
    if (reply.error || reply.data?.code !== 200) {
      throw new KubentlyError('internal_error', 'the NATS account resolver refused the account update', {
        details: { reason: reply.error?.description ?? reply.data?.message ?? 'unknown' },
      });
    }
  }

  /** Drops expired users (and their pending retirements), so the JWT keeps only what can still connect. */
  function prune(state: AccountState): AccountState {
    const at = seconds();
    const live = (exp: number) => exp === 0 || exp > at;
    const users = Object.fromEntries(Object.entries(state.users).filter(([, exp]) => live(exp)));
    const retiring = Object.fromEntries(Object.entries(state.retiring).filter(([k]) => k in users));
    return { users, retiring, revocations: { ...state.revocations } };
  }

  /** Moves the users whose retirement is due (or all, with `all`) to the revocations; returns how many. */
  function retire(state: AccountState, all: boolean): number {
    const at = seconds();
    const due = all
      ? Object.keys(state.users)
      : Object.entries(state.retiring)
          .filter(([, when]) => when <= at)
          .map(([k]) => k);
    for (const key of due) {
      state.revocations[key] = at;
      delete state.users[key];
      delete state.retiring[key];
    }
    return due.length;
  }

  async function revokeDue(kind: CredentialKind, name: string, all: boolean): Promise<number> {
    profiles[kind].check(name);
    const account = deriveAccount(signer, profiles[kind].label(name));
    const loaded = await load(account);
    if (!loaded) return 0;
    const state = prune(loaded);
    const count = retire(state, all);
    if (count > 0) await push(kind, account, name, state);
    return count;
  }

  return {
    overlapSeconds,
    async mint(kind, name, options = {}) {
      const profile = profiles[kind];
      profile.check(name);
      const account = deriveAccount(signer, profile.label(name));
      const state = prune((await load(account)) ?? EMPTY_ACCOUNT_STATE);
      retire(state, false);
      const current = Object.keys(state.users).filter((k) => !(k in state.retiring));
      if (current.length > 0 && !options.rotate) {
        throw new KubentlyError(
          'conflict',
          `"${name}" already has a credential; rotate it with ?rotate=true`,
        );
      }
      const at = seconds();
      const user = await issueUser(account, profile.user(name), profile.permissions(name), {
        expiresAt: ttlSeconds > 0 ? at + ttlSeconds : 0,
        now,
      });
      const retireAt = at + overlapSeconds;
      for (const key of current) state.retiring[key] = retireAt;
      state.users[user.publicKey] = user.expiresAt;
      await push(kind, account, name, state);
      return {
        token: user.creds,
        name,
        createdAt: new Date(user.issuedAt * 1000).toISOString(),
        expiresAt: user.expiresAt ? new Date(user.expiresAt * 1000).toISOString() : null,
        ...(current.length > 0 ? { previousValidUntil: new Date(retireAt * 1000).toISOString() } : {}),
      };
    },
    revoke: async (kind, name) => (await revokeDue(kind, name, true)) > 0,
    applyDue: (kind, name) => revokeDue(kind, name, false),
    async has(kind, name) {
      profiles[kind].check(name);
      const state = await load(deriveAccount(signer, profiles[kind].label(name)));
      return state !== undefined && Object.keys(prune(state).users).length > 0;
    },
  };
}
