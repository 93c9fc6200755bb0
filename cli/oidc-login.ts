// `kubently login` with the OAuth 2.0 device authorization grant (RFC 8628) through openid-client, and the
// refresh of the stored tokens before they expire. The tokens live in the CLI config file (mode 0600).

import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

/** What `kubently login` stores under `oidc` in the config file. */
export interface StoredLogin {
  issuer: string;
  client_id: string;
  /** Which token the gateway is sent: the ID token (aud = client id, the default) or the access token. */
  token_kind: 'id_token' | 'access_token';
  token: string;
  refresh_token?: string;
  /** The sent token's expiry, seconds since the epoch. */
  expires_at: number;
}

/** A token this close to its expiry (seconds) is refreshed before it is sent. */
export const REFRESH_MARGIN_SECONDS = 60;
export const DEFAULT_SCOPE = 'openid email profile groups offline_access';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or http to this machine only (a local issuer); tokens never travel in clear over a network. */
function discoveryOptions(issuer: URL): oidc.DiscoveryRequestOptions | undefined {
  if (issuer.protocol === 'https:') return undefined;
  if (issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname)) {
    return { execute: [oidc.allowInsecureRequests] };
  }
  throw new CliError(`issuer ${issuer.href} must be https (http only on loopback)`, EXIT.usage);
}

async function configure(issuer: string, clientId: string): Promise<oidc.Configuration> {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new CliError(`invalid issuer URL ${JSON.stringify(issuer)}`, EXIT.usage);
  }
  const options = discoveryOptions(url);
  try {
    return await oidc.discovery(url, clientId, undefined, oidc.None(), options);
  } catch (err) {
    throw issuerError('discovery failed', err);
  }
}

function issuerError(what: string, err: unknown): CliError {
  const e = err as {
    error?: string;
    error_description?: string;
    message?: string;
    cause?: { code?: string };
  };
  const reason = e.error_description ?? e.error ?? e.cause?.code ?? e.message ?? String(err);
  return new CliError(`identity provider: ${what}: ${reason}`, EXIT.unauthorized, 'login_failed');
}

function toStored(
  issuer: string,
  clientId: string,
  kind: StoredLogin['token_kind'],
  tokens: oidc.TokenEndpointResponse,
  previousRefresh: string | undefined,
  nowSeconds: number,
): StoredLogin {
  const token = kind === 'id_token' ? tokens.id_token : tokens.access_token;
  if (!token) throw new CliError(`identity provider returned no ${kind}`, EXIT.unauthorized, 'login_failed');
  let expiresAt = nowSeconds + (tokens.expires_in ?? 300);
  try {
    const { exp } = decodeJwt(token);
    if (typeof exp === 'number') expiresAt = exp;
  } catch {
    // An opaque access token: the gateway will refuse it, but its lifetime still comes from expires_in.
  }
  const refresh = tokens.refresh_token ?? previousRefresh;
  return {
    issuer,
    client_id: clientId,
    token_kind: kind,
    token,
    ...(refresh ? { refresh_token: refresh } : {}),
    expires_at: expiresAt,
  };
}

export interface DeviceLoginOptions {
  issuer: string;
  clientId: string;
  scope?: string;
  tokenKind?: StoredLogin['token_kind'];
  /** Shows the person where to go and which code to confirm. */
  prompt(verificationUri: string, userCode: string, verificationUriComplete: string | undefined): void;
  nowSeconds?: () => number;
}

/** Runs the device authorization grant to completion (the person approves in a browser) and returns the tokens. */
export async function deviceLogin(options: DeviceLoginOptions): Promise<StoredLogin> {
  const { issuer, clientId, scope = DEFAULT_SCOPE, tokenKind = 'id_token' } = options;
  const now = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const config = await configure(issuer, clientId);
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new CliError(
      `issuer ${issuer} does not offer the device authorization grant; pass a token with --token instead`,
      EXIT.usage,
    );
  }
  let grant: oidc.DeviceAuthorizationResponse;
  try {
    grant = await oidc.initiateDeviceAuthorization(config, { scope });
  } catch (err) {
    throw issuerError('device authorization refused', err);
  }
  options.prompt(grant.verification_uri, grant.user_code, grant.verification_uri_complete);
  let tokens: oidc.TokenEndpointResponse;
  try {
    tokens = await oidc.pollDeviceAuthorizationGrant(config, grant);
  } catch (err) {
    throw issuerError('sign-in did not complete', err);
  }
  return toStored(issuer, clientId, tokenKind, tokens, undefined, now());
}

/** Whether the stored token must be refreshed before use. */
export function needsRefresh(login: StoredLogin, nowSeconds: number): boolean {
  return login.expires_at - nowSeconds < REFRESH_MARGIN_SECONDS;
}

/** New tokens for a stored login from its refresh token; a clear error when there is none or it is refused. */
export async function refreshLogin(login: StoredLogin, nowSeconds: number): Promise<StoredLogin> {
  if (!login.refresh_token) {
    throw new CliError(
      'the login has expired and cannot be refreshed: run kubently login',
      EXIT.unauthorized,
    );
  }
  const config = await configure(login.issuer, login.client_id);
  let tokens: oidc.TokenEndpointResponse;
  try {
    tokens = await oidc.refreshTokenGrant(config, login.refresh_token);
  } catch (err) {
    const e = issuerError('refresh refused', err);
    throw new CliError(`${e.message}; run kubently login`, EXIT.unauthorized, 'login_expired');
  }
  return toStored(login.issuer, login.client_id, login.token_kind, tokens, login.refresh_token, nowSeconds);
}
