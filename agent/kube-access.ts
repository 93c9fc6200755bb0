// How the agent reaches its kube-apiserver: the server URL, the TLS material and the auth headers.
// In-cluster service accounts and plain kubeconfig users (token, token file, basic, client certificate)
// are read here with node and `yaml`; importing @kubernetes/client-node costs ~75 MB of RSS (its config
// module pulls in the whole generated API), so it is loaded only for users that need its plugins
// (`exec`, `auth-provider`) or fields this loader does not know. Nothing here reads process.env.

import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface KubeTls {
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  servername?: string;
  skipTLSVerify: boolean;
}

export interface KubeAccess {
  /** The API server URL without a trailing slash, as kubectl cluster-info prints it. */
  server: string;
  tls: KubeTls;
  /** Headers for the next request; cheap (cached), re-read when the credentials can rotate. */
  authHeaders(): Promise<Record<string, string>>;
  /** Where the access came from, for the start-up log line; never a secret. */
  describe(): string;
}

export interface KubeAccessSource {
  /** Set when the agent runs in a pod: the service account token and CA are then mounted. */
  inCluster: boolean;
  /** An explicit kubeconfig file (ignored in cluster); ~/.kube/config otherwise. */
  kubeconfigPath?: string | undefined;
  /** Context to select from a kubeconfig file; the file's current context otherwise. */
  context?: string | undefined;
  /** KUBERNETES_SERVICE_HOST / _PORT, passed by the agent's config module. */
  serviceHost?: string | undefined;
  servicePort?: string | undefined;
  serviceAccountDir?: string | undefined;
}

export interface KubeAccessOptions {
  /** Token files (and client-node's auth) are re-read this often, so rotated tokens are picked up. */
  refreshMs?: number;
  now?: () => number;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** What client-go and client-node use for token files. */
export const DEFAULT_AUTH_REFRESH_MS = 60_000;

export async function loadKubeAccess(
  source: KubeAccessSource,
  options: KubeAccessOptions = {},
): Promise<KubeAccess> {
  const refresh = { refreshMs: options.refreshMs ?? DEFAULT_AUTH_REFRESH_MS, now: options.now ?? Date.now };
  return source.inCluster ? inClusterAccess(source, refresh) : kubeconfigAccess(source, refresh);
}

type Refresh = Required<KubeAccessOptions>;

async function inClusterAccess(source: KubeAccessSource, refresh: Refresh): Promise<KubeAccess> {
  const { serviceHost: host, servicePort: port } = source;
  if (!host || !port) {
    throw new Error('in cluster, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set');
  }
  const dir = source.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const ca = await readFileOrExplain(join(dir, 'ca.crt'), 'the service account CA');
  const token = refreshingFile(join(dir, 'token'), refresh);
  await token().catch((err: unknown) => {
    throw new Error(`cannot read the service account token ${join(dir, 'token')}: ${messageOf(err)}`, {
      cause: err,
    });
  });
  return {
    server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    tls: { ca, skipTLSVerify: false },
    authHeaders: async () => bearer(await token()),
    describe: () => `in-cluster service account (${dir})`,
  };
}

/** The parts of a kubeconfig this loader reads; anything else in a user entry goes to client-node. */
const LIGHT_USER_FIELDS = new Set([
  'token',
  'tokenFile',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'username',
  'password',
  'as',
  'extensions',
]);

type Entry = Record<string, unknown>;

async function kubeconfigAccess(source: KubeAccessSource, refresh: Refresh): Promise<KubeAccess> {
  const path = source.kubeconfigPath ?? join(homedir(), '.kube', 'config');
  if (path.includes(delimiter)) {
    throw new Error(`KUBECONFIG=${path} lists several files; the agent reads a single kubeconfig`);
  }
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw new Error(`cannot read the kubeconfig ${path}: ${messageOf(err)}`, { cause: err });
  });
  let doc: Entry;
  try {
    doc = (parseYaml(text) ?? {}) as Entry;
  } catch (err) {
    throw new Error(`the kubeconfig ${path} is not valid YAML: ${messageOf(err)}`, { cause: err });
  }
  const contextName = source.context ?? (doc['current-context'] as string | undefined);
  if (!contextName) throw new Error(`the kubeconfig ${path} has no current-context; set KUBE_CONTEXT`);
  const context = namedEntry(doc, 'contexts', 'context', contextName, path);
  const clusterName = context.cluster as string | undefined;
  if (!clusterName) throw new Error(`context "${contextName}" in ${path} names no cluster`);
  const cluster = namedEntry(doc, 'clusters', 'cluster', clusterName, path);
  const userName = context.user as string | undefined;
  const user = userName ? namedEntry(doc, 'users', 'user', userName, path) : {};

  const server = typeof cluster.server === 'string' ? cluster.server.replace(/\/+$/, '') : '';
  if (!server) throw new Error(`cluster "${clusterName}" in ${path} has no server`);
  if (cluster['proxy-url'] !== undefined) {
    throw new Error(`cluster "${clusterName}" in ${path} sets proxy-url, which the agent does not support`);
  }
  const where = `kubeconfig ${path}, context "${contextName}"`;
  if (Object.keys(user).some((field) => !LIGHT_USER_FIELDS.has(field))) {
    // exec / auth-provider plugins (cloud IAM, OIDC): client-node runs them, at its memory cost.
    const { clientNodeAccess } = await import('./kube-access-client-node.js');
    return clientNodeAccess({ kubeconfigPath: path, context: contextName, describe: where }, refresh);
  }

  const base = dirname(resolve(path));
  const material = (file: unknown, data: unknown, what: string) =>
    fileOrData(file, data, base, `${what} of ${where}`);
  const tls: KubeTls = {
    skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    ...optional(
      'ca',
      await material(cluster['certificate-authority'], cluster['certificate-authority-data'], 'the CA'),
    ),
    ...optional(
      'cert',
      await material(user['client-certificate'], user['client-certificate-data'], 'the client certificate'),
    ),
    ...optional('key', await material(user['client-key'], user['client-key-data'], 'the client key')),
    ...optional('servername', cluster['tls-server-name'] as string | undefined),
  };
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new Error(`user "${userName}" in ${path} needs both a client certificate and a client key`);
  }

  const headers: Record<string, string> = {};
  if (typeof user.as === 'string' && user.as) headers['Impersonate-User'] = user.as;
  const hasBasic = user.username !== undefined || user.password !== undefined;
  const hasToken = user.token !== undefined || user.tokenFile !== undefined;
  if (hasBasic && hasToken) {
    throw new Error(`user "${userName}" in ${path} sets both a token and a username/password; choose one`);
  }
  if (hasBasic) {
    const credentials = `${String(user.username ?? '')}:${String(user.password ?? '')}`;
    headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  // As in client-go, a token file wins over an inline token and is re-read, so it may rotate.
  const tokenFile =
    typeof user.tokenFile === 'string' ? refreshingFile(resolve(base, user.tokenFile), refresh) : undefined;
  if (tokenFile) {
    await tokenFile().catch((err: unknown) => {
      throw new Error(`cannot read the tokenFile of ${where}: ${messageOf(err)}`, { cause: err });
    });
  } else if (typeof user.token === 'string') {
    Object.assign(headers, bearer(user.token));
  }
  return {
    server,
    tls,
    authHeaders: async () => (tokenFile ? { ...headers, ...bearer(await tokenFile()) } : headers),
    describe: () => where,
  };
}

function namedEntry(doc: Entry, list: string, key: string, name: string, path: string): Entry {
  const items = Array.isArray(doc[list]) ? (doc[list] as Entry[]) : [];
  const found = items.find((item) => item?.name === name);
  if (!found) {
    const known = items.map((item) => item?.name).filter(Boolean);
    throw new Error(
      `${key} "${name}" not found in ${path}${known.length ? ` (it has: ${known.join(', ')})` : ''}`,
    );
  }
  return (found[key] ?? {}) as Entry;
}

/** `*-data` (base64) wins over the file, as in client-go; files resolve against the kubeconfig's directory. */
async function fileOrData(
  file: unknown,
  data: unknown,
  base: string,
  what: string,
): Promise<Buffer | undefined> {
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
  if (typeof file === 'string' && file) return readFileOrExplain(resolve(base, file), what);
  return undefined;
}

async function readFileOrExplain(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`cannot read ${what} (${path}): ${messageOf(err)}`, { cause: err });
  }
}

/**
 * A file's trimmed text, re-read at most every `refreshMs`; concurrent callers share one read. A failed
 * re-read keeps the last good value (as client-go does): the kubelet swaps token files atomically, and an
 * expired token shows up as a 401 from the apiserver anyway.
 */
export function refreshingFile(path: string, { refreshMs, now }: Refresh): () => Promise<string> {
  let value: string | undefined;
  let readAt = 0;
  let pending: Promise<string> | undefined;
  return () => {
    if (value !== undefined && now() - readAt < refreshMs) return Promise.resolve(value);
    pending ??= readFile(path, 'utf8')
      .then(
        (text) => {
          value = text.trim();
          return value;
        },
        (err: unknown) => {
          if (value === undefined) throw err;
          return value;
        },
      )
      .finally(() => {
        readAt = now();
        pending = undefined;
      });
    return pending;
  };
}

function bearer(token: string): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
