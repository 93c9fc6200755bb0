// Printers for core/v1 types other than pods, following pkg/printers/internalversion/printers.go.

import { since } from '../../common/duration.js';
import type { KubeObject } from '../types.js';
import {
  AGE,
  age,
  col,
  containerCells,
  formatLabels,
  NAME,
  NAME_DESCRIPTION,
  type Printer,
  spec,
  status,
} from './column.js';

interface NodeShape {
  spec: { unschedulable?: boolean };
  status: {
    conditions?: { type: string; status: string }[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: {
      kubeletVersion?: string;
      osImage?: string;
      kernelVersion?: string;
      containerRuntimeVersion?: string;
    };
  };
}

export const nodePrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE,
    col('Version', 'Kubelet Version reported by the node.'),
    col(
      'Internal-IP',
      'List of addresses reachable to the node. Queried from cloud provider, if available.',
      { priority: 1 },
    ),
    col(
      'External-IP',
      'List of addresses reachable to the node. Queried from cloud provider, if available.',
      { priority: 1 },
    ),
    col(
      'OS-Image',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      { priority: 1 },
    ),
    col(
      'Kernel-Version',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      { priority: 1 },
    ),
    col(
      'Container-Runtime',
      'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      { priority: 1 },
    ),
  ],
  cells(obj, now) {
    const n = obj as unknown as NodeShape & KubeObject;
    const ready = n.status.conditions?.find((c) => c.type === 'Ready');
    const states = ready ? [ready.status === 'True' ? 'Ready' : 'NotReady'] : ['Unknown'];
    if (n.spec?.unschedulable) states.push('SchedulingDisabled');
    const roles = new Set<string>();
    for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
      if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
      else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
    }
    const address = (type: string) => n.status.addresses?.find((a) => a.type === type)?.address ?? '<none>';
    const info = n.status.nodeInfo ?? {};
    return [
      obj.metadata.name,
      states.join(','),
      roles.size ? [...roles].sort().join(',') : '<none>',
      age(obj, now),
      info.kubeletVersion ?? '',
      address('InternalIP'),
      address('ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

interface ServiceShape {
  type?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  externalName?: string;
  ports?: { port: number; nodePort?: number; protocol?: string }[];
  selector?: Record<string, string>;
}

export const servicePrinter: Printer = {
  columns: [
    NAME,
    col(
      'Type',
      'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.',
    ),
    col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col(
      'External-IP',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    col('Port(s)', 'The list of ports that are exposed by this service.'),
    AGE,
    col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', {
      priority: 1,
    }),
  ],
  cells(obj, now) {
    const s = spec<ServiceShape>(obj);
    const lb = status<{ loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } }>(
      obj,
    ).loadBalancer;
    const lbIPs = (lb?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((x) => x !== '');
    let external: string;
    switch (s.type ?? 'ClusterIP') {
      case 'ClusterIP':
      case 'NodePort':
        external = s.externalIPs?.length ? s.externalIPs.join(',') : '<none>';
        break;
      case 'LoadBalancer':
        external = [...lbIPs, ...(s.externalIPs ?? [])].join(',') || '<pending>';
        break;
      case 'ExternalName':
        external = s.externalName ?? '';
        break;
      default:
        external = '<unknown>';
    }
    const ports = (s.ports ?? [])
      .map((p) =>
        p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`,
      )
      .join(',');
    return [
      obj.metadata.name,
      s.type ?? 'ClusterIP',
      s.clusterIPs?.[0] ?? '<none>',
      external,
      ports || '<none>',
      age(obj, now),
      formatLabels(s.selector),
    ];
  },
};

interface Subset {
  addresses?: { ip: string }[];
  ports?: { name?: string; port: number }[];
}

export const endpointsPrinter: Printer = {
  columns: [NAME, col('Endpoints', 'Endpoints of the service'), AGE],
  cells(obj, now) {
    const subsets = (obj.subsets as Subset[] | undefined) ?? [];
    if (subsets.length === 0) return [obj.metadata.name, '<none>', age(obj, now)];
    const max = 3;
    const list: string[] = [];
    let count = 0;
    let more = false;
    for (const ss of subsets) {
      const addrs = ss.addresses ?? [];
      const ports = ss.ports?.length ? ss.ports.map((p) => String(p.port)) : [null];
      for (const port of ports) {
        count += addrs.length;
        for (const a of addrs) {
          if (list.length === max) {
            more = true;
            break;
          }
          list.push(port === null ? a.ip : a.ip.includes(':') ? `[${a.ip}]:${port}` : `${a.ip}:${port}`);
        }
      }
    }
    const text = list.join(',');
    return [obj.metadata.name, more ? `${text} + ${count - max} more...` : text, age(obj, now)];
  },
};

interface EventShape {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count: number; lastObservedTime: string };
  involvedObject: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

export const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col(
      'Reason',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    col('Object', 'The object that this event is about.'),
    col(
      'Subobject',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].',
      { priority: 1 },
    ),
    col('Source', 'The component reporting this event. Should be a short machine understandable string.', {
      priority: 1,
    }),
    col('Message', 'A human-readable description of the status of this operation.'),
    col(
      'First Seen',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      { priority: 1 },
    ),
    col('Count', 'The number of times this event has occurred.', { priority: 1 }),
    col('Name', NAME_DESCRIPTION, { priority: 1, format: 'name' }),
  ],
  cells(obj, now) {
    const e = obj as unknown as EventShape & KubeObject;
    const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
    let count = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count;
    } else if (count === 0) {
      count = 1;
    }
    const kind = (e.involvedObject.kind ?? '').toLowerCase();
    const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
    const component = e.source?.component || e.reportingComponent || '';
    const instance = e.source?.host || e.reportingInstance || '';
    return [
      last,
      e.type ?? '',
      e.reason ?? '',
      target,
      e.involvedObject.fieldPath ?? '',
      instance ? `${component}, ${instance}` : component,
      (e.message ?? '').trim(),
      first,
      count,
      obj.metadata.name,
    ];
  },
};

export const namespacePrinter: Printer = {
  columns: [NAME, col('Status', 'The status of the namespace'), AGE],
  cells: (obj, now) => [obj.metadata.name, status<{ phase?: string }>(obj).phase ?? '', age(obj, now)],
};

export const configMapPrinter: Printer = {
  columns: [NAME, col('Data', 'Data contains the configuration data.', { type: 'integer' }), AGE],
  cells: (obj, now) => [
    obj.metadata.name,
    Object.keys((obj.data as object | undefined) ?? {}).length +
      Object.keys((obj.binaryData as object | undefined) ?? {}).length,
    age(obj, now),
  ],
};

export const serviceAccountPrinter: Printer = {
  columns: [
    NAME,
    col(
      'Secrets',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      { type: 'integer' },
    ),
    AGE,
  ],
  cells: (obj, now) => [
    obj.metadata.name,
    ((obj.secrets as unknown[] | undefined) ?? []).length,
    age(obj, now),
  ],
};

const MODES: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];
function accessModes(modes: string[] | undefined): string {
  return MODES.filter(([m]) => modes?.includes(m))
    .map(([, short]) => short)
    .join(',');
}

interface PVShape {
  capacity?: { storage?: string };
  accessModes?: string[];
  persistentVolumeReclaimPolicy?: string;
  claimRef?: { namespace?: string; name?: string };
  storageClassName?: string;
  volumeMode?: string;
  volumeAttributesClassName?: string;
}

export const persistentVolumePrinter: Printer = {
  columns: [
    NAME,
    col('Capacity', "capacity is the description of the persistent volume's resources and capacity."),
    col('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
    col(
      'Reclaim Policy',
      'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.',
    ),
    col('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col(
      'Claim',
      'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.',
    ),
    col('StorageClass', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    col(
      'Reason',
      'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.',
    ),
    AGE,
    col(
      'VolumeMode',
      'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.',
      { priority: 1 },
    ),
  ],
  cells(obj, now) {
    const s = spec<PVShape>(obj);
    const st = status<{ phase?: string; reason?: string }>(obj);
    return [
      obj.metadata.name,
      s.capacity?.storage ?? '0',
      accessModes(s.accessModes),
      s.persistentVolumeReclaimPolicy ?? '',
      obj.metadata.deletionTimestamp ? 'Terminating' : (st.phase ?? ''),
      s.claimRef ? `${s.claimRef.namespace ?? ''}/${s.claimRef.name ?? ''}` : '',
      s.storageClassName ?? '',
      s.volumeAttributesClassName ?? '<unset>',
      st.reason ?? '',
      age(obj, now),
      s.volumeMode ?? '<unset>',
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    AGE,
    col('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', { priority: 1 }),
  ],
  cells(obj, now) {
    const s = spec<PVShape & { volumeName?: string }>(obj);
    const st = status<{ phase?: string; accessModes?: string[]; capacity?: { storage?: string } }>(obj);
    const bound = Boolean(s.volumeName);
    return [
      obj.metadata.name,
      obj.metadata.deletionTimestamp ? 'Terminating' : (st.phase ?? ''),
      s.volumeName ?? '',
      bound ? (st.capacity?.storage ?? '0') : '',
      bound ? accessModes(st.accessModes) : '',
      s.storageClassName ?? '',
      s.volumeAttributesClassName ?? '<unset>',
      age(obj, now),
      s.volumeMode ?? '<unset>',
    ];
  },
};

export const replicationControllerPrinter: Printer = {
  columns: [
    NAME,
    col('Desired', 'Number of desired pods.', { type: 'integer' }),
    col('Current', 'Number of actual pods.', { type: 'integer' }),
    col('Ready', 'The number of ready replicas for this replication controller.', { type: 'integer' }),
    AGE,
    col('Containers', 'Names of each container in the template.', { priority: 1 }),
    col('Images', 'Images referenced by each container in the template.', { priority: 1 }),
    col('Selector', 'Label selector for pods.', { priority: 1 }),
  ],
  cells(obj, now) {
    const s = spec<{
      replicas?: number;
      selector?: Record<string, string>;
      template?: { spec?: { containers?: { name: string; image: string }[] } };
    }>(obj);
    const st = status<{ replicas?: number; readyReplicas?: number }>(obj);
    return [
      obj.metadata.name,
      s.replicas ?? 0,
      st.replicas ?? 0,
      st.readyReplicas ?? 0,
      age(obj, now),
      ...containerCells(s.template?.spec?.containers),
      formatLabels(s.selector),
    ];
  },
};
