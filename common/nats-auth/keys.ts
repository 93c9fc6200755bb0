// The NATS nkeys of Kubently's accounts, derived from the operator signing key so that the gateway needs one
// secret to find and re-sign any account it created (no store of account seeds to keep in sync).

import { createHmac } from 'node:crypto';
import { fromSeed, type KeyPair, Prefix } from '@nats-io/nkeys';
// The encoder nkeys uses for its own seeds: a raw 32-byte seed becomes an "SA..." account seed.
import { Codec } from '@nats-io/nkeys/lib/codec.js';

/** The accounts whose keys are derived: the system account, the JetStream-owning account, audit, one per cluster and subscriber. */
export type AccountLabel = 'SYS' | 'KUBENTLY' | 'AUDIT' | `cluster:${string}` | `subscriber:${string}`;

const encoder = new TextEncoder();

/** Reads an operator signing seed ("SO..."): throws a message that never contains the seed itself. */
export function operatorSigner(seed: string): KeyPair {
  const trimmed = seed.trim();
  let kp: KeyPair;
  try {
    kp = fromSeed(encoder.encode(trimmed));
  } catch {
    throw new TypeError('the operator signing key is not an nkey seed (it starts with "SO")');
  }
  if (!kp.getPublicKey().startsWith('O')) {
    throw new TypeError('the operator signing key is not an operator seed (it starts with "SO")');
  }
  return kp;
}

/**
 * The account key for `label`: HMAC-SHA256(operator signing seed, label) used as the raw ed25519 seed. The same
 * signing key always gives the same accounts; a new signing key gives new accounts (every cluster re-minted).
 */
export function deriveAccount(signer: KeyPair, label: AccountLabel): KeyPair {
  const raw = createHmac('sha256', signer.getSeed()).update(`kubently/nats-account/${label}`).digest();
  return fromSeed(Codec.encodeSeed(Prefix.Account, raw));
}
