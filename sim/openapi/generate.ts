// Regenerates the trimmed OpenAPI v3 documents served for `kubectl explain`, from the schema
// metadata and doc comments that @kubernetes/client-node ships. Run: `tsx sim/openapi/generate.ts`.

import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}
type Schema = Record<string, unknown>;

const MODELS = join(
  dirname(createRequire(import.meta.url).resolve('@kubernetes/client-node')),
  'gen',
  'models',
);
const META = new Set([
  'ObjectMeta',
  'ListMeta',
  'LabelSelector',
  'LabelSelectorRequirement',
  'OwnerReference',
  'ManagedFieldsEntry',
  'Condition',
]);
const APPS = /^(Deployment|DaemonSet|StatefulSet|ReplicaSet|RollingUpdate)/;

/**
 * Enum fields as the real v1.32 documents have them: client-node's doc comments carry neither the
 * values nor the "Possible enum values" paragraph (multi-line text that `kubectl explain` re-wraps).
 */
const ENUMS: Record<string, Record<string, { values: string[]; possible: string[] }>> = {
  'io.k8s.api.core.v1.Container': {
    imagePullPolicy: {
      values: ['Always', 'IfNotPresent', 'Never'],
      possible: [
        '`"Always"` means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.',
        '`"IfNotPresent"` means that kubelet pulls if the image isn\'t present on disk. Container will fail if the image isn\'t present and the pull fails.',
        '`"Never"` means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn\'t present',
      ],
    },
  },
  'io.k8s.api.core.v1.PodSpec': {
    restartPolicy: {
      values: ['Always', 'Never', 'OnFailure'],
      possible: ['`"Always"`', '`"Never"`', '`"OnFailure"`'],
    },
  },
  'io.k8s.api.core.v1.ServiceSpec': {
    type: {
      values: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
      possible: [
        '`"ClusterIP"` means a service will only be accessible inside the cluster, via the cluster IP.',
        '`"ExternalName"` means a service consists of only a reference to an external name that kubedns or equivalent will return as a CNAME record, with no exposing or proxying of any pods involved.',
        '`"LoadBalancer"` means a service will be exposed via an external load balancer (if the cloud provider supports it), in addition to \'NodePort\' type.',
        '`"NodePort"` means a service will be exposed on one port of every node, in addition to \'ClusterIP\' type.',
      ],
    },
  },
  'io.k8s.api.core.v1.HostPathVolumeSource': {
    type: {
      values: [
        '',
        'BlockDevice',
        'CharDevice',
        'Directory',
        'DirectoryOrCreate',
        'File',
        'FileOrCreate',
        'Socket',
      ],
      possible: [
        '`""` For backwards compatible, leave it empty if unset',
        '`"BlockDevice"` A block device must exist at the given path',
        '`"CharDevice"` A character device must exist at the given path',
        '`"Directory"` A directory must exist at the given path',
        '`"DirectoryOrCreate"` If nothing exists at the given path, an empty directory will be created there as needed with file mode 0755, having the same group and ownership with Kubelet.',
        '`"File"` A file must exist at the given path',
        '`"FileOrCreate"` If nothing exists at the given path, an empty file will be created there as needed with file mode 0644, having the same group and ownership with Kubelet.',
        '`"Socket"` A UNIX socket must exist at the given path',
      ],
    },
  },
  'io.k8s.api.apps.v1.DeploymentStrategy': {
    type: {
      values: ['Recreate', 'RollingUpdate'],
      possible: [
        '`"Recreate"` Kill all existing pods before creating new ones.',
        '`"RollingUpdate"` Replace the old ReplicaSets by new one using rolling update i.e gradually scale down the old ReplicaSets and scale up the new one.',
      ],
    },
  },
};

/** V1PodSpec → io.k8s.api.core.v1.PodSpec, V1ObjectMeta → io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta. */
function schemaName(cls: string): string {
  const short = cls.replace(/^(CoreV1|V\d+((alpha|beta)\d+)?)/, '');
  if (META.has(short)) return `io.k8s.apimachinery.pkg.apis.meta.v1.${short}`;
  if (APPS.test(short)) return `io.k8s.api.apps.v1.${short}`;
  return `io.k8s.api.core.v1.${short}`;
}

async function docs(
  cls: string,
): Promise<{ description: string; fields: Map<string, { description: string; required: boolean }> }> {
  const text = await readFile(join(MODELS, `${cls}.d.ts`), 'utf8').catch(() => '');
  const clean = (s: string) =>
    s
      .split('\n')
      .map((l) => l.replace(/^\s*\*\s?/, ''))
      .join('\n')
      .trim()
      .replace(/\\'/g, "'")
      .replace(/\\"/g, '"');
  const classDoc = /\/\*\*\n((?:(?!\*\/)[\s\S])*?)\*\/\nexport declare class/.exec(text);
  const fields = new Map<string, { description: string; required: boolean }>();
  for (const m of text.matchAll(/\/\*\*\n((?:(?!\*\/)[\s\S])*?)\*\/\n\s*'([^']+)'(\?)?:/g)) {
    fields.set(m[2]!, { description: clean(m[1]!), required: m[3] !== '?' });
  }
  return { description: classDoc ? clean(classDoc[1]!) : '', fields };
}

const schemas: Record<string, Schema> = {};

async function typeSchema(type: string, format: string): Promise<Schema> {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: 'array', items: await typeSchema(array[1]!, format) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: await typeSchema(map[1]!, format) };
  switch (type) {
    case 'string':
      return { type: 'string', ...(format ? { format } : {}) };
    case 'Date':
    case 'V1MicroTime':
      return { type: 'string', format: 'date-time' };
    case 'number':
      return format === 'double'
        ? { type: 'number', format }
        : { type: 'integer', format: format || 'int32' };
    case 'boolean':
      return { type: 'boolean' };
    case 'IntOrString':
      return { 'x-kubernetes-int-or-string': true };
    case 'any':
    case 'object':
      return { type: 'object' };
  }
  if (/^(V\d|CoreV1)/.test(type) && type in k8s) {
    await model(type);
    return { allOf: [{ $ref: `#/components/schemas/${schemaName(type)}` }], default: {} };
  }
  return { type: 'object' };
}

async function model(cls: string, gvk?: { group: string; version: string; kind: string }): Promise<void> {
  const name = schemaName(cls);
  if (schemas[name]) return;
  schemas[name] = {};
  const attrs =
    (k8s as unknown as Record<string, { attributeTypeMap?: Attribute[] }>)[cls]?.attributeTypeMap ?? [];
  const { description, fields } = await docs(cls);
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const a of attrs) {
    const doc = fields.get(a.name);
    const enumOf = ENUMS[name]?.[a.baseName];
    const text = enumOf
      ? `${doc?.description ?? ''}\n\nPossible enum values:\n${enumOf.possible.map((p) => ` - ${p}`).join('\n')}`
      : doc?.description;
    properties[a.baseName] = {
      ...(text ? { description: text } : {}),
      ...(enumOf ? { enum: enumOf.values } : {}),
      ...(await typeSchema(a.type, a.format)),
    };
    if (doc?.required) required.push(a.baseName);
  }
  schemas[name] = {
    description,
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    ...(gvk ? { 'x-kubernetes-group-version-kind': [gvk] } : {}),
  };
}

/** The read operation on each object, as the real document has it; kubectl explain finds a resource's schema through it. */
function readPath(
  cls: string,
  group: string,
  kind: string,
  resource: string,
  namespaced: boolean,
): [string, Schema] {
  const base = group ? `/apis/${group}/v1` : '/api/v1';
  const path = namespaced
    ? `${base}/namespaces/{namespace}/${resource}/{name}`
    : `${base}/${resource}/{name}`;
  const ref = { $ref: `#/components/schemas/${schemaName(cls)}` };
  return [
    path,
    {
      get: {
        tags: [group ? `apps_v1` : 'core_v1'],
        description: `read the specified ${kind}`,
        operationId: `read${namespaced ? 'Namespaced' : ''}${kind}`,
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } },
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': { group, version: 'v1', kind },
      },
    },
  ];
}

async function document(roots: [string, string, string, string, boolean][]): Promise<string> {
  for (const key of Object.keys(schemas)) delete schemas[key];
  for (const [cls, group, kind] of roots) await model(cls, { group, version: 'v1', kind });
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1)));
  const paths = Object.fromEntries(
    roots.map(([cls, group, kind, resource, namespaced]) => readPath(cls, group, kind, resource, namespaced)),
  );
  return `${JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.2' }, paths, components: { schemas: sorted } }, null, 1)}\n`;
}

const here = dirname(new URL(import.meta.url).pathname);
await writeFile(
  join(here, 'api__v1.json'),
  await document([
    ['V1Pod', '', 'Pod', 'pods', true],
    ['V1Node', '', 'Node', 'nodes', false],
    ['V1Service', '', 'Service', 'services', true],
    ['V1Namespace', '', 'Namespace', 'namespaces', false],
    ['CoreV1Event', '', 'Event', 'events', true],
    ['V1ConfigMap', '', 'ConfigMap', 'configmaps', true],
    ['V1PersistentVolumeClaim', '', 'PersistentVolumeClaim', 'persistentvolumeclaims', true],
  ]),
);
await writeFile(
  join(here, 'apis__apps__v1.json'),
  await document([
    ['V1Deployment', 'apps', 'Deployment', 'deployments', true],
    ['V1DaemonSet', 'apps', 'DaemonSet', 'daemonsets', true],
    ['V1StatefulSet', 'apps', 'StatefulSet', 'statefulsets', true],
    ['V1ReplicaSet', 'apps', 'ReplicaSet', 'replicasets', true],
  ]),
);
