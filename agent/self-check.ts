// The agent's answer to a `self_check` command: what its own ServiceAccount may do, asked of the apiserver
// with SelfSubjectAccessReview (one per verb and resource) and SelfSubjectRulesReview (one namespace), both
// of which are evaluated and discarded by the apiserver (nothing is stored or changed); and how the agent
// reaches NATS (TLS, the credential's expiry). The report's shape is common/self-check.ts.

import * as http from 'node:http';
import * as https from 'node:https';
import { decode } from '@nats-io/jwt';
import type { NatsConnection } from '@nats-io/nats-core';
import { type Policy, policyForCluster } from '../common/policy/index.js';
import { RESOURCE_TYPES } from '../common/resources.js';
import {
  type AccessReview,
  FORBIDDEN_ACCESS,
  MAX_ACCESS_REVIEWS,
  type SelfCheckReport,
  WRITE_VERBS,
} from '../common/self-check.js';
import type { KubeAccess } from './kube-access.js';

/** The two review kinds the agent may create; the only requests it ever sends that are not GETs. */
export type SelfReviewKind = 'selfsubjectaccessreviews' | 'selfsubjectrulesreviews';

/** POSTs one review object and returns the apiserver's answer (the review with its `status`). */
export type SelfReview = (kind: SelfReviewKind, body: object, signal?: AbortSignal) => Promise<unknown>;

/** A review answer is a few KiB; a larger one is not read. */
const MAX_REVIEW_BYTES = 1 << 20;
/** The namespace whose rules SelfSubjectRulesReview lists (rules are per namespace; cluster roles show in all). */
export const RULES_NAMESPACE = 'default';

/** SelfReview over the agent's own Kubernetes access (same server, TLS and credentials as its reads). */
export function createSelfReview(access: KubeAccess): SelfReview {
  const base = new URL(access.server);
  const isHttps = base.protocol === 'https:';
  const { tls } = access;
  return async (kind, body, signal) => {
    const url = new URL(`${base.pathname.replace(/\/$/, '')}/apis/authorization.k8s.io/v1/${kind}`, base);
    const payload = JSON.stringify(body);
    const headers = {
      ...(await access.authHeaders()),
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': 'kubently-agent',
      'Content-Length': String(Buffer.byteLength(payload)),
    };
    const options = isHttps
      ? {
          method: 'POST',
          headers,
          signal,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          servername: tls.servername,
          rejectUnauthorized: !tls.skipTLSVerify,
        }
      : { method: 'POST', headers, signal };
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = (isHttps ? https : http).request(url, options, resolve);
      req.once('error', reject);
      req.end(payload);
    });
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_REVIEW_BYTES) {
        res.destroy();
        throw new Error(`the ${kind} answer is larger than ${MAX_REVIEW_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if ((res.statusCode ?? 0) >= 300)
      throw new Error(`${kind}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  };
}

/** What the preset reads, as (list, group, resource): the agent must be allowed these. */
export function neededAccess(
  policy: Policy,
  clusterId: string,
): { verb: string; group: string; resource: string }[] {
  const p = policyForCluster(policy, clusterId);
  const needed: { verb: string; group: string; resource: string }[] = [];
  const readable = new Set<string>();
  for (const verb of ['get', 'describe'] as const) {
    const rule = p.resources.get(verb);
    if (rule && rule !== 'any') for (const r of rule) readable.add(r);
  }
  for (const type of RESOURCE_TYPES) {
    if (readable.has(type.resource))
      needed.push({ verb: 'list', group: type.group, resource: type.resource });
  }
  if (p.verbs.has('logs')) needed.push({ verb: 'get', group: '', resource: 'pods/log' });
  return needed;
}

async function accessReview(
  review: SelfReview,
  probe: { verb: string; group: string; resource: string },
  expected: AccessReview['expected'],
  signal?: AbortSignal,
): Promise<AccessReview> {
  const [resource, subresource] = probe.resource.split('/');
  try {
    const answer = (await review(
      'selfsubjectaccessreviews',
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        // No namespace: the question is "in every namespace", which a namespaced Role cannot answer yes to.
        spec: {
          resourceAttributes: {
            verb: probe.verb,
            group: probe.group,
            resource,
            ...(subresource ? { subresource } : {}),
          },
        },
      },
      signal,
    )) as { status?: { allowed?: unknown } };
    return { ...probe, expected, allowed: answer.status?.allowed === true };
  } catch (err) {
    return { ...probe, expected, allowed: null, error: (err as Error).message.slice(0, 500) };
  }
}

interface ResourceRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
}

const SELF_REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews']);

/** system:basic-user's rule, which every authenticated user has: creating the self reviews, which store nothing. */
function isSelfReviewRule(r: ResourceRule): boolean {
  return (
    (r.verbs ?? []).every((v) => v === 'create') &&
    (r.resources ?? []).length > 0 &&
    (r.resources ?? []).every((x) => SELF_REVIEWS.has(x)) &&
    (r.apiGroups ?? []).every((g) => g === 'authorization.k8s.io' || g === 'authentication.k8s.io')
  );
}

/** Rules that grant a read of Secrets or any write, as one line each (the self-review rule aside). */
export function ruleFindings(rules: readonly ResourceRule[]): string[] {
  const findings: string[] = [];
  for (const r of rules) {
    if (isSelfReviewRule(r)) continue;
    const verbs = r.verbs ?? [];
    const resources = r.resources ?? [];
    const describe = `${verbs.join(',')} on ${resources.join(',')} (groups ${(r.apiGroups ?? []).map((g) => g || '""').join(',')})`;
    const secrets = resources.some((x) => x === 'secrets' || x === '*');
    const reads = verbs.some((v) => v === 'get' || v === 'list' || v === 'watch' || v === '*');
    if (secrets && reads) findings.push(`reads secrets: ${describe}`);
    else if (verbs.some((v) => WRITE_VERBS.includes(v))) findings.push(`writes: ${describe}`);
    if (findings.length >= 64) break;
  }
  return findings;
}

async function rulesReview(review: SelfReview, signal?: AbortSignal): Promise<SelfCheckReport['rules']> {
  try {
    const answer = (await review(
      'selfsubjectrulesreviews',
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        spec: { namespace: RULES_NAMESPACE },
      },
      signal,
    )) as { status?: { resourceRules?: ResourceRule[]; incomplete?: boolean } };
    const rules = Array.isArray(answer.status?.resourceRules) ? answer.status.resourceRules : [];
    return {
      namespace: RULES_NAMESPACE,
      incomplete: answer.status?.incomplete === true,
      findings: ruleFindings(rules),
    };
  } catch (err) {
    return {
      namespace: RULES_NAMESPACE,
      incomplete: true,
      findings: [],
      error: (err as Error).message.slice(0, 500),
    };
  }
}

/** The expiry of a NATS user credential (creds file text or a bare JWT): ISO time, or null when it never expires. */
export function credentialExpiry(creds: string | undefined): string | null {
  if (!creds) return null;
  const jwt = /-----BEGIN NATS USER JWT-----\s*([\w.-]+)\s*------END/.exec(creds)?.[1] ?? creds.trim();
  try {
    const exp = decode(jwt).exp;
    return typeof exp === 'number' && exp > 0 ? new Date(exp * 1000).toISOString() : null;
  } catch {
    return null;
  }
}

/** Whether the connection to the server is encrypted: nats.js keeps it on the transport, not the interface. */
function natsEncrypted(nc: NatsConnection): boolean {
  const transport = (nc as unknown as { protocol?: { transport?: { isEncrypted?: () => boolean } } }).protocol
    ?.transport;
  return transport?.isEncrypted?.() === true;
}

export interface SelfCheckDeps {
  review: SelfReview;
  nc: NatsConnection;
  policy: () => Policy;
  clusterId: string;
  agentId: string;
  /** The agent's NATS credential as it was last read (creds text). */
  credentials: () => string | undefined;
}

/** Runs every review (sequentially: at most MAX_ACCESS_REVIEWS small requests) and builds the report. */
export async function runSelfCheck(deps: SelfCheckDeps, signal?: AbortSignal): Promise<SelfCheckReport> {
  const policy = deps.policy();
  const probes = [
    ...FORBIDDEN_ACCESS.map((p) => ({ probe: p, expected: 'denied' as const })),
    ...neededAccess(policy, deps.clusterId).map((p) => ({ probe: p, expected: 'allowed' as const })),
  ].slice(0, MAX_ACCESS_REVIEWS);
  const access: AccessReview[] = [];
  for (const { probe, expected } of probes)
    access.push(await accessReview(deps.review, probe, expected, signal));
  return {
    agent_id: deps.agentId,
    policy_preset: policy.preset ?? 'custom',
    access,
    rules: await rulesReview(deps.review, signal),
    transport: {
      nats_tls: natsEncrypted(deps.nc),
      nats_server: deps.nc.getServer().slice(0, 300),
      credential_expires_at: credentialExpiry(deps.credentials()),
    },
  };
}
