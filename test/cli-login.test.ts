// The real `kubently` bin signing in through the device flow of a test issuer on loopback, then working as
// that person: whoami, a command whose audit record names them, refresh before expiry, --token, logout.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parsePolicy } from '../common/policy/index.js';
import { KEYS } from '../harness/gateway.js';
import { startOidcGateway } from '../harness/oidc-gateway.js';
import { CLIENT_ID } from '../harness/oidc-issuer.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'kubently.js');

const POLICY = parsePolicy(
  `
name: cli-oidc
extends: readOnly
identities:
  alice: { clusters: [c1] }
  'group:sre': { clusters: [c1], namespaces: [default] }
`,
  'cli-oidc-policy',
);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface Running {
  /** Resolves with the first match of `pattern` in stderr, as soon as it appears. */
  stderrMatch(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<Run>;
}

function start(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of waiters.splice(0)) w();
  });
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code) => {
      for (const w of waiters.splice(0)) w();
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
  return {
    done,
    stderrMatch(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(stderr);
          if (m) return resolve(m);
          if (child.exitCode !== null) return reject(new Error(`exited without ${pattern}: ${stderr}`));
          waiters.push(check);
        };
        check();
      });
    },
  };
}

const kubently = (args: string[], env: Record<string, string>) => start(args, env).done;

async function setup(t: ExecutionContext) {
  // Each case runs the bin (a fresh Node process with tsx) several times; on a busy machine that adds up.
  t.timeout(180_000);
  const stack = await startOidcGateway(t, { policy: POLICY });
  const url = await stack.s.app.listen({ host: '127.0.0.1', port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'kubently-login-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const configPath = join(dir, 'kubently', 'config.json');
  const env = { HOME: dir, KUBENTLY_API_URL: url, KUBENTLY_CONFIG: configPath };
  const readConfig = async () => JSON.parse(await readFile(configPath, 'utf8'));
  return { ...stack, url, env, configPath, readConfig };
}

test('cli login - the device flow signs a person in; their command is audited under their name', async (t) => {
  const { issuer, s, env, url, configPath, readConfig } = await setup(t);
  const login = start(['login'], env);
  const [, code] = await login.stderrMatch(/confirm the code (\S+)/);
  issuer.approve(code!, { sub: 'u-ada', email: 'ada@example.com', email_verified: true, groups: ['sre'] });
  const done = await login.done;
  t.is(done.code, 0, done.stderr);
  t.regex(done.stderr, new RegExp(`open ${issuer.url}/activate\\?user_code=${code}`));
  t.regex(done.stderr, new RegExp(`Signed in to ${url} as ada@example.com`));

  t.is((await stat(configPath)).mode & 0o777, 0o600, 'the config file holding tokens is private');
  const stored = (await readConfig()).oidc;
  t.like(stored, { issuer: issuer.url, client_id: CLIENT_ID, token_kind: 'id_token' });
  t.is(typeof stored.refresh_token, 'string');

  const who = await kubently(['whoami', '-o', 'json'], env);
  t.is(who.code, 0, who.stderr);
  t.like(JSON.parse(who.stdout), { identity: 'ada@example.com', groups: ['group:sre'], auth_method: 'oidc' });

  const exec = await kubently(['exec', 'c1', 'get', 'pods', '-n', 'default'], env);
  t.is(exec.code, 0, exec.stderr);
  t.is(exec.stdout, 'ok get pods --namespace=default\n');
  const executed = s.captured.of('command_executed');
  t.is(executed.length, 1);
  t.is(executed[0]!.identity, 'ada@example.com', 'the audit record names the person');
  const denied = await kubently(['exec', 'c1', 'get', 'pods', '-n', 'kube-system'], env);
  t.is(denied.code, 3, 'group:sre grants default only');
});

test('cli login - a token about to expire is refreshed and saved; a refused refresh asks to log in again', async (t) => {
  const { issuer, env, configPath, readConfig } = await setup(t);
  const tokens = await issuer.tokens({ email: 'ada@example.com', groups: ['sre'] });
  const soon = Math.floor(Date.now() / 1000) + 10;
  const login = {
    issuer: issuer.url,
    client_id: CLIENT_ID,
    token_kind: 'id_token',
    token: tokens.id_token,
    refresh_token: tokens.refresh_token,
    expires_at: soon,
  };
  await mkdir(join(configPath, '..'), { recursive: true });
  await writeFile(configPath, JSON.stringify({ api_url: env.KUBENTLY_API_URL, oidc: login }), {
    mode: 0o644,
  });

  const who = await kubently(['whoami'], env);
  t.is(who.code, 0, who.stderr);
  t.regex(who.stdout, /^IDENTITY {2}ada@example\.com$/m);
  t.is(issuer.refreshes, 1);
  const saved = await readConfig();
  t.not(saved.oidc.refresh_token, tokens.refresh_token, 'the rotated refresh token is kept');
  t.true(saved.oidc.expires_at > soon);
  t.is(saved.api_url, env.KUBENTLY_API_URL, 'other settings stay');
  t.is((await stat(configPath)).mode & 0o777, 0o600);

  const again = await kubently(['whoami'], env);
  t.is(again.code, 0);
  t.is(issuer.refreshes, 1, 'a fresh token is not refreshed');

  await writeFile(
    configPath,
    JSON.stringify({ oidc: { ...saved.oidc, refresh_token: 'revoked', expires_at: soon } }),
  );
  const refused = await kubently(['whoami'], env);
  t.is(refused.code, 5);
  t.regex(refused.stderr, /^kubently: identity provider: refresh refused: .*run kubently login\n$/);
});

test('cli login - --token and KUBENTLY_TOKEN pass a token directly; logout forgets the stored one', async (t) => {
  const { issuer, env, readConfig } = await setup(t);
  await mkdir(join(env.KUBENTLY_CONFIG, '..'), { recursive: true });
  await writeFile(env.KUBENTLY_CONFIG, '{}');
  const token = await issuer.sign({ email: 'bo@example.com', groups: [] });
  const flag = await kubently(['whoami', '-o', 'json', '--token', token], {
    ...env,
    KUBENTLY_API_KEY: KEYS.alice,
  });
  t.is(flag.code, 0, flag.stderr);
  t.is(JSON.parse(flag.stdout).identity, 'bo@example.com', 'a flag wins over the environment');
  const fromEnv = await kubently(['whoami', '-o', 'json'], { ...env, KUBENTLY_TOKEN: token });
  t.is(JSON.parse(fromEnv.stdout).identity, 'bo@example.com');
  const key = await kubently(['whoami', '-o', 'json'], { ...env, KUBENTLY_API_KEY: KEYS.alice });
  t.like(JSON.parse(key.stdout), { identity: 'alice', auth_method: 'api_key' });
  const expired = await kubently(['whoami'], {
    ...env,
    KUBENTLY_TOKEN: await issuer.sign({}, { expiresIn: -120 }),
  });
  t.is(expired.code, 5);
  t.regex(expired.stderr, /^kubently: unauthorized: token expired\n$/);

  const tokens = await issuer.tokens({ email: 'ada@example.com' });
  const path = env.KUBENTLY_CONFIG;
  const stored = {
    issuer: issuer.url,
    client_id: CLIENT_ID,
    token_kind: 'id_token',
    token: tokens.id_token,
    refresh_token: tokens.refresh_token,
    expires_at: Math.floor(Date.now() / 1000) + 300,
  };
  await writeFile(path, JSON.stringify({ api_key: KEYS.alice, oidc: stored }));
  const logged = await kubently(['whoami', '-o', 'json'], env);
  t.is(JSON.parse(logged.stdout).identity, 'ada@example.com', 'a login wins over a stored API key');
  const out = await kubently(['logout'], env);
  t.is(out.code, 0, out.stderr);
  t.deepEqual(await readConfig(), { api_key: KEYS.alice });
  const after = await kubently(['whoami', '-o', 'json'], env);
  t.is(JSON.parse(after.stdout).identity, 'alice');
});

test('cli login - without an issuer from flags or the gateway, login says what to pass', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-login-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const r = await kubently(['login'], { HOME: dir, KUBENTLY_API_URL: 'http://127.0.0.1:1' });
  t.is(r.code, 2);
  t.regex(r.stderr, /names no issuer for login: pass --issuer and --client-id/);
  const insecure = await kubently(['login', '--issuer', 'http://id.example.com', '--client-id', 'x'], {
    HOME: dir,
    KUBENTLY_API_URL: 'http://127.0.0.1:1',
  });
  t.is(insecure.code, 2);
  t.regex(insecure.stderr, /must be https \(http only on loopback\)/);
});
