// Offline validation of rendered objects against the Kubernetes OpenAPI, in two layers:
// 1. strict structure: a JSON Schema per kind built from @kubernetes/client-node's model metadata
//    (generated from the Kubernetes OpenAPI) with additionalProperties: false, compiled by ajv —
//    catches misspelled or misplaced fields and wrong types, which the API server would drop or reject;
// 2. required fields and formats: the ajv validators shipped by kubernetes-models (also generated
//    from the Kubernetes OpenAPI), which know `required`, int32 ranges, quantities and enums.

import * as k8s from '@kubernetes/client-node';
import { Ajv, type ValidateFunction } from 'ajv';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import type { K8sObject } from './k8s-render.js';

interface Attribute {
  baseName: string;
  type: string;
}
type ModelClass = { attributeTypeMap: Attribute[] };
type Schema = Record<string, unknown>;

const modelsByGroup: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'networking.k8s.io/v1': networking,
  'policy/v1': policy,
  'rbac.authorization.k8s.io/v1': rbac,
};

function modelClass(name: string): ModelClass | undefined {
  const candidate = (k8s as unknown as Record<string, unknown>)[name];
  return typeof candidate === 'function' && 'attributeTypeMap' in candidate
    ? (candidate as unknown as ModelClass)
    : undefined;
}

/** JSON Schemas for every client-node model reachable from the kinds we render, keyed by model name. */
function strictDefinitions(roots: string[]): Record<string, Schema> {
  const defs: Record<string, Schema> = {};
  const schemaFor = (type: string): Schema => {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return { type: 'array', items: schemaFor(array[1]!) };
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) return { type: 'object', additionalProperties: schemaFor(map[1]!) };
    switch (type) {
      case 'string':
      case 'Date':
        return { type: 'string' };
      case 'number':
        return { type: 'number' };
      case 'boolean':
        return { type: 'boolean' };
      case 'IntOrString':
        return { type: ['string', 'integer'] };
      case 'any':
      case 'object':
        return {};
      default:
        define(type);
        return { $ref: `#/definitions/${type}` };
    }
  };
  const define = (name: string): void => {
    if (defs[name]) return;
    const model = modelClass(name);
    if (!model) throw new Error(`no client-node model named ${name}`);
    const properties: Record<string, Schema> = {};
    defs[name] = { type: 'object', properties, additionalProperties: false };
    for (const attr of model.attributeTypeMap) properties[attr.baseName] = schemaFor(attr.type);
  };
  for (const root of roots) define(root);
  return defs;
}

export type SchemaValidator = (obj: K8sObject) => string[];

/** Builds a validator for the built-in kinds of apiVersions listed in modelsByGroup. */
export function createSchemaValidator(): SchemaValidator {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const strictCache = new Map<string, ValidateFunction>();
  const strictFor = (kind: string): ValidateFunction => {
    let validate = strictCache.get(kind);
    if (!validate) {
      const root = `V1${kind}`;
      validate = ajv.compile({ definitions: strictDefinitions([root]), $ref: `#/definitions/${root}` });
      strictCache.set(kind, validate);
    }
    return validate;
  };

  const validatePrometheusRule = new Ajv({ allErrors: true, strict: false }).compile(PROMETHEUS_RULE_SCHEMA);
  return (obj) => {
    if (obj.apiVersion === 'monitoring.coreos.com/v1' && obj.kind === 'PrometheusRule') {
      if (validatePrometheusRule(obj)) return [];
      return (validatePrometheusRule.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    }
    const models = modelsByGroup[obj.apiVersion];
    const Model = models?.[obj.kind] as (new (data: unknown) => { validate(): void }) | undefined;
    if (!Model) return [`${obj.apiVersion} ${obj.kind} has no schema here`];
    const problems: string[] = [];
    const strict = strictFor(obj.kind);
    if (!strict(obj)) {
      for (const e of strict.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
        problems.push(`${e.instancePath || '/'} ${e.message}${extra}`);
      }
    }
    try {
      new Model(obj).validate();
    } catch (err) {
      const errors = (err as { errors?: { instancePath: string; message?: string }[] }).errors;
      if (!errors) throw err;
      for (const e of errors) problems.push(`${e.instancePath || '/'} ${e.message}`);
    }
    return problems;
  };
}

/**
 * The prometheus-operator CRD's shape for the fields Kubently uses (no CRD schema ships in an npm
 * package here); promtool checks the rules themselves in test/audit-prometheus-rules.test.ts.
 */
const PROMETHEUS_RULE_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'PrometheusRule' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
      additionalProperties: false,
    },
    spec: {
      type: 'object',
      required: ['groups'],
      additionalProperties: false,
      properties: {
        groups: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['name', 'rules'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1 },
              interval: { type: 'string', pattern: '^[0-9]+(ms|s|m|h)$' },
              rules: {
                type: 'array',
                minItems: 1,
                items: {
                  type: 'object',
                  required: ['expr'],
                  additionalProperties: false,
                  oneOf: [{ required: ['alert'] }, { required: ['record'] }],
                  properties: {
                    alert: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]*$' },
                    record: { type: 'string' },
                    expr: { type: 'string', minLength: 1 },
                    for: { type: 'string', pattern: '^[0-9]+(ms|s|m|h|d)$' },
                    labels: { type: 'object', additionalProperties: { type: 'string' } },
                    annotations: { type: 'object', additionalProperties: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
