// Printers for networking, storage and RBAC types, plus the apiserver's default table (Name,
// Created At) used for every type without a dedicated printer.

import type { KubeObject } from '../types.js';
import {
  AGE,
  AGE_DESCRIPTION,
  age,
  col,
  formatLabelSelector,
  type LabelSelector,
  NAME,
  type Printer,
  spec,
  status,
} from './column.js';

export const ingressPrinter: Printer = {
  columns: [
    NAME,
    col('Class', 'The name of the IngressClass resource that should be used for this Ingress.'),
    col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'Ports of TLS configurations that open'),
    AGE,
  ],
  cells(obj, now) {
    const s = spec<{ ingressClassName?: string; rules?: { host?: string }[]; tls?: unknown[] }>(obj);
    const lb = status<{ loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } }>(
      obj,
    ).loadBalancer;
    const hosts = (s.rules ?? []).map((r) => r.host ?? '').filter((h) => h !== '');
    const max = 4;
    const hostCell =
      hosts.length === 0
        ? '*'
        : hosts.length > max
          ? `${hosts.slice(0, max).join(',')} + ${hosts.length - max} more...`
          : hosts.join(',');
    const address = (lb?.ingress ?? [])
      .map((i) => i.ip || i.hostname || '')
      .filter((x) => x !== '')
      .join(',');
    return [
      obj.metadata.name,
      s.ingressClassName ?? '<none>',
      hostCell,
      address,
      s.tls?.length ? '80, 443' : '80',
      age(obj, now),
    ];
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [
    NAME,
    col(
      'Pod-Selector',
      'Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field.',
    ),
    AGE,
  ],
  cells: (obj, now) => [
    obj.metadata.name,
    formatLabelSelector(spec<{ podSelector?: LabelSelector }>(obj).podSelector),
    age(obj, now),
  ],
};

const DEFAULT_CLASS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

export const storageClassPrinter: Printer = {
  columns: [
    NAME,
    col('Provisioner', 'Indicates the type of the provisioner.'),
    col(
      'ReclaimPolicy',
      'Dynamically provisioned PersistentVolumes of this storage class are created with this reclaimPolicy. Defaults to Delete.',
    ),
    col(
      'VolumeBindingMode',
      'VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used.',
    ),
    col('AllowVolumeExpansion', 'AllowVolumeExpansion shows whether the storage class allow volume expand', {
      type: 'boolean',
    }),
    AGE,
  ],
  cells(obj, now) {
    const isDefault = DEFAULT_CLASS.some((k) => obj.metadata.annotations?.[k] === 'true');
    return [
      isDefault ? `${obj.metadata.name} (default)` : obj.metadata.name,
      (obj.provisioner as string | undefined) ?? '',
      (obj.reclaimPolicy as string | undefined) ?? 'Delete',
      (obj.volumeBindingMode as string | undefined) ?? 'Immediate',
      (obj.allowVolumeExpansion as boolean | undefined) ?? false,
      age(obj, now),
    ];
  },
};

interface Binding {
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

function bindingCells(obj: KubeObject, now: number): unknown[] {
  const b = obj as unknown as Binding;
  const of = (kind: string) =>
    (b.subjects ?? [])
      .filter((s) => s.kind === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}:${s.name}` : s.name))
      .join(', ');
  return [
    obj.metadata.name,
    `${b.roleRef.kind}/${b.roleRef.name}`,
    age(obj, now),
    of('User'),
    of('Group'),
    of('ServiceAccount'),
  ];
}

const BINDING_COLUMNS = [
  NAME,
  col('Role', 'Role used by the binding'),
  AGE,
  col('Users', 'Users in the binding', { priority: 1 }),
  col('Groups', 'Groups in the binding', { priority: 1 }),
  col('ServiceAccounts', 'ServiceAccounts in the binding', { priority: 1 }),
];

export const roleBindingPrinter: Printer = { columns: BINDING_COLUMNS, cells: bindingCells };
export const clusterRoleBindingPrinter: Printer = { columns: BINDING_COLUMNS, cells: bindingCells };

export const leasePrinter: Printer = {
  columns: [NAME, col('Holder', 'The holder of the lease'), AGE],
  cells: (obj, now) => [
    obj.metadata.name,
    spec<{ holderIdentity?: string }>(obj).holderIdentity ?? '<unknown>',
    age(obj, now),
  ],
};

/** printResourceQuota: 'resource: used/hard' pairs, limits.* in their own column. */
export const resourceQuotaPrinter: Printer = {
  columns: [
    NAME,
    AGE,
    col('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col(
      'Limit',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
  ],
  cells(obj, now) {
    const hard = spec<{ hard?: Record<string, string> }>(obj).hard ?? {};
    const st = status<{ hard?: Record<string, string>; used?: Record<string, string> }>(obj);
    const request: string[] = [];
    const limit: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const cell = `${r}: ${st.used?.[r] ?? '0'}/${st.hard?.[r] ?? '0'}`;
      (r.split('.')[0] === 'limits' && r.includes('.') ? limit : request).push(cell);
    }
    return [obj.metadata.name, age(obj, now), request.join(', '), limit.join(', ')];
  },
};

/** printEndpointSlice: at most three ports and addresses, then '+ N more...'. */
export const endpointSlicePrinter: Printer = {
  columns: [
    NAME,
    col(
      'AddressType',
      'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.',
    ),
    col(
      'Ports',
      'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
    ),
    col(
      'Endpoints',
      'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.',
    ),
    AGE,
  ],
  cells(obj, now) {
    const ports = (obj.ports ?? []) as { name?: string; port?: number }[];
    const endpoints = (obj.endpoints ?? []) as { addresses?: string[] }[];
    return [
      obj.metadata.name,
      (obj.addressType as string | undefined) ?? '',
      listWithMore(ports.map((p) => (p.port !== undefined ? String(p.port) : (p.name ?? '*')))),
      listWithMore(endpoints.flatMap((e) => e.addresses ?? [])),
      age(obj, now),
    ];
  },
};

function listWithMore(all: string[]): string {
  const max = 3;
  if (all.length > max) return `${all.slice(0, max).join(',')} + ${all.length - max} more...`;
  return all.length === 0 ? '<unset>' : all.join(',');
}

/** registry/rest.DefaultTableConvertor. */
export const defaultPrinter: Printer = {
  columns: [NAME, col('Created At', AGE_DESCRIPTION, { type: 'date' })],
  cells: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp ?? ''],
};
