// What a troubleshooting session reads beyond pods and deployments: a Job that failed after its backoff,
// disruption budgets (one blocking a drain), ingress and priority classes, cert-manager's Certificate CRD
// with instances (one not Ready), and Events about them, one of whose messages carries terminal control
// sequences that a printer must show, never obey.

import { type Clock, meta } from './fixture-builders.js';
import { event } from './fixtures-events.js';
import type { KubeObject } from './types.js';

const DAY = 86_400;

/** The Certificate CRD's spec, which the sim's table printer for certificates reads too. */
export const CERTIFICATE_CRD_SPEC = {
  group: 'cert-manager.io',
  names: {
    plural: 'certificates',
    singular: 'certificate',
    kind: 'Certificate',
    listKind: 'CertificateList',
    shortNames: ['cert', 'certs'],
    categories: ['cert-manager'],
  },
  scope: 'Namespaced',
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      subresources: { status: {} },
      additionalPrinterColumns: [
        { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
        { jsonPath: '.spec.secretName', name: 'Secret', type: 'string' },
        { jsonPath: '.spec.issuerRef.name', name: 'Issuer', priority: 1, type: 'string' },
        {
          jsonPath: '.status.conditions[?(@.type=="Ready")].message',
          name: 'Status',
          priority: 1,
          type: 'string',
        },
        {
          description:
            'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
          jsonPath: '.metadata.creationTimestamp',
          name: 'Age',
          type: 'date',
        },
      ],
      schema: {
        openAPIV3Schema: {
          description:
            'A Certificate resource should be created to ensure an up to date and signed X.509 certificate is stored in the Kubernetes Secret resource named in `spec.secretName`.',
          type: 'object',
          required: ['spec'],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            metadata: { type: 'object' },
            spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
    },
  ],
};

function certificate(
  clock: Clock,
  name: string,
  namespace: string,
  dnsNames: string[],
  ready: { status: 'True' | 'False'; reason: string; message: string },
  createdAgo: number,
): KubeObject {
  const at = clock.ago(createdAgo - 30);
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: meta('Certificate', name, namespace, clock.ago(createdAgo), { generation: 1 }),
    spec: {
      dnsNames,
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' },
      secretName: name,
    },
    status: {
      conditions: [
        {
          lastTransitionTime: at,
          message: ready.message,
          observedGeneration: 1,
          reason: ready.reason,
          status: ready.status,
          type: 'Ready',
        },
      ],
      ...(ready.status === 'True'
        ? {
            notAfter: clock.ago(-60 * DAY),
            notBefore: clock.ago(30 * DAY),
            renewalTime: clock.ago(-30 * DAY),
            revision: 1,
          }
        : { failedIssuanceAttempts: 3, lastFailureTime: clock.ago(600) }),
    },
  };
}

/** Objects by resource, to merge into the default fixtures (jobs and events add to theirs). */
export function troubleshooting(clock: Clock): Record<string, KubeObject[]> {
  const crdAt = clock.ago(60 * DAY);
  return {
    jobs: [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: meta('Job', 'report-generator', 'default', clock.ago(2 * 3600), {
          labels: { app: 'reports', 'job-name': 'report-generator' },
        }),
        spec: {
          parallelism: 1,
          completions: 1,
          backoffLimit: 2,
          completionMode: 'NonIndexed',
          suspend: false,
          selector: {
            matchLabels: { 'batch.kubernetes.io/controller-uid': 'c0ffee00-0000-4000-a000-000000000002' },
          },
          template: {
            metadata: { labels: { app: 'reports', 'job-name': 'report-generator' } },
            spec: {
              containers: [
                {
                  name: 'report',
                  image: 'registry.example.com/shop/reports:1.3.0',
                  command: ['/bin/report', '--since=24h'],
                },
              ],
              restartPolicy: 'Never',
            },
          },
        },
        status: {
          conditions: [
            {
              type: 'FailureTarget',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
              lastProbeTime: clock.ago(2 * 3600 - 300),
              lastTransitionTime: clock.ago(2 * 3600 - 300),
            },
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
              lastProbeTime: clock.ago(2 * 3600 - 300),
              lastTransitionTime: clock.ago(2 * 3600 - 300),
            },
          ],
          startTime: clock.ago(2 * 3600),
          failed: 3,
          terminating: 0,
          ready: 0,
        },
      },
    ],
    poddisruptionbudgets: [
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta('PodDisruptionBudget', 'web', 'default', clock.ago(12 * DAY), { generation: 1 }),
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
        status: {
          observedGeneration: 1,
          disruptionsAllowed: 1,
          currentHealthy: 2,
          desiredHealthy: 1,
          expectedPods: 2,
          conditions: [
            {
              type: 'DisruptionAllowed',
              status: 'True',
              reason: 'SufficientPods',
              message: '',
              observedGeneration: 1,
              lastTransitionTime: clock.ago(12 * DAY),
            },
          ],
        },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta('PodDisruptionBudget', 'postgres', 'payments', clock.ago(20 * DAY), { generation: 1 }),
        spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'postgres' } } },
        status: {
          observedGeneration: 1,
          disruptionsAllowed: 0,
          currentHealthy: 1,
          desiredHealthy: 1,
          expectedPods: 1,
          conditions: [
            {
              type: 'DisruptionAllowed',
              status: 'False',
              reason: 'InsufficientPods',
              message: '',
              observedGeneration: 1,
              lastTransitionTime: clock.ago(20 * DAY),
            },
          ],
        },
      },
    ],
    // Rules that kubectl's describe breaks down, merges and sorts: several verbs, groups, resource
    // names and non-resource URLs, and a binding of every subject kind.
    clusterroles: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: meta('ClusterRole', 'troubleshooter', undefined, clock.ago(12 * DAY), {
          labels: { 'app.kubernetes.io/part-of': 'oncall' },
        }),
        rules: [
          { apiGroups: ['', 'apps'], resources: ['pods', 'deployments'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
          { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list', 'get'] },
          {
            apiGroups: [''],
            resources: ['configmaps'],
            resourceNames: ['web-config', 'coredns'],
            verbs: ['get'],
          },
          { nonResourceURLs: ['/healthz', '/metrics'], verbs: ['get'] },
          { apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list'] },
        ],
      },
    ],
    clusterrolebindings: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: meta('ClusterRoleBinding', 'oncall-troubleshooters', undefined, clock.ago(12 * DAY)),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'troubleshooter' },
        subjects: [
          { kind: 'Group', name: 'oncall', apiGroup: 'rbac.authorization.k8s.io' },
          { kind: 'User', name: 'ada@example.com', apiGroup: 'rbac.authorization.k8s.io' },
          { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' },
        ],
      },
    ],
    ingressclasses: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: meta('IngressClass', 'nginx', undefined, clock.ago(40 * DAY), {
          annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
        }),
        spec: { controller: 'k8s.io/ingress-nginx' },
      },
    ],
    priorityclasses: [
      {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: meta('PriorityClass', 'batch-low', undefined, clock.ago(12 * DAY)),
        value: 100,
        globalDefault: false,
        preemptionPolicy: 'Never',
        description: 'Reports and other batch work that may wait.',
      },
      ...(
        [
          ['system-cluster-critical', 2_000_000_000],
          ['system-node-critical', 2_000_001_000],
        ] as const
      ).map(([name, value]) => ({
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: meta('PriorityClass', name, undefined, clock.ago(90 * DAY)),
        value,
        globalDefault: false,
        preemptionPolicy: 'PreemptLowerPriority',
        description: 'Used for system critical pods that must not be moved from their current node.',
      })),
    ],
    customresourcedefinitions: [
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: meta('CustomResourceDefinition', 'certificates.cert-manager.io', undefined, crdAt, {
          generation: 1,
          labels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/version': 'v1.16.2' },
        }),
        spec: { ...CERTIFICATE_CRD_SPEC, conversion: { strategy: 'None' } },
        status: {
          acceptedNames: CERTIFICATE_CRD_SPEC.names,
          conditions: [
            {
              type: 'NamesAccepted',
              status: 'True',
              reason: 'NoConflicts',
              message: 'no conflicts found',
              lastTransitionTime: crdAt,
            },
            {
              type: 'Established',
              status: 'True',
              reason: 'InitialNamesAccepted',
              message: 'the initial names have been accepted',
              lastTransitionTime: crdAt,
            },
          ],
          storedVersions: ['v1'],
        },
      },
    ],
    certificates: [
      certificate(
        clock,
        'web-tls',
        'default',
        ['shop.example.com', 'www.shop.example.com'],
        { status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' },
        30 * DAY,
      ),
      certificate(
        clock,
        'ledger-export-tls',
        'payments',
        ['ledger.example.com'],
        {
          status: 'False',
          reason: 'Failed',
          message: 'The certificate request has failed to complete and will be retried: ACME order failed',
        },
        2 * DAY,
      ),
    ],
    events: [
      event(
        {
          object: { kind: 'Job', name: 'report-generator', namespace: 'default', apiVersion: 'batch/v1' },
          type: 'Warning',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
          source: { component: 'job-controller' },
          firstAgo: 2 * 3600 - 300,
        },
        clock,
      ),
      event(
        {
          object: {
            kind: 'Certificate',
            name: 'ledger-export-tls',
            namespace: 'payments',
            apiVersion: 'cert-manager.io/v1',
          },
          type: 'Warning',
          reason: 'Failed',
          // What an ACME server's error text may carry into an Event: a clear-screen, a title change, a
          // carriage return that would hide the text before it and a colour. kubectl escapes ESC and CR
          // (^[ and \r), so its output and the agent's stay byte-identical; other C0/C1 characters, which
          // the agent escapes beyond kubectl, are covered by test/terminal-escape.test.ts.
          message:
            'The certificate request failed: \u001b[2J\u001b]0;owned\u001b\\order rejected\r\u001b[31mcheck DNS',
          source: { component: 'cert-manager-certificates-issuing' },
          count: 3,
          firstAgo: 1800,
          lastAgo: 600,
        },
        clock,
      ),
    ],
  };
}
