// EndpointSlices derived from each Service and its Endpoints, shaped as the endpointslice controller
// (and, for `kubernetes`, the apiserver's own reconciler) writes them. kubectl 1.32's describe service
// and describe ingress read these, not Endpoints.

import { meta, uidOf } from './fixture-builders.js';
import type { KubeObject } from './types.js';

interface EndpointAddress {
  ip: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string };
}

interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: { name?: string; port: number; protocol: string }[];
}

function endpoint(a: EndpointAddress, ready: boolean): Record<string, unknown> {
  return {
    addresses: [a.ip],
    conditions: { ready, serving: ready, terminating: false },
    ...(a.targetRef
      ? {
          targetRef: {
            kind: a.targetRef.kind,
            namespace: a.targetRef.namespace,
            name: a.targetRef.name,
            uid: uidOf(a.targetRef.kind, a.targetRef.namespace, a.targetRef.name),
          },
        }
      : {}),
    ...(a.nodeName ? { nodeName: a.nodeName } : {}),
  };
}

function sliceOf(svc: KubeObject, ep: KubeObject): KubeObject {
  const name = svc.metadata.name;
  const ns = svc.metadata.namespace ?? '';
  const created = svc.metadata.creationTimestamp ?? '';
  const subsets = (ep.subsets ?? []) as EndpointSubset[];
  const servicePorts = ((svc.spec as { ports?: { name?: string; protocol?: string }[] }).ports ?? []) as {
    name?: string;
    protocol?: string;
    targetPort: number | string;
  }[];
  // Ports come from the subset when there are endpoints, else from the Service (as the controller does).
  const ports = subsets[0]?.ports
    ? subsets[0].ports.map((p) => ({ name: p.name ?? '', protocol: p.protocol, port: p.port }))
    : servicePorts.map((p) => ({
        name: p.name ?? '',
        protocol: p.protocol ?? 'TCP',
        port: typeof p.targetPort === 'number' ? p.targetPort : 8080,
      }));
  const endpoints = subsets.flatMap((s) => [
    ...(s.addresses ?? []).map((a) => endpoint(a, true)),
    ...(s.notReadyAddresses ?? []).map((a) => endpoint(a, false)),
  ]);
  const spec = svc.spec as { selector?: unknown; clusterIP?: string };
  const selected = spec.selector !== undefined;
  const headless = spec.clusterIP === 'None';
  const metadata = selected
    ? meta('EndpointSlice', `${name}-${uidOf('EndpointSlice', ns, name).slice(0, 5)}`, ns, created, {
        generateName: `${name}-`,
        generation: 1,
        labels: {
          ...svc.metadata.labels,
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          'kubernetes.io/service-name': name,
          ...(headless ? { 'service.kubernetes.io/headless': '' } : {}),
        },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': created },
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            name,
            uid: svc.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      })
    : meta('EndpointSlice', name, ns, created, {
        generation: 1,
        labels: { 'kubernetes.io/service-name': name },
      });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata,
    addressType: 'IPv4',
    // The API encodes an empty list of endpoints as null (the field has no omitempty).
    endpoints: endpoints.length > 0 ? endpoints : null,
    ports,
  };
}

/** One slice per Service that has an Endpoints object of the same name. */
export function endpointSlicesOf(
  services: readonly KubeObject[],
  endpoints: readonly KubeObject[],
): KubeObject[] {
  const byKey = new Map(endpoints.map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
  return services.flatMap((svc) => {
    const ep = byKey.get(`${svc.metadata.namespace}/${svc.metadata.name}`);
    return ep ? [sliceOf(svc, ep)] : [];
  });
}
