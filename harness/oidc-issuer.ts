// A small OpenID Connect issuer on loopback for tests: keys generated at run time, discovery, JWKS, the
// device authorization endpoint and a token endpoint (device code and refresh token grants). It can
// rotate its key, go down and come back on the same port, and counts how often its keys are fetched.

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext } from 'ava';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export const CLIENT_ID = 'kubently-cli';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface SignOptions {
  key?: SigningKey;
  /** Seconds from now; negative for an expired token. Default 300. */
  expiresIn?: number;
  header?: Record<string, unknown>;
}

export interface TestIssuer {
  /** The issuer identifier (its base URL). */
  url: string;
  current: SigningKey;
  /** A signed token with default claims (iss, aud, sub, email, groups, iat, exp) and `claims` over them. */
  sign(claims?: JWTPayload & Record<string, unknown>, options?: SignOptions): Promise<string>;
  /** A new key not published by the issuer. */
  newKey(alg?: string): Promise<SigningKey>;
  /** Publishes a new current key and withdraws the old one. */
  rotate(): Promise<SigningKey>;
  /** How many times the JWKS was served. */
  readonly jwksFetches: number;
  /** What the token endpoint answers for this person: ID/access token (one JWT) and a refresh token. */
  tokens(claims: Record<string, unknown>): Promise<TokenResponse>;
  /** Approves a pending device login as the person with these claims. */
  approve(userCode: string, claims: Record<string, unknown>): void;
  /** Refresh grants served. */
  readonly refreshes: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface TokenResponse {
  access_token: string;
  id_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export async function makeKey(alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

interface Device {
  deviceCode: string;
  userCode: string;
  approved?: Record<string, unknown>;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startTestIssuer(
  t: ExecutionContext,
  options: { audience?: string; tokenLifetimeSeconds?: number } = {},
): Promise<TestIssuer> {
  const audience = options.audience ?? CLIENT_ID;
  const lifetime = options.tokenLifetimeSeconds ?? 300;
  let current = await makeKey();
  let jwksFetches = 0;
  let refreshes = 0;
  const devices = new Map<string, Device>();
  const refreshTokens = new Map<string, Record<string, unknown>>();
  let url = '';
  let port = 0;

  async function sign(claims: Record<string, unknown> = {}, opts: SignOptions = {}): Promise<string> {
    const key = opts.key ?? current;
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: url,
      aud: audience,
      sub: 'user-1',
      email: 'ada@example.com',
      email_verified: true,
      groups: ['sre'],
      iat: now,
      exp: now + (opts.expiresIn ?? lifetime),
      ...claims,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...opts.header })
      .sign(key.privateKey);
  }

  async function tokensFor(claims: Record<string, unknown>): Promise<TokenResponse> {
    const refresh = randomBytes(24).toString('base64url');
    refreshTokens.set(refresh, claims);
    const token = await sign({ ...claims, aud: audience });
    return {
      access_token: token,
      id_token: token,
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: lifetime,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: url,
        jwks_uri: `${url}/jwks`,
        token_endpoint: `${url}/token`,
        device_authorization_endpoint: `${url}/device`,
        authorization_endpoint: `${url}/authorize`,
        grant_types_supported: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    }
    if (req.method === 'GET' && path === '/jwks') {
      jwksFetches++;
      return json(res, 200, { keys: [current.publicJwk] });
    }
    if (req.method === 'POST' && path === '/device') {
      const form = await readForm(req);
      if (form.get('client_id') !== CLIENT_ID) return json(res, 401, { error: 'invalid_client' });
      const device: Device = {
        deviceCode: randomBytes(24).toString('base64url'),
        userCode: `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`.toUpperCase(),
      };
      devices.set(device.deviceCode, device);
      return json(res, 200, {
        device_code: device.deviceCode,
        user_code: device.userCode,
        verification_uri: `${url}/activate`,
        verification_uri_complete: `${url}/activate?user_code=${device.userCode}`,
        expires_in: 300,
        interval: 1,
      });
    }
    if (req.method === 'POST' && path === '/token') {
      const form = await readForm(req);
      if (form.get('client_id') !== CLIENT_ID) return json(res, 401, { error: 'invalid_client' });
      const grant = form.get('grant_type');
      if (grant === 'urn:ietf:params:oauth:grant-type:device_code') {
        const device = devices.get(form.get('device_code') ?? '');
        if (!device) return json(res, 400, { error: 'invalid_grant' });
        if (!device.approved) return json(res, 400, { error: 'authorization_pending' });
        devices.delete(device.deviceCode);
        return json(res, 200, await tokensFor(device.approved));
      }
      if (grant === 'refresh_token') {
        const given = form.get('refresh_token') ?? '';
        const claims = refreshTokens.get(given);
        if (!claims) return json(res, 400, { error: 'invalid_grant' });
        refreshTokens.delete(given);
        refreshes++;
        return json(res, 200, await tokensFor(claims));
      }
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    json(res, 404, { error: 'not_found' });
  }

  let server: Server | undefined;
  async function start(): Promise<void> {
    const s = createServer((req, res) => {
      handle(req, res).catch(() => json(res, 500, { error: 'server_error' }));
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
    server = s;
  }
  async function stop(): Promise<void> {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await start();
  t.teardown(stop);

  return {
    get url() {
      return url;
    },
    get current() {
      return current;
    },
    sign,
    tokens: tokensFor,
    newKey: (alg = 'ES256') => makeKey(alg),
    async rotate() {
      current = await makeKey(current.alg);
      return current;
    },
    get jwksFetches() {
      return jwksFetches;
    },
    approve(userCode, claims) {
      const device = [...devices.values()].find((d) => d.userCode === userCode);
      if (!device) throw new Error(`no pending device login with code ${userCode}`);
      device.approved = claims;
    },
    get refreshes() {
      return refreshes;
    },
    stop,
    start,
  };
}
