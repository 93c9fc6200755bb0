// JSON Schema of a policy file, compiled once. Semantic checks (resource names, secrets, default ≤ max)
// happen in compile.ts, which knows the resource catalog.

import { Ajv, type ErrorObject } from 'ajv';
import { VERBS } from '../command/types.js';
import { GLOB_PATTERN } from './glob.js';
import { type PolicyDocument, PRESET_NAMES } from './types.js';

const globList = {
  type: 'array',
  items: { type: 'string', pattern: GLOB_PATTERN, maxLength: 253 },
  maxItems: 10_000,
};

const bounds = (maximum: number) => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    default: { type: 'integer', minimum: 1, maximum },
    max: { type: 'integer', minimum: 1, maximum },
  },
});

const layerProperties = {
  verbs: { type: 'array', items: { enum: [...VERBS] }, uniqueItems: true },
  resources: {
    type: 'object',
    propertyNames: { enum: [...VERBS] },
    additionalProperties: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 253 },
      uniqueItems: true,
    },
  },
  namespaces: {
    type: 'object',
    additionalProperties: false,
    properties: { allow: globList, deny: globList },
  },
  identities: {
    type: 'object',
    propertyNames: { pattern: GLOB_PATTERN, maxLength: 253 },
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      properties: { clusters: globList, namespaces: globList },
    },
  },
  customResources: {
    type: 'object',
    additionalProperties: false,
    properties: {
      groups: {
        type: 'array',
        items: { type: 'string', pattern: '^[a-z0-9*?.-]+$', maxLength: 253 },
        uniqueItems: true,
        maxItems: 1000,
      },
    },
  },
  configMaps: { enum: [true] },
  limits: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxOutputBytes: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024 },
      logTail: bounds(1_000_000),
      timeoutSeconds: bounds(3600),
      stream: {
        type: 'object',
        additionalProperties: false,
        properties: {
          maxSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
          maxBytes: { type: 'integer', minimum: 1024, maximum: 1024 * 1024 * 1024 },
        },
      },
    },
  },
};

const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,63}$' },
    description: { type: 'string', maxLength: 1000 },
    extends: { enum: [...PRESET_NAMES] },
    ...layerProperties,
    clusters: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' },
      additionalProperties: { type: 'object', additionalProperties: false, properties: layerProperties },
    },
  },
};

const validate = new Ajv({ allErrors: false, strict: true }).compile<PolicyDocument>(policySchema);

/** Returns undefined when valid, else the first error with its JSON pointer. */
export function schemaError(value: unknown): ErrorObject | undefined {
  if (validate(value)) return undefined;
  return validate.errors?.[0];
}
