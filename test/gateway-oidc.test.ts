// OpenID Connect bearer tokens beside API keys, against a real issuer on loopback (keys made at run time).

import test, { type ExecutionContext } from 'ava';
import { base64url, SignJWT } from 'jose';
import type { ConfigError } from '../common/env.js';
import { parsePolicy } from '../common/policy/index.js';
import { loadGatewayConfig } from '../gateway/config.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';
import { startOidcGateway } from '../harness/oidc-gateway.js';
import { CLIENT_ID, type TestIssuer } from '../harness/oidc-issuer.js';

const POLICY = parsePolicy(
  `
name: oidc-test
extends: readOnly
identities:
  alice: { clusters: [c1, c2] }
  admin: { clusters: ['*'] }
  'group:sre': { clusters: [c1], namespaces: [default] }
  'group:dba': { clusters: [c2], namespaces: [databases] }
`,
  'oidc-test-policy',
);

function oidcStack(t: ExecutionContext, options: { adminIdentities?: string[] } = {}) {
  return startOidcGateway(t, { policy: POLICY, ...options });
}

/** A token whose payload was changed after signing (the signature is the original one). */
function tamper(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const decoded = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
  return [header, base64url.encode(JSON.stringify({ ...decoded, ...claims })), signature].join('.');
}

function unsigned(issuer: TestIssuer): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const body = base64url.encode(
    JSON.stringify({ iss: issuer.url, aud: CLIENT_ID, email: 'ada@example.com', exp: now + 300 }),
  );
  return `${header}.${body}.`;
}

/** The classic key-confusion forgery: HS256 with the issuer's public key (as PEM text) as the secret. */
async function hmacWithPublicKey(issuer: TestIssuer): Promise<string> {
  const { createPublicKey } = await import('node:crypto');
  const pem = createPublicKey({ key: issuer.current.publicJwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: issuer.url, aud: CLIENT_ID, email: 'ada@example.com', exp: now + 300 })
    .setProtectedHeader({ alg: 'HS256', kid: issuer.current.kid })
    .sign(new TextEncoder().encode(pem));
}

test('oidc - a valid token names the person and their groups', async (t) => {
  const { get, issuer, s } = await oidcStack(t);
  const token = await issuer.sign({ groups: ['sre', 'Platform Team'] });
  const res = await get('/whoami', token);
  t.is(res.statusCode, 200, res.body);
  const body = res.json();
  t.is(body.identity, 'ada@example.com');
  t.deepEqual(body.groups, ['group:sre', 'group:Platform Team']);
  t.is(body.auth_method, 'oidc');
  t.false(body.admin);
  t.regex(body.expires_at, /^\d{4}-\d\d-\d\dT/);
  const clusters = await get('/clusters', token);
  t.deepEqual(
    clusters.json().clusters.map((c: { cluster_id: string }) => c.cluster_id),
    ['c1'],
    'group:sre may use c1 only',
  );
  t.is(s.captured.of('authentication_failure').length, 0);
});

test('oidc - every forged, stale or misdirected token is refused with the check that failed', async (t) => {
  const { get, issuer, s } = await oidcStack(t);
  // The first good token loads the keys, so each case below fails on its own check.
  t.is((await get('/whoami', await issuer.sign())).statusCode, 200);
  const stranger = await issuer.newKey();
  const now = Math.floor(Date.now() / 1000);
  const cases: Array<[string, string, string]> = [
    ['expired beyond the 60 s skew', await issuer.sign({}, { expiresIn: -120 }), 'token_expired'],
    ['not valid yet', await issuer.sign({ nbf: now + 600 }), 'token_not_yet_valid'],
    ['wrong audience', await issuer.sign({ aud: 'someone-else' }), 'token_wrong_audience'],
    ['wrong issuer', await issuer.sign({ iss: 'https://evil.example.com' }), 'token_wrong_issuer'],
    ['unknown key', await issuer.sign({}, { key: stranger }), 'token_unknown_key'],
    ['tampered payload', tamper(await issuer.sign(), { email: 'root@example.com' }), 'token_bad_signature'],
    ['alg none', unsigned(issuer), 'token_algorithm_not_allowed'],
    ['HS256 signed with the public key', await hmacWithPublicKey(issuer), 'token_algorithm_not_allowed'],
    ['no exp', await issuer.sign({ exp: undefined }), 'token_invalid_claims'],
    ['no identity claim', await issuer.sign({ email: undefined }), 'token_missing_identity'],
    ['identity posing as a group', await issuer.sign({ email: 'group:sre' }), 'token_missing_identity'],
    ['unverified email', await issuer.sign({ email_verified: false }), 'token_email_unverified'],
    ['groups not a list of names', await issuer.sign({ groups: [{ name: 'x' }] }), 'token_invalid_claims'],
    ['garbage after the header', 'eyJhbGciOiJSUzI1NiJ9.not-json.x', 'token_malformed'],
  ];
  for (const [name, token, reason] of cases) {
    const res = await get('/whoami', token);
    t.is(res.statusCode, 401, name);
    t.regex(
      String(res.headers['www-authenticate']),
      /^Bearer realm="kubently", error="invalid_token", resource_metadata="http:\/\/localhost\/\.well-known\/oauth-protected-resource"$/,
      name,
    );
    t.is(res.json().error, 'unauthorized', name);
    t.is(res.json().details.reason, reason, name);
  }
  const records = s.captured.of('authentication_failure');
  t.deepEqual(
    records.map((r) => r.details?.reason),
    cases.map(([, , reason]) => reason),
  );
  t.true(records.every((r) => r.identity == null && r.api_key_prefix === null));
  t.false(JSON.stringify(s.captured.events).includes(cases[0]![1]), 'no token in audit records');
  t.is(issuer.jwksFetches, 1, 'refused tokens did not make the gateway fetch keys again');
  const metrics = await s.registry.metrics();
  t.regex(metrics, /kubently_gateway_auth_failures_total\{reason="token_algorithm_not_allowed"\} 2/);
});

test('oidc - an expiry within the 60 s skew is tolerated', async (t) => {
  const { get, issuer } = await oidcStack(t);
  t.is((await get('/whoami', await issuer.sign({}, { expiresIn: -30 }))).statusCode, 200);
});

test('oidc - a rotated key is fetched on its first token, made-up key ids at most once per cooldown', async (t) => {
  const { get, issuer, advance, config } = await oidcStack(t);
  t.is((await get('/whoami', await issuer.sign())).statusCode, 200);
  t.is(issuer.jwksFetches, 1);
  const oldToken = await issuer.sign();
  await issuer.rotate();
  advance(config.jwksCooldownMs);
  const rotated = await get('/whoami', await issuer.sign());
  t.is(rotated.statusCode, 200, rotated.body);
  t.is(issuer.jwksFetches, 2, 'the unknown kid caused one fetch');
  const withdrawn = await get('/whoami', oldToken);
  t.is(withdrawn.statusCode, 401, 'the withdrawn key no longer verifies');
  t.is(withdrawn.json().details.reason, 'token_unknown_key');
  for (let i = 0; i < 5; i++) {
    const res = await get('/whoami', await issuer.sign({}, { key: await issuer.newKey() }));
    t.is(res.json().details.reason, 'token_unknown_key');
  }
  t.is(issuer.jwksFetches, 2, 'within the cooldown no token makes the gateway fetch again');
  advance(config.jwksCooldownMs);
  t.is((await get('/whoami', await issuer.sign({}, { key: await issuer.newKey() }))).statusCode, 401);
  t.is(issuer.jwksFetches, 3, 'after the cooldown one fetch again');
});

test('oidc - with the issuer down, tokens that cannot be checked get 503, never access', async (t) => {
  const { get, issuer, advance, config, s } = await oidcStack(t);
  t.is((await get('/whoami', await issuer.sign())).statusCode, 200);
  await issuer.stop();
  // Cached keys still verify tokens they signed while they are fresh.
  t.is((await get('/whoami', await issuer.sign())).statusCode, 200);
  advance(config.jwksCooldownMs);
  const newKey = await get('/whoami', await issuer.sign({}, { key: await issuer.newKey() }));
  t.is(newKey.statusCode, 503);
  t.is(newKey.json().error, 'service_unavailable');
  t.truthy(newKey.headers['retry-after']);
  advance(config.jwksMaxAgeMs);
  const stale = await get('/whoami', await issuer.sign());
  t.is(stale.statusCode, 503, 'keys past their maximum age are not trusted');
  t.deepEqual(
    s.captured.of('authentication_failure').map((r) => r.details?.reason),
    ['issuer_unreachable', 'issuer_unreachable'],
  );
  await issuer.start();
  const during = await get('/whoami', await issuer.sign());
  t.is(during.statusCode, 503, 'no fetch within the cooldown after a failed one');
  advance(config.jwksCooldownMs);
  t.is((await get('/whoami', await issuer.sign())).statusCode, 200, 'back once the issuer answers');
});

test('oidc - group identities decide clusters and namespaces together, and may be admins', async (t) => {
  const { issuer, s } = await oidcStack(t, { adminIdentities: ['admin', 'group:platform'] });
  const run = async (token: string, command: string, cluster = 'c1') =>
    s.app.inject({
      method: 'POST',
      url: '/debug/execute',
      headers: { authorization: `Bearer ${token}` },
      payload: { cluster_id: cluster, command },
    });
  const sre = await issuer.sign({ groups: ['sre', 'dba'] });
  t.is((await run(sre, 'get pods -n default')).statusCode, 200);
  // dba grants databases on c2 only: not on c1, even though sre grants c1.
  const crossed = await run(sre, 'get pods -n databases');
  t.is(crossed.statusCode, 403);
  t.is(crossed.json().details.rule, 'namespace_not_allowed');
  t.is((await run(sre, 'get pods -A')).statusCode, 403);
  const nobody = await issuer.sign({ email: 'eve@example.com', groups: [] });
  t.is(
    (await run(nobody, 'get pods -n default')).statusCode,
    404,
    'a person without a grant sees no cluster',
  );
  const platform = await issuer.sign({ email: 'pat@example.com', groups: ['platform'] });
  const admin = await s.app.inject({
    method: 'GET',
    url: '/admin/agents',
    headers: { authorization: `Bearer ${platform}` },
  });
  t.is(admin.statusCode, 200, 'ADMIN_IDENTITIES accepts a group identity');
  const notAdmin = await s.app.inject({
    method: 'GET',
    url: '/admin/agents',
    headers: { authorization: `Bearer ${sre}` },
  });
  t.is(notAdmin.statusCode, 403);
});

test('oidc - a command run with a token is audited, and its session owned, under the person', async (t) => {
  const { issuer, s } = await oidcStack(t);
  const headers = { authorization: `Bearer ${await issuer.sign({ email: 'ada@example.com' })}` };
  const session = await s.app.inject({
    method: 'POST',
    url: '/debug/session',
    headers,
    payload: { cluster_id: 'c1' },
  });
  t.is(session.statusCode, 201, session.body);
  const sessionId = session.json().session_id;
  const res = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers,
    payload: { cluster_id: 'c1', session_id: sessionId, command: 'get pods -n default' },
  });
  t.is(res.statusCode, 200, res.body);
  const executed = s.captured.of('command_executed');
  t.is(executed.length, 1);
  t.is(executed[0]!.identity, 'ada@example.com');
  t.is(executed[0]!.api_key_prefix, null);
  t.is(s.captured.of('session_creation')[0]!.identity, 'ada@example.com');
  const other = await s.app.inject({
    method: 'GET',
    url: `/debug/session/${sessionId}`,
    headers: { authorization: `Bearer ${await issuer.sign({ email: 'bo@example.com' })}` },
  });
  t.is(other.statusCode, 404, "another person cannot read ada's session");
});

test('oidc - API keys work unchanged beside tokens; a token only counts in Authorization', async (t) => {
  const { issuer, s } = await oidcStack(t);
  for (const headers of [{ 'x-api-key': KEYS.alice }, { authorization: `Bearer ${KEYS.alice}` }]) {
    const res = await s.app.inject({ method: 'GET', url: '/whoami', headers });
    t.is(res.statusCode, 200);
    t.like(res.json(), { identity: 'alice', groups: [], auth_method: 'api_key', expires_at: null });
  }
  const inKeyHeader = await s.app.inject({
    method: 'GET',
    url: '/whoami',
    headers: { 'x-api-key': await issuer.sign() },
  });
  t.is(inKeyHeader.statusCode, 401);
  t.is(s.captured.of('authentication_failure')[0]!.details?.reason, 'invalid_api_key');
  const missing = await s.app.inject({ method: 'GET', url: '/whoami' });
  t.is(
    missing.headers['www-authenticate'],
    'ApiKey realm="kubently", Bearer realm="kubently", resource_metadata="http://localhost/.well-known/oauth-protected-resource"',
  );
});

test('oidc - protected resource metadata names the issuer (RFC 9728), only when OIDC is on', async (t) => {
  const { issuer, s } = await oidcStack(t);
  const res = await s.app.inject({
    method: 'GET',
    url: '/.well-known/oauth-protected-resource',
    headers: { host: 'kubently.example.com' },
  });
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), {
    resource: 'http://kubently.example.com',
    authorization_servers: [issuer.url],
    bearer_methods_supported: ['header'],
    resource_name: 'Kubently',
    kubently_cli_client_id: CLIENT_ID,
  });
  t.is(res.headers['cache-control'], 'no-store');
  const forged = await s.app.inject({
    method: 'GET',
    url: '/whoami',
    headers: { host: 'evil.example.com"x', authorization: `Bearer ${await issuer.sign({ aud: 'x' })}` },
  });
  t.is(
    forged.headers['www-authenticate'],
    'Bearer realm="kubently", error="invalid_token"',
    'odd hosts are not echoed',
  );
  const openapi = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  t.truthy(openapi.paths['/whoami']);
  t.truthy(openapi.paths['/.well-known/oauth-protected-resource']);

  const plain = await startGatewayStack(t, { redis: false, agents: {} });
  const off = await plain.app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource' });
  t.is(off.statusCode, 404);
  const keyOnly = await plain.app.inject({
    method: 'GET',
    url: '/whoami',
    headers: { authorization: `Bearer ${await issuer.sign()}` },
  });
  t.is(keyOnly.statusCode, 401, 'without OIDC_ISSUER a token is just a wrong API key');
  t.is(plain.captured.of('authentication_failure')[0]!.details?.reason, 'invalid_api_key');
});

test('oidc - configuration: issuer needs an audience and https off loopback; skew is capped at 60 s', (t) => {
  const problems = (env: Record<string, string>) => {
    try {
      loadGatewayConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };
  t.deepEqual(problems({ OIDC_ISSUER: 'https://id.example.com' }), [
    'OIDC_AUDIENCE is required with OIDC_ISSUER: the audience (client id) tokens must name',
  ]);
  t.deepEqual(problems({ OIDC_ISSUER: 'http://id.example.com', OIDC_AUDIENCE: 'k' }), [
    'OIDC_ISSUER must be an https URL (http only on loopback)',
  ]);
  t.regex(
    problems({
      OIDC_ISSUER: 'https://id.example.com',
      OIDC_AUDIENCE: 'k',
      OIDC_CLOCK_SKEW_SECONDS: '300',
    })[0]!,
    /OIDC_CLOCK_SKEW_SECONDS.*between 0 and 60/,
  );
  const ok = loadGatewayConfig({ OIDC_ISSUER: 'https://id.example.com', OIDC_AUDIENCE: 'a,b' });
  t.like(ok.oidc, {
    audience: ['a', 'b'],
    identityClaim: 'email',
    groupsClaim: 'groups',
    clockSkewSeconds: 60,
  });
  t.is(loadGatewayConfig({}).oidc, undefined);
});
