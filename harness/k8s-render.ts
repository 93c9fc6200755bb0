// Renders the kustomize overlays under k8s/ with the local kubectl (offline) and parses the stream.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export const K8S_DIR = fileURLToPath(new URL('../k8s/', import.meta.url));

export const OVERLAYS = [
  'control-plane',
  'agent-cluster-wide',
  'agent-namespaced',
  'agent-troubleshoot',
] as const;
export type Overlay = (typeof OVERLAYS)[number];

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export async function renderOverlay(overlay: Overlay): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', `${K8S_DIR}${overlay}`], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30_000,
  });
  return parseManifests(stdout);
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((obj): obj is K8sObject => obj !== null);
}

export function objectId(obj: K8sObject): string {
  return `${obj.kind}/${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
}
