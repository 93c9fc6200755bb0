// The real `kubently` bin against a running gateway (real NATS, Redis and a test agent).

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { eventually, scaled } from '../harness/eventually.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'kubently.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubently(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH, HOME: tmpdir(), ...env }, timeout: scaled(30_000) },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function listening(t: ExecutionContext, options: Parameters<typeof startGatewayStack>[1] = {}) {
  const stack = await startGatewayStack(t, { agents: { c1: 'answer', c2: 'silent' }, ...options });
  const address = await stack.app.listen({ host: '127.0.0.1', port: 0 });
  return { stack, url: address, env: { KUBENTLY_API_URL: address, KUBENTLY_API_KEY: KEYS.alice } };
}

test('cli - exec prints the command output and exits 0', async (t) => {
  const { env } = await listening(t);
  const r = await kubently(['exec', 'c1', 'get', 'pods', '-n', 'default', '-o', 'wide'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'ok get pods --namespace=default --output=wide\n');
  t.is(r.stderr, '');
});

test('cli - exec of a denied command prints one line with the error code and exits 3', async (t) => {
  const { env } = await listening(t);
  const r = await kubently(['exec', 'c1', 'get', 'secrets'], env);
  t.is(r.code, 3);
  t.is(r.stdout, '');
  t.regex(r.stderr, /^kubently: unauthorized_command: .*secret/);
  t.is(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
});

test('cli - exec exits 4 on timeout, 6 for a cluster it may not use, 5 for a wrong key, 7 when unreachable', async (t) => {
  const { env, url } = await listening(t);
  const [timeout, forbidden, wrongKey] = await Promise.all([
    kubently(['exec', '--timeout', '1', 'c2', 'get', 'pods'], env),
    kubently(['exec', 'c1', 'get', 'pods'], { ...env, KUBENTLY_API_KEY: KEYS.bob }),
    kubently(['exec', '--api-key', 'nope-nope-nope-nope-nope-nope', 'c1', 'get', 'pods'], {
      KUBENTLY_API_URL: url,
    }),
  ]);
  t.is(timeout.code, 4, timeout.stderr);
  t.regex(timeout.stderr, /^kubently: timeout: /);
  t.is(forbidden.code, 6, forbidden.stderr);
  t.regex(forbidden.stderr, /^kubently: not_found: /);
  t.is(wrongKey.code, 5, wrongKey.stderr);
  const unreachable = await kubently(['clusters'], { ...env, KUBENTLY_API_URL: 'http://127.0.0.1:1' });
  t.is(unreachable.code, 7);
  t.regex(unreachable.stderr, /cannot reach the gateway/);
});

test('cli - clusters as a table and as JSON', async (t) => {
  const { env } = await listening(t);
  const table = await kubently(['clusters'], env);
  t.is(table.code, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  t.regex(lines[0]!, /^CLUSTER\s+CONNECTED\s+AGENTS\s+LAST SEEN$/);
  t.regex(table.stdout, /\nc1\s+yes\s/);
  t.regex(table.stdout, /\nc2\s+yes\s/);
  const json = await kubently(['clusters', '-o', 'json'], env);
  const parsed = JSON.parse(json.stdout) as { clusters: Array<{ cluster_id: string; connected: boolean }> };
  t.deepEqual(parsed.clusters.map((c) => c.cluster_id).sort(), ['c1', 'c2']);
});

test('cli - session create, show, list and end', async (t) => {
  const { env } = await listening(t);
  const created = await kubently(['session', 'create', 'c1', '--ttl', '600'], env);
  t.is(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  t.regex(id, /^[A-Za-z0-9_-]{8,}$/);
  const exec = await kubently(['exec', '--session', id, 'c1', 'get', 'nodes'], env);
  t.is(exec.code, 0, exec.stderr);
  const shown = await kubently(['session', 'show', id, '-o', 'json'], env);
  const session = JSON.parse(shown.stdout) as {
    session_id: string;
    commands_executed: number;
    cluster_id: string;
  };
  t.is(session.session_id, id);
  t.is(session.cluster_id, 'c1');
  t.is(session.commands_executed, 1);
  const listed = await kubently(['session', 'list'], env);
  t.regex(
    listed.stdout,
    new RegExp(`^SESSION\\s+CLUSTER\\s+STATUS\\s+COMMANDS[\\s\\S]*\\n${id}\\s+c1\\s+active\\s+1\\s`),
  );
  const csv = await kubently(['session', 'list', '-o', 'csv'], env);
  t.true(csv.stdout.startsWith('SESSION,CLUSTER,STATUS,COMMANDS,CREATED,EXPIRES\n'));
  const ended = await kubently(['session', 'end', id], env);
  t.is(ended.code, 0, ended.stderr);
  const gone = await kubently(['session', 'show', id], env);
  t.is(gone.code, 6);
});

test('cli - validate says what the policy decides and why, without running anything', async (t) => {
  const { env, stack } = await listening(t);
  const allowed = await kubently(['validate', 'c1', 'get', 'po', '-A'], env);
  t.is(allowed.code, 0, allowed.stderr);
  t.regex(allowed.stdout, /^allowed: /);
  t.regex(allowed.stdout, /normalized: kubectl get pods --all-namespaces/);
  const denied = await kubently(['validate', 'c1', 'get', 'pods', '--as=system:masters'], env);
  t.is(denied.code, 3);
  t.regex(denied.stdout, /^denied: /);
  t.regex(denied.stdout, /rule: forbidden_flag/);
  t.notRegex(denied.stdout, /normalized:/, 'a command the parser refused has no normalized form to show');
  t.is(stack.agents.c1!.received.length, 0, 'nothing reached the agent');
});

test('cli - flags win over the environment, which wins over the config file', async (t) => {
  const { url } = await listening(t);
  const dir = await mkdtemp(join(tmpdir(), 'kubently-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ api_url: url, api_key: KEYS.bob }));
  const fromFile = await kubently(['clusters', '-o', 'json'], { KUBENTLY_CONFIG: config });
  t.deepEqual(
    (JSON.parse(fromFile.stdout) as { clusters: Array<{ cluster_id: string }> }).clusters.map(
      (c) => c.cluster_id,
    ),
    ['c2'],
  );
  const fromEnv = await kubently(['clusters', '-o', 'json'], {
    KUBENTLY_CONFIG: config,
    KUBENTLY_API_KEY: KEYS.alice,
  });
  t.is((JSON.parse(fromEnv.stdout) as { clusters: unknown[] }).clusters.length, 2);
  const fromFlag = await kubently(['clusters', '--api-key', KEYS.bob, '-o', 'json'], {
    KUBENTLY_CONFIG: config,
    KUBENTLY_API_KEY: KEYS.alice,
  });
  t.is((JSON.parse(fromFlag.stdout) as { clusters: unknown[] }).clusters.length, 1);
  const broken = join(dir, 'broken.json');
  await writeFile(broken, '{nope');
  const bad = await kubently(['clusters'], { KUBENTLY_CONFIG: broken });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /is not a JSON object/);
});

test('cli - keys generate makes distinct, well-formed secrets', async (t) => {
  const [a, b, token] = await Promise.all([
    kubently(['keys', 'generate', '--service', 'ci-bot']),
    kubently(['keys', 'generate']),
    kubently(['keys', 'generate', '--kind', 'agent-token', '--cluster', 'prod']),
  ]);
  t.regex(a.stdout, /^ci-bot:kbt_[A-Za-z0-9_-]{43}\n$/);
  t.regex(b.stdout, /^kbt_[A-Za-z0-9_-]{43}\n$/);
  t.not(a.stdout.slice('ci-bot:'.length), b.stdout);
  const map = JSON.parse(token.stdout) as Record<string, string>;
  t.regex(map.prod!, /^[0-9a-f]{64}$/);
  const badKind = await kubently(['keys', 'generate', '--kind', 'password']);
  t.is(badKind.code, 2);
});

test('cli - keys generate --cluster makes an agent token, and a mix of kinds is refused', async (t) => {
  const implied = await kubently(['keys', 'generate', '--cluster', 'prod']);
  t.is(implied.code, 0, implied.stderr);
  t.regex(JSON.parse(implied.stdout).prod, /^[0-9a-f]{64}$/);
  const [apiKeyWithCluster, tokenWithService] = await Promise.all([
    kubently(['keys', 'generate', '--kind', 'api-key', '--cluster', 'prod']),
    kubently(['keys', 'generate', '--kind', 'agent-token', '--service', 'ci']),
  ]);
  for (const r of [apiKeyWithCluster, tokenWithService]) {
    t.is(r.code, 2);
    t.is(r.stdout, '', 'no secret is printed');
  }
  t.regex(apiKeyWithCluster.stderr, /--cluster makes an agent token/);
  t.regex(tokenWithService.stderr, /--service names an API key/);
});

test('cli - nats-config init writes the server file with public keys only and each secret in its own 0600 file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'nats');
  const r = await kubently(['nats-config', 'init', '--out', out, '--clusters', 'prod,staging']);
  t.is(r.code, 0, r.stderr);
  const seed = (await readFile(join(out, 'operator-signing-key.nk'), 'utf8')).trim();
  t.regex(seed, /^SO[A-Z2-7]{56}$/);
  const server = await readFile(join(out, 'kubently-operator.conf'), 'utf8');
  t.regex(server, /^operator: eyJ/m);
  t.false(server.includes(seed), 'the server file holds no seed');
  t.false(/\bS[OAU][A-Z2-7]{56}\b/.test(server), 'no nkey seed of any kind in the server file');
  for (const f of [
    'gateway.creds',
    'audit.creds',
    'admin.creds',
    'agent-prod.creds',
    'agent-staging.creds',
  ]) {
    t.is((await stat(join(out, f))).mode & 0o777, 0o600, f);
  }
  t.false(`${r.stdout}${r.stderr}`.includes(seed), 'the signing key is never printed');
  const bad = await kubently(['nats-config', 'init', '--out', out, '--clusters', 'Bad_Id']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /Bad_Id/);
});

test('cli - unknown commands and missing arguments are usage errors with exit 2', async (t) => {
  const [unknown, missing] = await Promise.all([kubently(['frobnicate']), kubently(['exec', 'c1'])]);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown command/);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /missing required argument/);
});

test('cli - a missing signing key file is bad input: exit 2 and one line naming it', async (t) => {
  const missing = join(tmpdir(), 'kubently-no-such-signing-key');
  const out = join(await mkdtemp(join(tmpdir(), 'kubently-nats-config-')), 'out');
  t.teardown(() => rm(join(out, '..'), { recursive: true, force: true }));
  const r = await kubently(['nats-config', 'init', '--out', out, '--signing-key-file', missing]);
  t.is(r.code, 2);
  t.is(r.stderr, `kubently: cannot read --signing-key-file ${missing}: no such file\n`);
  const dir = await kubently(['nats-config', 'init', '--out', out, '--signing-key-file', tmpdir()]);
  t.is(dir.code, 2);
  t.regex(dir.stderr, /it is a directory/);
});

test('cli - audit --limit outside 1..1000 says so before asking the gateway', async (t) => {
  // No gateway listens there: the answer can only come from the CLI itself.
  const env = { KUBENTLY_API_URL: 'http://127.0.0.1:9', KUBENTLY_API_KEY: KEYS.alice };
  for (const limit of ['100000', '0', '2.5', 'ten']) {
    const r = await kubently(['audit', '--limit', limit], env);
    t.is(r.code, 2, limit);
    t.is(r.stderr, `kubently: --limit must be a whole number from 1 to 1000, got ${limit}\n`);
  }
});

test('cli - exec takes "--" before the kubectl command and says where its own options go', async (t) => {
  const { env, stack } = await listening(t);
  const dashes = await kubently(['exec', 'c1', '--', 'get', 'pods'], env);
  t.is(dashes.code, 0, dashes.stderr);
  t.is(dashes.stdout, 'ok get pods --namespace=default\n');
  const late = await kubently(['exec', 'c1', 'get', 'nodes', '--timeout', '5'], env);
  t.is(late.code, 2);
  t.is(
    late.stderr,
    'kubently: --timeout is an option of kubently exec and goes before the cluster id: kubently exec --timeout 5 c1 get nodes\n',
  );
  const key = await kubently(['validate', 'c1', 'get', 'pods', `--api-key=${KEYS.bob}`], env);
  t.is(key.code, 2);
  t.is(
    key.stderr,
    'kubently: --api-key is an option of kubently validate and goes before the cluster id: kubently validate --api-key <key> c1 get pods\n',
  );
  // Nothing reached the agent but the one command that was sent right.
  t.is(stack.agents.c1!.received.length, 1);
  const early = await kubently(['exec', '--timeout', '5', 'c1', 'get', 'nodes'], env);
  t.is(early.code, 0, early.stderr);
});

/** A local HTTP server on an ephemeral port; every request is recorded. */
async function recordingServer(
  t: ExecutionContext,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ origin: string; seen: Array<{ url: string; apiKey: string | undefined }> }> {
  const seen: Array<{ url: string; apiKey: string | undefined }> = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', apiKey: req.headers['x-api-key'] as string | undefined });
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test('cli - refuses a redirect to another origin and never sends the API key there', async (t) => {
  const elsewhere = await recordingServer(t, (_req, res) => res.writeHead(200).end('{"clusters":[]}'));
  let status = 0;
  const gateway = await recordingServer(t, (_req, res) =>
    res.writeHead(status, { location: `${elsewhere.origin}/clusters` }).end(),
  );
  for (status of [301, 302, 303, 307, 308]) {
    const run = await kubently(['clusters'], {
      KUBENTLY_API_URL: gateway.origin,
      KUBENTLY_API_KEY: KEYS.alice,
    });
    t.not(run.code, 0, `${status}`);
    t.regex(
      run.stderr,
      /redirected to another origin \(http:\/\/127\.0\.0\.1:\d+\); refusing to send the API key/,
    );
  }
  t.deepEqual(elsewhere.seen, [], 'the other origin received nothing, key or not');
  t.true(gateway.seen.every((r) => r.apiKey === KEYS.alice));
});

test('cli - follows a redirect within the gateway origin', async (t) => {
  const gateway = await recordingServer(t, (req, res) => {
    if (req.url === '/clusters') res.writeHead(307, { location: '/v1/clusters' }).end();
    else
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"clusters":[{"cluster_id":"c9","connected":true,"last_seen":null,"agents":1}]}');
  });
  const run = await kubently(['clusters', '-o', 'json'], {
    KUBENTLY_API_URL: gateway.origin,
    KUBENTLY_API_KEY: KEYS.alice,
  });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /"c9"/);
  t.deepEqual(
    gateway.seen.map((r) => r.url),
    ['/clusters', '/v1/clusters'],
  );
  t.is(run.stderr, '', 'loopback over http: no warning');
});

test('cli - warns when the API key would travel over plain http to a remote host', async (t) => {
  const remote = await kubently(['clusters'], {
    KUBENTLY_API_URL: 'http://kubently.invalid:8080',
    KUBENTLY_API_KEY: KEYS.alice,
  });
  t.regex(remote.stderr, /warning: http:\/\/kubently\.invalid:8080 is plain http to a remote host/);
  const tls = await kubently(['clusters'], {
    KUBENTLY_API_URL: 'https://kubently.invalid:8443',
    KUBENTLY_API_KEY: KEYS.alice,
  });
  t.notRegex(tls.stderr, /warning/);
});

test('cli - audit reads the shared answer shape: entries with outcome and command, as CSV', async (t) => {
  const { env } = await listening(t, { audit: 'jetstream' });
  t.is((await kubently(['exec', 'c1', 'get', 'pods'], env)).code, 0);
  // command_executed is published after the reply: ask again until it is in the stream.
  const csv = await eventually(
    t,
    async () => {
      const r = await kubently(['audit', '--type', 'command_executed', '-o', 'csv'], env);
      return r.code === 0 && r.stdout.includes('success') ? r.stdout : undefined;
    },
    { message: 'the command_executed record is listed', timeoutMs: 60_000 },
  );
  const [header, row] = csv.trim().split('\n');
  t.is(header, 'TIME,EVENT,CLUSTER,SESSION,OUTCOME,COMMAND,DETAILS');
  t.regex(row!, /,command_executed,c1,,success,get pods --namespace=default,verb=get$/);
});

test('cli - cluster add, rotate and remove drive the credential API; the token goes only where asked', async (t) => {
  const { env } = await listening(t, { credentials: true });
  const admin = { ...env, KUBENTLY_API_KEY: KEYS.admin };
  const dir = await mkdtemp(join(tmpdir(), 'kubently-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const added = await kubently(['cluster', 'add', 'edge'], admin);
  t.is(added.code, 0, added.stderr);
  t.regex(added.stdout, /^-----BEGIN NATS USER JWT-----/);
  t.false(added.stderr.includes('BEGIN'), 'the token is not on stderr');
  const again = await kubently(['cluster', 'add', 'edge'], admin);
  t.not(again.code, 0);
  t.regex(again.stderr, /rotate/);

  const file = join(dir, 'edge.creds');
  const rotated = await kubently(['cluster', 'rotate', 'edge', '--out', file], admin);
  t.is(rotated.code, 0, rotated.stderr);
  t.is(rotated.stdout, '');
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.regex(rotated.stderr, /previous token works until/);

  const notAdmin = await kubently(['cluster', 'remove', 'edge'], env);
  t.not(notAdmin.code, 0);
  const removed = await kubently(['cluster', 'remove', 'edge'], admin);
  t.is(removed.code, 0, removed.stderr);
  const bad = await kubently(['cluster', 'add', 'Bad_Id'], admin);
  t.is(bad.code, 2);
});

// Tables as kubectl's tabwriter prints them, of different widths per cluster.
const POD_TABLES: Record<string, string> = {
  c1: 'NAMESPACE   NAME    READY   STATUS    AGE\ndefault     api-1   1/1     Running   5d\n',
  c2:
    'NAMESPACE     NAME                 READY   STATUS    AGE\n' +
    'kube-system   coredns-abc-123456   1/1     Running   12d\n' +
    'default       web-0                0/1     Pending   3m\n',
};
const tableAgent = (cluster: string) => (m: { argv: string[] }) =>
  m.argv[0] === 'get' ? { output: POD_TABLES[cluster]! } : { output: `Name: x\nCluster: ${cluster}\n` };

async function fleetStack(t: ExecutionContext) {
  return listening(t, {
    clusters: ['c1', 'c2', 'c3'],
    agents: { c1: tableAgent('c1'), c2: tableAgent('c2') },
    redis: false,
  });
}

test('cli - exec --clusters prints one table with a leading CLUSTER column, rows in cluster order', async (t) => {
  const { env } = await fleetStack(t);
  const admin = { ...env, KUBENTLY_API_KEY: KEYS.admin };
  const r = await kubently(['exec', '--clusters', 'c1,c2', 'get', 'pods', '-A'], admin);
  t.is(r.code, 0, r.stderr);
  t.is(
    r.stdout,
    'CLUSTER   NAMESPACE     NAME                 READY   STATUS    AGE\n' +
      'c1        default       api-1                1/1     Running   5d\n' +
      'c2        kube-system   coredns-abc-123456   1/1     Running   12d\n' +
      'c2        default       web-0                0/1     Pending   3m\n',
  );
  // A cluster without an agent: its line on stderr, and the exit code of the worst row (7 unavailable).
  const all = await kubently(['exec', '--clusters', 'c*', 'get', 'pods', '-A'], admin);
  t.is(all.code, 7);
  t.is(all.stdout, r.stdout);
  t.is(all.stderr, 'kubently: c3: unavailable: no agent of this cluster is connected\n');
});

test('cli - exec --clusters prints other output as one section per cluster, and -o json the API answer', async (t) => {
  const { env } = await fleetStack(t);
  const r = await kubently(['exec', '--clusters', '*', 'describe', 'pod', 'x'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '==> c1 <==\nName: x\nCluster: c1\n\n==> c2 <==\nName: x\nCluster: c2\n');
  const json = await kubently(['-o', 'json', 'exec', '--clusters', 'c2', 'get', 'pods'], env);
  t.is(json.code, 0, json.stderr);
  const answer = JSON.parse(json.stdout);
  t.deepEqual(Object.keys(answer), ['fleet_id', 'results', 'summary']);
  t.is(answer.results[0].output, POD_TABLES.c2);
});

test('cli - exec --clusters: a cluster the caller may not use exits 6; a denied command 3; with --session 2', async (t) => {
  const { env } = await fleetStack(t);
  const bob = { ...env, KUBENTLY_API_KEY: KEYS.bob };
  const [forbidden, none, denied, session] = await Promise.all([
    kubently(['exec', '--clusters', 'c2,c1', 'get', 'pods'], bob),
    kubently(['exec', '--clusters', 'prod-*', 'get', 'pods'], bob),
    kubently(['exec', '--clusters', '*', 'get', 'secrets'], env),
    kubently(['exec', '--session', 'abc', '--clusters', '*', 'get', 'pods'], env),
  ]);
  t.is(forbidden.code, 6);
  t.regex(forbidden.stderr, /^kubently: not_found: cluster not found\n$/);
  t.is(none.code, 6);
  t.regex(none.stderr, /no cluster you may use matches prod-\*/);
  t.is(denied.code, 3);
  t.is(session.code, 2);
});
