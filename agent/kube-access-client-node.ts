// KubeAccess through @kubernetes/client-node, for kubeconfig users the light loader does not handle
// (`exec` and `auth-provider` plugins: cloud IAM, OIDC). Imported lazily: client-node adds ~75 MB of RSS.

import type https from 'node:https';
import type { KubeAccess } from './kube-access.js';

export interface ClientNodeSource {
  kubeconfigPath: string;
  context: string;
  /** Where the access came from, for describe(). */
  describe: string;
}

export async function clientNodeAccess(
  source: ClientNodeSource,
  { refreshMs, now }: { refreshMs: number; now: () => number },
): Promise<KubeAccess> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(source.kubeconfigPath);
  kc.setCurrentContext(source.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`the kubeconfig ${source.kubeconfigPath} names no current cluster`);
  const server = cluster.server.replace(/\/+$/, '');

  // client-node refuses plain-HTTP servers unless TLS verification is "skipped"; a plain-HTTP server
  // (a local proxy) has no TLS to verify, so read its auth from a copy that says so.
  let authSource = kc;
  if (server.startsWith('http:') && !cluster.skipTLSVerify) {
    authSource = new KubeConfig();
    authSource.loadFromClusterAndUser(
      { ...cluster, skipTLSVerify: true },
      kc.getCurrentUser() ?? { name: 'anonymous' },
    );
  }
  const first: https.RequestOptions = {};
  await authSource.applyToHTTPSOptions(first);

  // Plugins cache their credentials until they expire; asking again every refreshMs picks up rotation.
  let headers = headersOf(first);
  let readAt = now();
  let pending: Promise<Record<string, string>> | undefined;
  const refresh = async () => {
    const fresh: https.RequestOptions = {};
    await authSource.applyToHTTPSOptions(fresh);
    headers = headersOf(fresh);
    readAt = now();
    return headers;
  };
  return {
    server,
    tls: {
      ...(first.ca === undefined ? {} : { ca: first.ca as Buffer | string }),
      ...(first.cert === undefined ? {} : { cert: first.cert as Buffer | string }),
      ...(first.key === undefined ? {} : { key: first.key as Buffer | string }),
      ...(first.servername === undefined ? {} : { servername: first.servername }),
      skipTLSVerify: cluster.skipTLSVerify === true,
    },
    authHeaders() {
      if (now() - readAt < refreshMs) return Promise.resolve(headers);
      pending ??= refresh().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    describe: () => `${source.describe} (auth plugin through @kubernetes/client-node)`,
  };
}

function headersOf(opts: https.RequestOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(opts.headers ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
    else if (Array.isArray(value)) out[key] = value.join(', ');
  }
  if (opts.auth) out.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  return out;
}
