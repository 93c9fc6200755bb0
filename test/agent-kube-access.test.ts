// The agent's kube access without client-node for the common cases (in-cluster service account,
// kubeconfig token / token file / basic / client certificate), checked on what a local HTTPS apiserver
// stand-in receives; exec plugins still go through client-node.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { stringify } from 'yaml';
import { type KubeAccessSource, loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';

const run = promisify(execFile);

interface Seen {
  authorization: string | undefined;
  impersonate: string | undefined;
  /** CN of the client certificate the server was shown, if any. */
  clientCn: string | undefined;
}

interface Pki {
  dir: string;
  /** Server certificate for IP 127.0.0.1 (self-signed, so it is its own CA). */
  serverCert: string;
  serverKey: string;
  /** Server certificate valid only for the name kube.test. */
  namedCert: string;
  namedKey: string;
  clientCert: string;
  clientKey: string;
}

let pki: Pki;

async function selfSigned(
  dir: string,
  name: string,
  subject: string,
  san?: string,
): Promise<[string, string]> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${subject}`,
    ...(san ? ['-addext', `subjectAltName=${san}`] : []),
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return [cert, key];
}

// Certificates are made once for the file (ava hooks cannot register teardowns, so after.always removes them).
test.before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-access-pki-'));
  const [serverCert, serverKey] = await selfSigned(dir, 'server', 'apiserver', 'IP:127.0.0.1');
  const [namedCert, namedKey] = await selfSigned(dir, 'named', 'kube.test', 'DNS:kube.test');
  const [clientCert, clientKey] = await selfSigned(dir, 'client', 'agent-user');
  pki = { dir, serverCert, serverKey, namedCert, namedKey, clientCert, clientKey };
});

test.after.always(async () => {
  if (pki) await rm(pki.dir, { recursive: true, force: true });
});

/** An HTTPS server that asks for (but does not require) a client certificate and records each request. */
async function startApiserver(
  t: ExecutionContext,
  cert = pki.serverCert,
  key = pki.serverKey,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer(
    {
      cert: await readFile(cert),
      key: await readFile(key),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const cn = (req.socket as TLSSocket).getPeerCertificate()?.subject?.CN;
      seen.push({
        authorization: req.headers.authorization,
        impersonate: req.headers['impersonate-user'] as string | undefined,
        clientCn: Array.isArray(cn) ? cn[0] : cn,
      });
      res.setHeader('content-type', 'application/json');
      res.end('{"kind":"APIVersions","versions":["v1"]}');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-access-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface KubeconfigParts {
  cluster: Record<string, unknown>;
  user: Record<string, unknown>;
}

/** A kubeconfig with one context per entry of `contexts`; the first is current. */
async function writeKubeconfig(
  dir: string,
  contexts: Record<string, KubeconfigParts>,
  file = 'kubeconfig',
): Promise<string> {
  const names = Object.keys(contexts);
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': names[0],
    clusters: names.map((name) => ({ name: `${name}-cluster`, cluster: contexts[name]?.cluster })),
    users: names.map((name) => ({ name: `${name}-user`, user: contexts[name]?.user })),
    contexts: names.map((name) => ({ name, context: { cluster: `${name}-cluster`, user: `${name}-user` } })),
  };
  const path = join(dir, file);
  await writeFile(path, stringify(doc), { mode: 0o600 });
  return path;
}

/** One GET through the real client; returns what the server saw. */
async function requestWith(
  t: ExecutionContext,
  source: KubeAccessSource,
  seen: Seen[],
  options?: Parameters<typeof loadKubeAccess>[1],
): Promise<Seen> {
  const kube = await createKubeClient(await loadKubeAccess(source, options));
  t.teardown(() => kube.close());
  await kube.get('/api');
  const last = seen.at(-1);
  if (!last) throw new Error('the server saw no request');
  return last;
}

test('kube access - in cluster, sends the service account token over TLS verified with its CA, and picks up a rotated token', async (t) => {
  const api = await startApiserver(t);
  const sa = await tempDir(t);
  await writeFile(join(sa, 'ca.crt'), await readFile(pki.serverCert));
  await writeFile(join(sa, 'token'), 'first-token\n');
  let clock = 1_000_000;
  const access = await loadKubeAccess(
    {
      inCluster: true,
      serviceHost: '127.0.0.1',
      servicePort: new URL(api.url).port,
      serviceAccountDir: sa,
    },
    { refreshMs: 60_000, now: () => clock },
  );
  t.is(access.server, api.url);
  t.regex(access.describe(), /in-cluster service account/);
  const kube = await createKubeClient(access);
  t.teardown(() => kube.close());

  await kube.get('/api');
  t.is(api.seen.at(-1)?.authorization, 'Bearer first-token');

  await writeFile(join(sa, 'token'), 'second-token');
  clock += 30_000;
  await kube.get('/api');
  t.is(api.seen.at(-1)?.authorization, 'Bearer first-token', 'not re-read before the interval');

  clock += 30_001;
  await Promise.all([kube.get('/api'), kube.get('/api')]);
  t.deepEqual(
    api.seen.slice(-2).map((s) => s.authorization),
    ['Bearer second-token', 'Bearer second-token'],
  );
});

test('kube access - in cluster, brackets an IPv6 service host and explains missing pieces', async (t) => {
  const sa = await tempDir(t);
  await writeFile(join(sa, 'ca.crt'), await readFile(pki.serverCert));
  await writeFile(join(sa, 'token'), 't');
  const v6 = await loadKubeAccess({
    inCluster: true,
    serviceHost: 'fd00::1',
    servicePort: '443',
    serviceAccountDir: sa,
  });
  t.is(v6.server, 'https://[fd00::1]:443');
  await t.throwsAsync(loadKubeAccess({ inCluster: true, serviceHost: '10.0.0.1', serviceAccountDir: sa }), {
    message: /KUBERNETES_SERVICE_PORT/,
  });
  await rm(join(sa, 'token'));
  await t.throwsAsync(
    loadKubeAccess({ inCluster: true, serviceHost: '10.0.0.1', servicePort: '443', serviceAccountDir: sa }),
    { message: /cannot read the service account token/ },
  );
});

test('kube access - kubeconfig token with a CA file relative to the kubeconfig and an impersonated user', async (t) => {
  const api = await startApiserver(t);
  const dir = await tempDir(t);
  await mkdir(join(dir, 'certs'));
  await writeFile(join(dir, 'certs', 'ca.crt'), await readFile(pki.serverCert));
  const path = await writeKubeconfig(dir, {
    main: {
      cluster: { server: `${api.url}/`, 'certificate-authority': 'certs/ca.crt' },
      user: { token: 'inline-token', as: 'jane' },
    },
  });
  const seen = await requestWith(t, { inCluster: false, kubeconfigPath: path }, api.seen);
  t.is(seen.authorization, 'Bearer inline-token');
  t.is(seen.impersonate, 'jane');
  t.is(seen.clientCn, undefined);
});

test('kube access - kubeconfig tokenFile is resolved against the kubeconfig directory and re-read after the interval', async (t) => {
  const api = await startApiserver(t);
  const dir = await tempDir(t);
  await writeFile(join(dir, 'token'), 'file-token-1\n');
  const path = await writeKubeconfig(dir, {
    main: {
      cluster: {
        server: api.url,
        'certificate-authority-data': (await readFile(pki.serverCert)).toString('base64'),
      },
      user: { tokenFile: 'token', token: 'ignored-inline-token' },
    },
  });
  let clock = 0;
  const kube = await createKubeClient(
    await loadKubeAccess({ inCluster: false, kubeconfigPath: path }, { refreshMs: 1_000, now: () => clock }),
  );
  t.teardown(() => kube.close());
  await kube.get('/api');
  t.is(api.seen.at(-1)?.authorization, 'Bearer file-token-1');
  await writeFile(join(dir, 'token'), 'file-token-2\n');
  clock += 1_001;
  await kube.get('/api');
  t.is(api.seen.at(-1)?.authorization, 'Bearer file-token-2');
});

test('kube access - kubeconfig basic auth sends username and password', async (t) => {
  const api = await startApiserver(t);
  const dir = await tempDir(t);
  const path = await writeKubeconfig(dir, {
    main: {
      cluster: { server: api.url, 'insecure-skip-tls-verify': true },
      user: { username: 'admin', password: 's3cret' },
    },
  });
  const seen = await requestWith(t, { inCluster: false, kubeconfigPath: path }, api.seen);
  t.is(seen.authorization, `Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
});

test('kube access - kubeconfig client certificate and key files are presented to the server', async (t) => {
  const api = await startApiserver(t);
  const dir = await tempDir(t);
  await writeFile(join(dir, 'client.crt'), await readFile(pki.clientCert));
  await writeFile(join(dir, 'client.key'), await readFile(pki.clientKey));
  const path = await writeKubeconfig(dir, {
    main: {
      cluster: { server: api.url, 'certificate-authority': pki.serverCert },
      user: { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
    },
  });
  const seen = await requestWith(t, { inCluster: false, kubeconfigPath: path }, api.seen);
  t.is(seen.clientCn, 'agent-user');
  t.is(seen.authorization, undefined);
});

test('kube access - kubeconfig client certificate and key as inline data', async (t) => {
  const api = await startApiserver(t);
  const dir = await tempDir(t);
  const b64 = async (file: string) => (await readFile(file)).toString('base64');
  const path = await writeKubeconfig(dir, {
    main: {
      cluster: { server: api.url, 'certificate-authority': pki.serverCert },
      user: {
        'client-certificate-data': await b64(pki.clientCert),
        'client-key-data': await b64(pki.clientKey),
      },
    },
  });
  t.is((await requestWith(t, { inCluster: false, kubeconfigPath: path }, api.seen)).clientCn, 'agent-user');
});

test('kube access - verifies the server certificate unless insecure-skip-tls-verify is set', async (t) => {
  const api = await startApiserver(t);
  const dir = await tempDir(t);
  const verified = await writeKubeconfig(
    dir,
    { main: { cluster: { server: api.url }, user: { token: 'x' } } },
    'a',
  );
  const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath: verified }));
  t.teardown(() => kube.close());
  const err = await t.throwsAsync(kube.get('/api'));
  t.regex(String((err as NodeJS.ErrnoException).code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
  t.is(api.seen.length, 0);

  const insecure = await writeKubeconfig(
    dir,
    { main: { cluster: { server: api.url, 'insecure-skip-tls-verify': true }, user: { token: 'x' } } },
    'b',
  );
  t.is(
    (await requestWith(t, { inCluster: false, kubeconfigPath: insecure }, api.seen)).authorization,
    'Bearer x',
  );
});

test('kube access - tls-server-name verifies the certificate against that name', async (t) => {
  const api = await startApiserver(t, pki.namedCert, pki.namedKey);
  const dir = await tempDir(t);
  const cluster = { server: api.url, 'certificate-authority': pki.namedCert };
  const plain = await writeKubeconfig(dir, { main: { cluster, user: {} } }, 'a');
  const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath: plain }));
  t.teardown(() => kube.close());
  await t.throwsAsync(kube.get('/api'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });

  const named = await writeKubeconfig(
    dir,
    { main: { cluster: { ...cluster, 'tls-server-name': 'kube.test' }, user: {} } },
    'b',
  );
  await requestWith(t, { inCluster: false, kubeconfigPath: named }, api.seen);
  t.is(api.seen.length, 1);
});

test('kube access - uses the current context, or the one asked for', async (t) => {
  const api = await startApiserver(t);
  const dir = await tempDir(t);
  const cluster = { server: api.url, 'insecure-skip-tls-verify': true };
  const path = await writeKubeconfig(dir, {
    first: { cluster, user: { token: 'token-first' } },
    second: { cluster, user: { token: 'token-second' } },
  });
  const byDefault = await requestWith(t, { inCluster: false, kubeconfigPath: path }, api.seen);
  t.is(byDefault.authorization, 'Bearer token-first');
  const chosen = await requestWith(
    t,
    { inCluster: false, kubeconfigPath: path, context: 'second' },
    api.seen,
  );
  t.is(chosen.authorization, 'Bearer token-second');
});

test('kube access - explains a missing context, cluster, user, file or key', async (t) => {
  const dir = await tempDir(t);
  const path = await writeKubeconfig(dir, {
    main: { cluster: { server: 'https://10.0.0.1' }, user: { token: 'x' } },
  });
  const load = (source: Partial<KubeAccessSource>) =>
    loadKubeAccess({ inCluster: false, kubeconfigPath: path, ...source });
  await t.throwsAsync(load({ context: 'nope' }), {
    message: /context "nope" not found in .*\(it has: main\)/,
  });
  await t.throwsAsync(load({ kubeconfigPath: join(dir, 'missing') }), {
    message: /cannot read the kubeconfig/,
  });

  const broken = async (doc: Record<string, unknown>) => {
    const file = join(dir, 'broken');
    await writeFile(file, stringify(doc));
    return loadKubeAccess({ inCluster: false, kubeconfigPath: file });
  };
  const context = { name: 'c', context: { cluster: 'k', user: 'u' } };
  const cluster = { name: 'k', cluster: { server: 'https://10.0.0.1' } };
  const user = { name: 'u', user: { token: 'x' } };
  await t.throwsAsync(broken({ contexts: [context], clusters: [cluster], users: [user] }), {
    message: /no current-context/,
  });
  await t.throwsAsync(broken({ 'current-context': 'c', contexts: [context], users: [user] }), {
    message: /cluster "k" not found/,
  });
  await t.throwsAsync(broken({ 'current-context': 'c', contexts: [context], clusters: [cluster] }), {
    message: /user "u" not found/,
  });
  await t.throwsAsync(
    broken({
      'current-context': 'c',
      contexts: [context],
      clusters: [cluster],
      users: [{ name: 'u', user: { 'client-certificate': 'nowhere.crt', 'client-key': 'nowhere.key' } }],
    }),
    { message: /cannot read the client certificate/ },
  );
  await t.throwsAsync(
    broken({
      'current-context': 'c',
      contexts: [context],
      clusters: [cluster],
      users: [{ name: 'u', user: { 'client-certificate-data': 'AAAA' } }],
    }),
    { message: /both a client certificate and a client key/ },
  );
  await t.throwsAsync(
    broken({
      'current-context': 'c',
      contexts: [context],
      clusters: [cluster],
      users: [{ name: 'u', user: { token: 'x', username: 'a', password: 'b' } }],
    }),
    { message: /both a token and a username\/password/ },
  );
});

test('kube access - an exec user goes through client-node and its credential reaches the server', async (t) => {
  const api = await startApiserver(t);
  const dir = await tempDir(t);
  const plugin = join(dir, 'credential.mjs');
  await writeFile(
    plugin,
    `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'exec-token' } }));\n`,
  );
  const path = await writeKubeconfig(dir, {
    main: {
      cluster: { server: api.url, 'certificate-authority': pki.serverCert },
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: process.execPath,
          args: [plugin],
          interactiveMode: 'Never',
        },
      },
    },
  });
  const access = await loadKubeAccess({ inCluster: false, kubeconfigPath: path });
  t.regex(access.describe(), /client-node/);
  const kube = await createKubeClient(access);
  t.teardown(() => kube.close());
  await kube.get('/api');
  t.is(api.seen.at(-1)?.authorization, 'Bearer exec-token');
});
