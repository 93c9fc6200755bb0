// Creates a Kubently NATS operator: the operator and its signing key, the system, KUBENTLY and AUDIT accounts,
// the service users and (for GitOps) clusters provisioned up front. Used by `kubently nats-config init`, the
// dev stack and the test launcher. The server config it renders holds public keys and JWTs only.

import { createOperator, type KeyPair } from '@nats-io/nkeys';
import { agentUserName, assertClusterId } from '../subjects.js';
import {
  auditAccountJwt,
  clusterAccountJwt,
  EMPTY_ACCOUNT_STATE,
  issueUser,
  kubentlyAccountJwt,
  operatorJwt,
  subscriberAccountJwt,
  systemAccountJwt,
} from './claims.js';
import { deriveAccount, operatorSigner } from './keys.js';
import {
  permissionsForAgent,
  permissionsForSubscriber,
  SERVICE_IDENTITIES,
  type ServiceIdentity,
  servicePermissions,
} from './permissions.js';

/** File name nats.conf includes: operator, system account and preloaded account JWTs. */
export const OPERATOR_CONF_FILE_NAME = 'kubently-operator.conf';

export interface OperatorSetup {
  /** The operator signing key seed ("SO..."): the gateway's NATS_OPERATOR_SIGNING_KEY. A secret. */
  signingSeed: string;
  operatorJwt: string;
  systemAccount: string;
  kubentlyAccount: string;
  auditAccount: string;
  /** Account public key → JWT, loaded by the server at start (`resolver_preload`). */
  preload: Record<string, string>;
  /** Credentials files of the service identities (secrets). */
  creds: Record<ServiceIdentity, string>;
  /** Credentials files of the clusters provisioned up front (secrets). */
  agentCreds: Record<string, string>;
  /** Credentials files of the event subscribers provisioned up front (secrets). */
  subscriberCreds: Record<string, string>;
}

export interface CreateSetupOptions {
  /** Reuse a signing key (re-rendering the config of an existing operator); default: a new one. */
  signingSeed?: string;
  /** Clusters whose accounts are preloaded and whose agent credentials are issued now (GitOps). */
  clusters?: string[];
  /** Event subscribers provisioned up front (their audit-stream consumers are created by provisioning). */
  subscribers?: string[];
  /** Expiry of the agent credentials issued now, epoch seconds; default never. */
  agentExpiresAt?: number;
}

const decoder = new TextDecoder();

export async function createOperatorSetup(options: CreateSetupOptions = {}): Promise<OperatorSetup> {
  const operator = createOperator();
  const signer: KeyPair = options.signingSeed ? operatorSigner(options.signingSeed) : createOperator();
  const sys = deriveAccount(signer, 'SYS');
  const kubently = deriveAccount(signer, 'KUBENTLY');
  const audit = deriveAccount(signer, 'AUDIT');
  const systemAccount = sys.getPublicKey();
  const kubentlyAccount = kubently.getPublicKey();
  const preload: Record<string, string> = {
    [systemAccount]: await systemAccountJwt(signer, sys),
    [kubentlyAccount]: await kubentlyAccountJwt(signer, kubently),
    [audit.getPublicKey()]: await auditAccountJwt(signer, audit, kubentlyAccount, systemAccount),
  };
  const creds = {} as Record<ServiceIdentity, string>;
  for (const identity of SERVICE_IDENTITIES) {
    const account = identity === 'audit' ? audit : kubently;
    creds[identity] = (await issueUser(account, identity, servicePermissions[identity])).creds;
  }
  const agentCreds: Record<string, string> = {};
  for (const clusterId of options.clusters ?? []) {
    assertClusterId(clusterId);
    const account = deriveAccount(signer, `cluster:${clusterId}`);
    const user = await issueUser(account, agentUserName(clusterId), permissionsForAgent(clusterId), {
      expiresAt: options.agentExpiresAt,
    });
    const state = { ...EMPTY_ACCOUNT_STATE, users: { [user.publicKey]: user.expiresAt } };
    preload[account.getPublicKey()] = await clusterAccountJwt(
      signer,
      account,
      clusterId,
      kubentlyAccount,
      state,
    );
    agentCreds[clusterId] = user.creds;
  }
  const subscriberCreds: Record<string, string> = {};
  for (const name of options.subscribers ?? []) {
    assertClusterId(name);
    const account = deriveAccount(signer, `subscriber:${name}`);
    const user = await issueUser(account, `subscriber-${name}`, permissionsForSubscriber(name));
    const state = { ...EMPTY_ACCOUNT_STATE, users: { [user.publicKey]: user.expiresAt } };
    preload[account.getPublicKey()] = await subscriberAccountJwt(
      signer,
      account,
      name,
      kubentlyAccount,
      state,
    );
    subscriberCreds[name] = user.creds;
  }
  return {
    signingSeed: decoder.decode(signer.getSeed()),
    operatorJwt: await operatorJwt({ operator, signer, systemAccount }),
    systemAccount,
    kubentlyAccount,
    auditAccount: audit.getPublicKey(),
    preload,
    creds,
    agentCreds,
    subscriberCreds,
  };
}

/** The file nats.conf includes: public keys and JWTs only, never a seed. */
export function renderOperatorConfig(
  setup: Pick<OperatorSetup, 'operatorJwt' | 'systemAccount' | 'preload'>,
): string {
  const preload = Object.entries(setup.preload)
    .map(([account, jwt]) => `  ${account}: ${jwt}`)
    .join('\n');
  return [
    '# Generated by `kubently nats-config init`: the operator, the system account and the accounts every',
    '# server loads at start. Public keys and signed JWTs only; the signing key stays in a Secret.',
    `operator: ${setup.operatorJwt}`,
    `system_account: ${setup.systemAccount}`,
    'resolver_preload: {',
    preload,
    '}',
    '',
  ].join('\n');
}
