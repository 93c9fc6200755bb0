// A kubeconfig pointing at a simulated apiserver, for kubectl and @kubernetes/client-node.

export const SIM_CONTEXT = 'kubently-sim';

export function simKubeconfigYaml(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${SIM_CONTEXT}`,
    '  cluster:',
    `    server: ${url}`,
    'contexts:',
    `- name: ${SIM_CONTEXT}`,
    '  context:',
    `    cluster: ${SIM_CONTEXT}`,
    `    user: ${SIM_CONTEXT}`,
    `current-context: ${SIM_CONTEXT}`,
    'preferences: {}',
    'users:',
    `- name: ${SIM_CONTEXT}`,
    '  user: {}',
    '',
  ].join('\n');
}
