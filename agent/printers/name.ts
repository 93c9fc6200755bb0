// kubectl -o name: `<kind>[.<group>]/<name>`, lower-cased, one line per object.

export interface NamedObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
}

/** `pod`, `deployment.apps`: schema.GroupKind.String() lower-cased, the prefix kubectl prints. */
export function kindPrefix(kind: string, group: string): string {
  return (group ? `${kind}.${group}` : kind).toLowerCase();
}

export function groupOf(apiVersion: string | undefined): string {
  const slash = (apiVersion ?? '').indexOf('/');
  return slash < 0 ? '' : (apiVersion ?? '').slice(0, slash);
}

export function printNames(objects: readonly NamedObject[]): string {
  let out = '';
  for (const o of objects)
    out += `${kindPrefix(o.kind ?? '', groupOf(o.apiVersion))}/${o.metadata?.name ?? ''}\n`;
  return out;
}
