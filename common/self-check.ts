// The agent's self-check: what its own ServiceAccount may do in the cluster (asked through
// SelfSubjectAccessReview and SelfSubjectRulesReview, which persist and change nothing) and how it is connected.
// The gateway asks for it with a command message of kind `self_check` (GET /clusters/:id/self-check); the
// agent answers with this report as the result's output. `kubently doctor` judges it.

import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';

/** What a ServiceAccount that only reads must never be allowed: Secrets in any form, and every kind of write. */
export const FORBIDDEN_ACCESS = [
  { verb: 'get', group: '', resource: 'secrets' },
  { verb: 'list', group: '', resource: 'secrets' },
  { verb: 'watch', group: '', resource: 'secrets' },
  { verb: 'create', group: '', resource: 'pods' },
  { verb: 'delete', group: '', resource: 'pods' },
  { verb: 'create', group: '', resource: 'pods/exec' },
  { verb: 'patch', group: 'apps', resource: 'deployments' },
  { verb: 'update', group: '', resource: 'configmaps' },
  { verb: 'delete', group: '', resource: 'namespaces' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  { verb: 'impersonate', group: '', resource: 'users' },
] as const;

/** The most access reviews one self-check makes: forbidden ones plus what the preset reads. */
export const MAX_ACCESS_REVIEWS = 64;
/** Verbs that change something; a rule granting one of them (or `*`) is a finding. */
export const WRITE_VERBS = [
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'escalate',
  'bind',
  'impersonate',
  '*',
];

const accessSchema = {
  type: 'object',
  required: ['verb', 'group', 'resource', 'expected', 'allowed'],
  additionalProperties: false,
  properties: {
    verb: { type: 'string', maxLength: 32 },
    group: { type: 'string', maxLength: 253 },
    resource: { type: 'string', maxLength: 253 },
    /** What a correctly deployed agent gets: 'allowed' (its preset reads it) or 'denied'. */
    expected: { type: 'string', enum: ['allowed', 'denied'] },
    /** status.allowed of the SelfSubjectAccessReview; null when the review itself failed. */
    allowed: { type: ['boolean', 'null'] },
    error: { type: 'string', maxLength: 512 },
  },
} as const;

export const selfCheckReportSchema = {
  $id: 'SelfCheckReport',
  type: 'object',
  required: ['agent_id', 'policy_preset', 'access', 'rules', 'transport'],
  additionalProperties: false,
  properties: {
    agent_id: { type: 'string', maxLength: 253 },
    policy_preset: { type: 'string', maxLength: 64 },
    access: { type: 'array', maxItems: MAX_ACCESS_REVIEWS, items: accessSchema },
    /** The SelfSubjectRulesReview of one namespace: rules that grant Secrets or a write. */
    rules: {
      type: 'object',
      required: ['namespace', 'incomplete', 'findings'],
      additionalProperties: false,
      properties: {
        namespace: { type: 'string', maxLength: 63 },
        /** The apiserver could not list every rule (webhook authorizers): the findings may be partial. */
        incomplete: { type: 'boolean' },
        findings: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 512 } },
        error: { type: 'string', maxLength: 512 },
      },
    },
    transport: {
      type: 'object',
      required: ['nats_tls', 'nats_server', 'credential_expires_at'],
      additionalProperties: false,
      properties: {
        /** The agent's NATS connection is encrypted (TLS negotiated with the server). */
        nats_tls: { type: 'boolean' },
        /** host:port of the NATS server it is connected to. */
        nats_server: { type: 'string', maxLength: 300 },
        /** ISO 8601 expiry of its NATS credential (the user JWT's exp); null: it never expires. */
        credential_expires_at: { type: ['string', 'null'], maxLength: 40 },
      },
    },
  },
} as const;
export type SelfCheckReport = FromSchema<typeof selfCheckReportSchema>;
export type AccessReview = SelfCheckReport['access'][number];

const { $id: _id, ...reportSchema } = selfCheckReportSchema;

/** GET /clusters/:id/self-check's answer: the agent's report, or why there is none. */
export const selfCheckAnswerSchema = {
  type: 'object',
  required: ['cluster_id', 'command_id', 'status', 'agent_id', 'report', 'error'],
  additionalProperties: false,
  properties: {
    cluster_id: { type: 'string' },
    command_id: { type: 'string' },
    status: { type: 'string', enum: ['success', 'failure'] },
    agent_id: { type: ['string', 'null'] },
    report: { anyOf: [reportSchema, { type: 'null' }] },
    error: {
      type: ['string', 'null'],
      description: 'Why there is no report: the agent failed or answered out of shape',
    },
  },
} as const;
export type SelfCheckAnswer = FromSchema<typeof selfCheckAnswerSchema>;

const ajv = new Ajv({ allErrors: false, strict: true });
/** True when `value` is a well-formed report: the gateway passes nothing else of an agent's answer on. */
export const isSelfCheckReport = ajv.compile<SelfCheckReport>(selfCheckReportSchema);
