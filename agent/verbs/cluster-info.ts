// kubectl version and cluster-info. The agent is not kubectl: `version` reports the server only.

import type { Command } from '../../common/command/types.js';
import { printYaml } from '../printers/yaml.js';
import { getJson, type VerbContext, type VerbResult } from './context.js';

interface VersionInfo {
  gitVersion?: string;
  [field: string]: unknown;
}

export async function runVersion(ctx: VerbContext, command: Command): Promise<VerbResult> {
  const info = await getJson<VersionInfo>(ctx, '/version');
  // kubectl marshals version.Info with 2-space indent in struct order, which is the server's order.
  if (command.output === 'json')
    return { output: `${JSON.stringify({ serverVersion: info }, null, 2)}\n`, error: null };
  if (command.output === 'yaml') return { output: printYaml({ serverVersion: info }), error: null };
  return { output: `Server Version: ${info.gitVersion ?? ''}\n`, error: null };
}

interface Service {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: { ports?: { name?: string; port: number }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** kubectl cluster-info, in its plain form (kubectl colors the names and URLs on a terminal). */
export async function runClusterInfo(ctx: VerbContext): Promise<VerbResult> {
  const host = ctx.kube.server;
  let output = `Kubernetes control plane is running at ${host}\n`;
  const list = await getJson<{ items: Service[] }>(ctx, '/api/v1/namespaces/kube-system/services', {
    labelSelector: 'kubernetes.io/cluster-service=true',
  });
  for (const service of list.items) {
    let link = '';
    const ingress = service.status?.loadBalancer?.ingress?.[0];
    if (ingress) {
      const ip = ingress.ip || ingress.hostname || '';
      for (const port of service.spec?.ports ?? []) link += `http://${ip}:${port.port} `;
    } else {
      let name = service.metadata.name;
      const port = service.spec?.ports?.[0];
      if (port) {
        const scheme = port.name === 'https' || port.port === 443 ? 'https' : '';
        // utilnet.JoinSchemeNamePort
        if (scheme) name = `${scheme}:${name}:${port.name ?? ''}`;
        else if (port.name) name = `${name}:${port.name}`;
      }
      link = `${host}/api/v1/namespaces/${service.metadata.namespace ?? 'kube-system'}/services/${name}/proxy`;
    }
    output += `${service.metadata.labels?.['kubernetes.io/name'] || service.metadata.name} is running at ${link}\n`;
  }
  output += "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";
  return { output, error: null };
}
