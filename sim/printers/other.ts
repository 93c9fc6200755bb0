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
  cells: (obj, now) => [obj.metadata.name, age(obj, now), '', ''],
};

/** registry/rest.DefaultTableConvertor. */
export const defaultPrinter: Printer = {
  columns: [NAME, col('Created At', AGE_DESCRIPTION, { type: 'date' })],
  cells: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp ?? ''],
};
