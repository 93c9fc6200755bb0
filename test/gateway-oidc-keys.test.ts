// The key cache against an issuer that misbehaves: whatever it answers, no token is accepted unverified,
// and a failing issuer is asked again only after the cooldown.

import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { SignJWT } from 'jose';
import { createJwksCache, IssuerUnavailableError } from '../gateway/auth/jwks-cache.js';
import { createOidcVerifier } from '../gateway/auth/oidc.js';
import { oidcConfig } from '../harness/oidc-gateway.js';
import { CLIENT_ID, makeKey } from '../harness/oidc-issuer.js';

type Handler = (path: string, res: ServerResponse, base: string) => void;

/** An issuer whose every answer the test decides; counts requests per path. */
async function rogueIssuer(t: ExecutionContext, handler: Handler) {
  const hits: Record<string, number> = {};
  let base = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', base).pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    handler(path, res, base);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { base, hits };
}

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const discovery = (base: string, extra: Record<string, unknown> = {}) => ({
  issuer: base,
  jwks_uri: `${base}/jwks`,
  ...extra,
});

const cases: Array<[string, Handler]> = [
  [
    'discovery names another issuer',
    (_p, res, base) => json(res, discovery(base, { issuer: 'https://evil.example.com' })),
  ],
  [
    'jwks_uri over plain http to another host',
    (_p, res, base) => json(res, discovery(base, { jwks_uri: 'http://keys.example.com/jwks' })),
  ],
  ['discovery is not JSON', (_p, res) => res.end('<html>')],
  ['discovery answers 500', (_p, res) => json(res, { error: 'boom' }, 500)],
  [
    'the key set redirects elsewhere',
    (p, res, base) => {
      if (p === '/jwks') {
        res.writeHead(302, { location: 'https://keys.example.com/jwks' });
        return res.end();
      }
      json(res, discovery(base));
    },
  ],
  [
    'the key set is larger than the bound',
    (p, res, base) =>
      p === '/jwks' ? json(res, { keys: [], pad: 'x'.repeat(4096) }) : json(res, discovery(base)),
  ],
  [
    'the key set is not a key set',
    (p, res, base) => (p === '/jwks' ? json(res, { keys: 'none' }) : json(res, discovery(base))),
  ],
];

for (const [name, handler] of cases) {
  test(`oidc keys - ${name}: tokens are refused as issuer_unreachable`, async (t) => {
    const { base } = await rogueIssuer(t, handler);
    const config = oidcConfig(base);
    const keys = createJwksCache({ issuer: base, maxAgeMs: 60_000, cooldownMs: 30_000, maxBytes: 1024 });
    await t.throwsAsync(() => keys.refresh(), { instanceOf: IssuerUnavailableError });
    const key = await makeKey('ES256');
    const token = await new SignJWT({ iss: base, aud: CLIENT_ID, email: 'a@example.com' })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setExpirationTime('5m')
      .sign(key.privateKey);
    const outcome = await createOidcVerifier({ config, keys }).verify(token);
    t.like(outcome, { ok: false, reason: 'issuer_unreachable' });
  });
}

test('oidc keys - a failing issuer is asked again only after the cooldown', async (t) => {
  let healthy = false;
  const signer = await makeKey('ES256');
  const { base, hits } = await rogueIssuer(t, (p, res, b) => {
    if (!healthy) return json(res, { error: 'down' }, 503);
    if (p === '/jwks') return json(res, { keys: [signer.publicJwk] });
    json(res, discovery(b));
  });
  let clock = 0;
  const keys = createJwksCache({ issuer: base, maxAgeMs: 600_000, cooldownMs: 30_000, now: () => clock });
  const verifier = createOidcVerifier({ config: oidcConfig(base), keys });
  const token = await new SignJWT({ iss: base, aud: CLIENT_ID, email: 'a@example.com' })
    .setProtectedHeader({ alg: 'ES256', kid: signer.kid })
    .setExpirationTime('5m')
    .sign(signer.privateKey);
  const first = await verifier.verify(token);
  t.like(first, { ok: false, reason: 'issuer_unreachable', retryAfterSeconds: 30 });
  healthy = true;
  for (let i = 0; i < 5; i++)
    t.like(await verifier.verify(token), { ok: false, reason: 'issuer_unreachable' });
  t.is(hits['/.well-known/openid-configuration'], 1, 'no request to the issuer within the cooldown');
  clock += 30_000;
  t.like(await verifier.verify(token), { ok: true, caller: { identity: 'a@example.com' } });
  t.is(keys.fetches, 1);
});
