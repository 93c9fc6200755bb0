import test from 'ava';
import { encodeResult } from '../agent/command-loop.js';
import { apiErrorFrom } from '../agent/kube-client.js';
import { limitOutput, utf8Prefix } from '../agent/output-limit.js';
import { REDACTED, redactObject } from '../agent/redact.js';
import { PRESETS } from '../common/policy/index.js';
import { DEFAULT_MAX_OUTPUT_BYTES } from '../common/policy/presets.js';
import { decodeJson, NATS_MAX_PAYLOAD_BYTES, type ResultMessage, WIRE_VERSION } from '../common/wire.js';

test('redact - a Secret inside a List loses its data and stringData values, keeps its keys', (t) => {
  const list = redactObject({
    kind: 'List',
    items: [
      {
        kind: 'Secret',
        metadata: { name: 's' },
        data: { password: 'aHVudGVyMg==' },
        stringData: { token: 'x' },
      },
      { kind: 'Pod', metadata: { name: 'p' } },
    ],
  });
  t.deepEqual(list.items[0]?.data, { password: REDACTED });
  t.deepEqual(list.items[0]?.stringData, { token: REDACTED });
  t.deepEqual(list.items[1], { kind: 'Pod', metadata: { name: 'p' } });
});

test('redact - last-applied-configuration of a Secret is redacted, of other kinds kept verbatim', (t) => {
  const secretApplied =
    '{"apiVersion":"v1","data":{"key":"c2VjcmV0"},"kind":"Secret","metadata":{"name":"s"}}\n';
  const podApplied = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}\n';
  const a = redactObject({
    kind: 'Pod',
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': secretApplied } },
  });
  const applied = a.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
  t.false(applied.includes('c2VjcmV0'));
  t.deepEqual(JSON.parse(applied).data, { key: REDACTED });
  const b = redactObject({
    kind: 'Pod',
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': podApplied } },
  });
  t.is(b.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], podApplied);
});

test('redact - token-looking annotations are redacted, secretKeyRef references stay references', (t) => {
  const jwt = `eyJhbGciOiJSUzI1NiJ9.${'eyJzdWIiOiJzeXN0ZW0ifQ'}.c2lnbmF0dXJlc2lnbmF0dXJl`;
  const pod = redactObject({
    kind: 'Pod',
    metadata: { annotations: { 'example.com/api-token': 'abc', note: `use ${jwt} here`, plain: 'hello' } },
    spec: {
      containers: [{ env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }],
    },
  });
  t.is(pod.metadata.annotations['example.com/api-token'], REDACTED);
  t.is(pod.metadata.annotations.note, `use ${REDACTED} here`);
  t.is(pod.metadata.annotations.plain, 'hello');
  t.deepEqual(pod.spec.containers[0]?.env[0]?.valueFrom, { secretKeyRef: { name: 'db', key: 'password' } });
});

test('output limit - cuts on a UTF-8 character boundary and says it was cut', (t) => {
  t.is(utf8Prefix('aé', 2), 'a');
  t.is(utf8Prefix('a😀b', 4), 'a');
  const text = '€'.repeat(1000);
  const limited = limitOutput(text, 200);
  t.true(limited.truncated);
  t.true(Buffer.byteLength(limited.text) <= 200);
  t.true(limited.text.includes('output truncated at 200 bytes'));
  t.false(limited.text.includes('\uFFFD'));
  t.deepEqual(limitOutput('short', 200), { text: 'short', truncated: false });
});

test("output limit - output at the presets' limit fits one NATS message whole, JSON escaping and envelope included", (t) => {
  t.is(PRESETS.strict.limits.maxOutputBytes, DEFAULT_MAX_OUTPUT_BYTES);
  t.is(PRESETS.readOnly.limits.maxOutputBytes, DEFAULT_MAX_OUTPUT_BYTES);
  // Structured (JSON) log lines: about a fifth of their characters are quotes that JSON escapes.
  const line =
    '{"level":"info","ts":"2024-01-20T10:30:45.123Z","msg":"GET /healthz","status":200,"path":"/x"}\n';
  const text = line.repeat(Math.ceil((2 * DEFAULT_MAX_OUTPUT_BYTES) / line.length));
  const limited = limitOutput(text, DEFAULT_MAX_OUTPUT_BYTES);
  t.true(limited.truncated);
  const message: ResultMessage = {
    v: WIRE_VERSION,
    command_id: 'x'.repeat(64),
    cluster_id: 'c'.repeat(63),
    session_id: 's'.repeat(64),
    status: 'success',
    output: limited.text,
    error: null,
    execution_time_ms: 123_456,
    executed_at: new Date().toISOString(),
    truncated: true,
    agent_id: 'kubently-agent-7d9f8c6b5-abcde',
  };
  const encoded = encodeResult(message, NATS_MAX_PAYLOAD_BYTES);
  t.true(encoded.length <= NATS_MAX_PAYLOAD_BYTES);
  t.is(decodeJson<ResultMessage>(encoded).output, limited.text, 'not cut a second time');
});

test('api errors - a 403 names the missing permission, others print as kubectl does', (t) => {
  const forbidden = JSON.stringify({
    kind: 'Status',
    reason: 'Forbidden',
    message: 'pods is forbidden: User "x" cannot list resource "pods"',
  });
  t.is(
    apiErrorFrom(403, forbidden, '/api/v1/namespaces/shop/pods').text,
    'the agent is not allowed to list pods in namespace "shop" (RBAC): pods is forbidden: User "x" cannot list resource "pods"',
  );
  t.is(
    apiErrorFrom(403, forbidden, '/apis/apps/v1/deployments/x').text.startsWith(
      'the agent is not allowed to get deployments (RBAC)',
    ),
    true,
  );
  const notFound = JSON.stringify({ kind: 'Status', reason: 'NotFound', message: 'pods "x" not found' });
  t.is(
    apiErrorFrom(404, notFound, '/api/v1/namespaces/default/pods/x').text,
    'Error from server (NotFound): pods "x" not found',
  );
  t.is(
    apiErrorFrom(500, 'oops', '/api').text,
    'error: the server responded with the status code 500 but did not return more information',
  );
});
