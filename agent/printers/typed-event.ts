// kubectl events prints typed core/v1 Events: Go's encoding/json writes struct fields in declaration
// order and drops `omitempty` zero values, while zero times print as null. Re-marshalling through
// this field table gives the same bytes whatever key order the apiserver used.

type Json = Record<string, unknown>;
/** [json name, kind]: 'omit' = omitempty scalar/pointer/map/slice; 'keep' = always; 'time' = null when zero; 'obj' = nested struct */
type Field = [string, 'omit' | 'keep' | 'time' | Field[]];

const objectMeta: Field[] = [
  ['name', 'omit'],
  ['generateName', 'omit'],
  ['namespace', 'omit'],
  ['selfLink', 'omit'],
  ['uid', 'omit'],
  ['resourceVersion', 'omit'],
  ['generation', 'omit'],
  ['creationTimestamp', 'time'],
  ['deletionTimestamp', 'omit'],
  ['deletionGracePeriodSeconds', 'omit'],
  ['labels', 'omit'],
  ['annotations', 'omit'],
  ['ownerReferences', 'omit'],
  ['finalizers', 'omit'],
  ['managedFields', 'omit'],
];
const objectReference: Field[] = [
  ['kind', 'omit'],
  ['namespace', 'omit'],
  ['name', 'omit'],
  ['uid', 'omit'],
  ['apiVersion', 'omit'],
  ['resourceVersion', 'omit'],
  ['fieldPath', 'omit'],
];
const event: Field[] = [
  ['kind', 'omit'],
  ['apiVersion', 'omit'],
  ['metadata', objectMeta],
  ['involvedObject', objectReference],
  ['reason', 'omit'],
  ['message', 'omit'],
  [
    'source',
    [
      ['component', 'omit'],
      ['host', 'omit'],
    ],
  ],
  ['firstTimestamp', 'time'],
  ['lastTimestamp', 'time'],
  ['count', 'omit'],
  ['type', 'omit'],
  ['eventTime', 'time'],
  ['series', 'omit'],
  ['action', 'omit'],
  ['related', 'omit'],
  ['reportingComponent', 'keep'],
  ['reportingInstance', 'keep'],
];

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value as object).length === 0;
}

function marshal(value: Json | undefined, fields: Field[]): Json {
  const out: Json = {};
  for (const [name, kind] of fields) {
    const v = value?.[name];
    if (Array.isArray(kind)) out[name] = marshal(v as Json | undefined, kind);
    else if (kind === 'time') out[name] = v || null;
    else if (kind === 'keep') out[name] = v ?? '';
    else if (!isEmpty(v)) out[name] = v;
  }
  return out;
}

export function typedEvent(e: object): Json {
  return marshal({ kind: 'Event', apiVersion: 'v1', ...(e as Json) }, event);
}
