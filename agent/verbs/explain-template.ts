// kubectl 1.32's explain output (k8s.io/kubectl/pkg/explain/v2/templates/plaintext.tmpl) over an
// OpenAPI v3 group-version document. Each function below is one `define` of that Go template and
// keeps its logic as written there, including Go's notion of truth (an empty map or list is false)
// and the order it walks `properties` (sorted keys, as Go ranges over a map), so output is the same.

import { indent, wordWrap } from './explain-wrap.js';

type Schema = Record<string, unknown>;

export interface ExplainGvr {
  group: string;
  version: string;
  resource: string;
}

export interface ExplainRequest {
  /** The parsed /openapi/v3/<gv> document. */
  document: Schema;
  gvr: ExplainGvr;
  /** Field path below the kind, e.g. ['spec', 'containers']. */
  fieldPath: readonly string[];
  recursive: boolean;
}

/** stdout as kubectl writes it, and its stderr message when it fails (stdout is then partial). */
export interface ExplainRendering {
  output: string;
  error: string | null;
}

/** A `throw` in the template: kubectl prints the message and exits 1, keeping what it wrote so far. */
class TemplateThrow extends Error {}

/** Go template truth: false, 0, "", nil and empty maps and lists are false. */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v !== '';
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function asSchema(v: unknown): Schema | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Schema) : undefined;
}

const sortedKeys = (o: Schema): string[] => Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** A map-valued additionalProperties (a bool one means "anything" and has no fields). */
function mapValues(s: Schema): Schema | undefined {
  const ap = s.additionalProperties;
  return truthy(ap) && typeof ap !== 'boolean' ? asSchema(ap) : undefined;
}

/** The template's resolveRef: only same-document fragments (`#/components/schemas/X`) resolve. */
function resolveRef(ref: unknown, document: Schema): Schema | undefined {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
  let cur: Schema = document;
  for (const raw of ref.slice(1).split('/')) {
    if (raw === '') continue;
    const next = asSchema(cur[decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')]);
    if (!next) return undefined;
    cur = next;
  }
  return cur;
}

/** `or (resolveRef $ref $.Document) $.schema` */
function resolvedOr(schema: Schema, document: Schema): Schema {
  const resolved = resolveRef(schema.$ref, document);
  return truthy(resolved) ? (resolved as Schema) : schema;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.hasOwn(b, k) && deepEqual((a as Schema)[k], (b as Record<string, unknown>)[k]),
  );
}

/** fmt's %v for the JSON values an enum or a GVK can hold. */
function goValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return goFloat(v);
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  const o = v as Schema;
  return `map[${sortedKeys(o)
    .map((k) => `${k}:${goValue(o[k])}`)
    .join(' ')}]`;
}

/** %v of a float64 (JSON numbers decode to float64): shortest digits, 1e+06 style from 10^6 up. */
function goFloat(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = v.toExponential().split('e');
  const exp = Number(expText);
  // strconv's %g with shortest precision switches to exponent form when exp < -4 || exp >= 6.
  if (exp < -4 || exp >= 6) {
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${exp < 0 ? '-' : '+'}${digits}`;
  }
  return String(v);
}

function typeGuess(schema: unknown, document: Schema): string {
  const s = asSchema(schema);
  if (!s || !truthy(s)) throw new Error("expected schema argument to subtemplate 'typeguess'");
  if (truthy(s.items)) return `[]${typeGuess(s.items, document)}`;
  const values = mapValues(s);
  if (values) return `map[string]${typeGuess(values, document)}`;
  if (truthy(s.allOf) && !truthy(s.properties) && Array.isArray(s.allOf) && s.allOf.length === 1)
    return typeGuess(s.allOf[0], document);
  const ref = s.$ref;
  if (truthy(ref)) {
    const target = resolveRef(ref, document);
    if (!truthy(target) || !truthy(target?.type) || target?.type === 'object') {
      const name = String(ref).split('/').at(-1) ?? '';
      return name.split('.').at(-1) || 'Object';
    }
    return goValue(target?.type);
  }
  if (s.type === 'object') return 'Object';
  return truthy(s.type) ? goValue(s.type) : 'Object';
}

/** One line `enum: a, b, c, d, ....` under a field, or the `ENUM:` block of a FIELD header. */
function extractEnum(schema: Schema, longView: boolean, limit: number, indentAmount = 0): string {
  const values = schema.enum;
  if (!truthy(values) || !Array.isArray(values)) return '';
  let out = longView ? 'ENUM:' : `\n${indent(indentAmount, '')}enum: `;
  for (const [i, value] of values.entries()) {
    if (limit > -1 && i >= limit) {
      out += ', ....';
      break;
    }
    if (i > 0 && !longView) out += ', ';
    else if (longView) out += `\n${indent(4, '')}`;
    out += value === '' ? '""' : goValue(value);
  }
  return out;
}

function description(schema: Schema, document: Schema): string {
  const s = resolvedOr(schema, document);
  if (!truthy(s)) return '';
  let out = truthy(s.description) ? `${goValue(s.description)}\n` : '';
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) out += description(asSchema(sub) ?? {}, document);
  if (truthy(s.items)) out += description(asSchema(s.items) ?? {}, document);
  const values = mapValues(s);
  if (values) out += description(values, document);
  return out;
}

/** The EXTERNAL DOCS block; the top-level and the per-field templates indent it differently. */
function externalDocs(schema: Schema, headerIndent: number, bodyIndent: number, width: number): string {
  const docs = asSchema(schema.externalDocs);
  if (!docs || !truthy(docs)) return '';
  let out = `${indent(headerIndent, 'EXTERNAL DOCS:')}\n`;
  if (truthy(docs.description)) out += `${indent(bodyIndent, wordWrap(goValue(docs.description), width))}\n`;
  if (truthy(docs.url)) out += `${indent(bodyIndent, `URL: ${goValue(docs.url)}`)}\n`;
  return out;
}

function fieldDetail(parent: Schema, name: string, short: boolean, level: number, document: Schema): string {
  const amount = level * 2;
  const properties = asSchema(parent.properties) ?? {};
  const field = asSchema(properties[name]) ?? {};
  let out = `${indent(amount, name)}\t<${typeGuess(field, document)}>`;
  if (Array.isArray(parent.required) && parent.required.includes(name)) out += ' -required-';
  out += `${extractEnum(field, false, 4, amount)}\n`;
  if (short) return out;
  const text = truthy(field.description) ? goValue(field.description) : '<no description>';
  out += `${indent(amount + 2, wordWrap(text, 78 - amount))}\n`;
  if (truthy(field.externalDocs)) out += `\n${externalDocs(field, amount + 2, amount + 4, 76 - amount)}`;
  return `${out}\n`;
}

function fieldList(
  schema: Schema,
  level: number,
  recursive: boolean,
  history: ReadonlySet<string>,
  document: Schema,
): string {
  const ref = truthy(schema.$ref) ? String(schema.$ref) : '';
  if (ref && history.has(ref)) return '';
  const next = new Set(history).add(ref);
  const resolved = resolvedOr(schema, document);
  let out = '';
  const properties = asSchema(resolved.properties);
  if (properties) {
    for (const name of sortedKeys(properties)) {
      out += fieldDetail(resolved, name, recursive, level, document);
      if (recursive) out += fieldList(asSchema(properties[name]) ?? {}, level + 1, recursive, next, document);
    }
  }
  if (Array.isArray(resolved.allOf))
    for (const sub of resolved.allOf) out += fieldList(asSchema(sub) ?? {}, level, recursive, next, document);
  if (truthy(resolved.items))
    out += fieldList(asSchema(resolved.items) ?? {}, level, recursive, next, document);
  const values = mapValues(resolved);
  if (values) out += fieldList(values, level, recursive, next, document);
  return out;
}

/** Follows the field path; at its end prints DESCRIPTION and FIELDS. '' when the path leads nowhere. */
function output(
  schema: Schema,
  fieldPath: readonly string[],
  history: ReadonlySet<string>,
  recursive: boolean,
  document: Schema,
): string {
  const ref = truthy(schema.$ref) ? String(schema.$ref) : '';
  const next = new Set(history).add(ref);
  const resolved = resolvedOr(schema, document);
  if (fieldPath.length === 0) {
    const text = description(resolved, document) || '<empty>';
    let out = `DESCRIPTION:\n${indent(4, wordWrap(text, 76))}\n`;
    const docs = externalDocs(resolved, 0, 4, 76);
    if (docs) out += `\n${docs}`;
    const fields = fieldList(resolved, 1, recursive, new Set(), document);
    if (fields) out += `FIELDS:\n${fields}`;
    return out;
  }
  if (ref && history.has(ref)) return '';
  const [name = '', ...rest] = fieldPath;
  const properties = asSchema(resolved.properties);
  const property = properties ? asSchema(properties[name]) : undefined;
  if (property && truthy(property)) {
    let out = '';
    if (rest.length === 0) {
      out += `FIELD: ${name} <${typeGuess(property, document)}>\n`;
      out += `${extractEnum(property, true, -1)}\n\n`;
    }
    return out + output(property, rest, new Set(), recursive, document);
  }
  if (truthy(resolved.items))
    return output(asSchema(resolved.items) ?? {}, fieldPath, next, recursive, document);
  const values = mapValues(resolved);
  if (values) return output(values, fieldPath, next, recursive, document);
  if (Array.isArray(resolved.allOf)) {
    for (const sub of resolved.allOf) {
      const found = output(asSchema(sub) ?? {}, fieldPath, next, recursive, document);
      if (found) return found;
    }
  }
  return '';
}

/** The GVK that the resource's operations declare, searched as the template searches paths. */
function findGvk(document: Schema, gvr: ExplainGvr): unknown {
  const prefix = gvr.group ? `/apis/${gvr.group}` : '/api';
  const base = `${prefix}/${gvr.version}`;
  const searchPaths = [
    `${base}/${gvr.resource}`,
    `${base}/${gvr.resource}/{name}`,
    `${base}/namespaces/{namespace}/${gvr.resource}`,
    `${base}/namespaces/{namespace}/${gvr.resource}/{name}`,
  ];
  const paths = asSchema(document.paths) ?? {};
  let gvk: unknown;
  for (const searchPath of searchPaths) {
    const element = paths[searchPath];
    if (!truthy(element)) continue;
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const operation = asSchema(element)?.[method];
      if (!truthy(operation)) continue;
      // `with $gvk = ...` assigns before it tests, so an operation without a GVK clears it.
      gvk = asSchema(operation)?.['x-kubernetes-group-version-kind'];
      if (truthy(gvk)) break;
    }
  }
  return gvk;
}

export function renderExplain(request: ExplainRequest): ExplainRendering {
  const { document, gvr, fieldPath, recursive } = request;
  let out = '';
  try {
    const gvk = asSchema(findGvk(document, gvr));
    if (!gvk || !truthy(gvk)) {
      const gvrText = `${gvr.group}/${gvr.version}, Resource=${gvr.resource}`;
      throw new TemplateThrow(`error: GVR (${gvrText}) not found in OpenAPI schema`);
    }
    if (truthy(gvk.group)) out += `GROUP:      ${goValue(gvk.group)}\n`;
    out += `KIND:       ${goValue(gvk.kind)}\nVERSION:    ${goValue(gvk.version)}\n\n`;
    const schemas = asSchema(asSchema(document.components)?.schemas) ?? {};
    let body = '';
    for (const key of sortedKeys(schemas)) {
      const schema = asSchema(schemas[key]);
      const kinds = schema?.['x-kubernetes-group-version-kind'];
      if (!schema || !Array.isArray(kinds) || !kinds.some((k) => deepEqual(k, gvk))) continue;
      body = output(schema, fieldPath, new Set(), recursive, document);
      if (!body) throw new TemplateThrow(`error: field "${fieldPath.at(-1) ?? ''}" does not exist`);
      break;
    }
    if (!body) throw new TemplateThrow(`error: GVK ${goValue(gvk)} not found in OpenAPI schema`);
    return { output: `${out}${body}\n`, error: null };
  } catch (err) {
    if (err instanceof TemplateThrow) return { output: out, error: err.message };
    throw err;
  }
}
