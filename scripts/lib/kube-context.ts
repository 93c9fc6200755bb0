// Finds the current kubeconfig context, if any, without a kubectl process: the dev stack uses it to
// decide between a real cluster and the simulated one.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeContext {
  context: string;
  server: string;
  /** The kubeconfig file it came from, when it is a single file. */
  path: string | undefined;
  /** Every context the kubeconfig names. */
  contexts: string[];
}

export async function findKubeContext(kubeconfigEnv: string | undefined): Promise<KubeContext | undefined> {
  const path = kubeconfigEnv ?? join(homedir(), '.kube', 'config');
  const files = path.split(':').filter((p) => p && existsSync(p));
  if (files.length === 0) return undefined;
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault({}, false);
  } catch {
    return undefined;
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster?.server) return undefined;
  return {
    context,
    server: cluster.server,
    path: files.length === 1 ? files[0] : kubeconfigEnv,
    contexts: kc.getContexts().map((c) => c.name),
  };
}
