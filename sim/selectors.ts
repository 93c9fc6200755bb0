// Label and field selectors with the real apiserver's syntax and its list of selectable fields;
// an unsupported field is a 400, as on a real cluster.

import type { KubeObject } from './types.js';

type LabelOp = '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';
export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export class SelectorError extends Error {}

/** Splits on commas that are not inside parentheses: `a in (x,y),b` → ['a in (x,y)', 'b']. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

const SET_RE = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const EQ_RE = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/;

export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitTop(selector).map((term) => {
    const set = SET_RE.exec(term);
    if (set) {
      const values = set[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      return { key: set[1]!, op: set[2] as 'in' | 'notin', values };
    }
    const eq = EQ_RE.exec(term);
    if (eq) return { key: eq[1]!, op: eq[2] === '!=' ? '!=' : '=', values: [eq[3]!] };
    if (/^![^\s!=(),]+$/.test(term)) return { key: term.slice(1), op: '!exists', values: [] };
    if (/^[^\s!=(),]+$/.test(term)) return { key: term, op: 'exists', values: [] };
    throw new SelectorError(`unable to parse requirement: found '${term}', expected: identifier`);
  });
}

export function matchesLabels(
  reqs: readonly LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.op) {
      case '=':
        if (value !== r.values[0]) return false;
        break;
      case '!=':
        if (has && value === r.values[0]) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(value as string)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(value as string)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

export function parseFieldSelector(selector: string): FieldRequirement[] {
  return splitTop(selector).map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
    return { field: m[1]!.trim(), equal: m[2] !== '!=', value: m[3]!.trim() };
  });
}

type FieldGetter = (obj: KubeObject) => string;

function path(...keys: string[]): FieldGetter {
  return (obj) => {
    let cur: unknown = obj;
    for (const k of keys) {
      if (cur === null || typeof cur !== 'object') return '';
      cur = (cur as Record<string, unknown>)[k];
    }
    if (cur === undefined || cur === null) return '';
    return String(cur);
  };
}

const COMMON: Record<string, FieldGetter> = {
  'metadata.name': path('metadata', 'name'),
  'metadata.namespace': path('metadata', 'namespace'),
};

/** Selectable fields per resource, as the real registry strategies declare them. */
const FIELDS: Record<string, Record<string, FieldGetter>> = {
  pods: {
    'spec.nodeName': path('spec', 'nodeName'),
    'spec.restartPolicy': path('spec', 'restartPolicy'),
    'spec.schedulerName': path('spec', 'schedulerName'),
    'spec.serviceAccountName': path('spec', 'serviceAccountName'),
    'spec.hostNetwork': (o) =>
      String((o.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork === true),
    'status.phase': path('status', 'phase'),
    'status.podIP': path('status', 'podIP'),
    'status.nominatedNodeName': path('status', 'nominatedNodeName'),
  },
  events: {
    'involvedObject.kind': path('involvedObject', 'kind'),
    'involvedObject.namespace': path('involvedObject', 'namespace'),
    'involvedObject.name': path('involvedObject', 'name'),
    'involvedObject.uid': path('involvedObject', 'uid'),
    'involvedObject.apiVersion': path('involvedObject', 'apiVersion'),
    'involvedObject.resourceVersion': path('involvedObject', 'resourceVersion'),
    'involvedObject.fieldPath': path('involvedObject', 'fieldPath'),
    reason: path('reason'),
    reportingComponent: path('reportingComponent'),
    source: path('source', 'component'),
    type: path('type'),
  },
  nodes: {
    'spec.unschedulable': (o) =>
      String((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true),
  },
  namespaces: { 'status.phase': path('status', 'phase') },
  replicasets: { 'status.replicas': path('status', 'replicas') },
  jobs: { 'status.successful': path('status', 'succeeded') },
  persistentvolumes: { 'spec.storageClassName': path('spec', 'storageClassName') },
};

/** Returns a predicate, or throws SelectorError for a field the resource does not support. */
export function fieldMatcher(
  resource: string,
  reqs: readonly FieldRequirement[],
): (obj: KubeObject) => boolean {
  const specific = FIELDS[resource] ?? {};
  const checks = reqs.map((r) => {
    const get = COMMON[r.field] ?? specific[r.field];
    if (!get) throw new SelectorError(`field label not supported: ${r.field}`);
    return { get, r };
  });
  return (obj) => checks.every(({ get, r }) => (get(obj) === r.value) === r.equal);
}
