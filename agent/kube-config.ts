// Where the agent's KubeConfig comes from. The caller (the agent's config module) passes what it read
// from the environment; nothing here looks at process.env.

import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigSource {
  /** Set when the agent runs in a pod: the service account token and CA are then mounted. */
  inCluster: boolean;
  /** An explicit kubeconfig file (ignored in cluster). */
  kubeconfigPath?: string | undefined;
  /** Context to select from a kubeconfig file; the file's current context otherwise. */
  context?: string | undefined;
}

export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const kc = new KubeConfig();
  if (source.inCluster) {
    kc.loadFromCluster();
  } else if (source.kubeconfigPath) {
    kc.loadFromFile(source.kubeconfigPath);
  } else {
    kc.loadFromDefault();
  }
  if (source.context && !source.inCluster) kc.setCurrentContext(source.context);
  if (!kc.getCurrentCluster()) throw new Error('the kubeconfig names no current cluster');
  return kc;
}
