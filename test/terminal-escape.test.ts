// Terminal control sequences from a cluster or a client are shown, never obeyed: every verb's output but
// `logs` escapes C0 and C1 controls as kubectl does (ESC as ^[, CR as \r, the rest likewise), audit records
// are escaped when made, and correlation_id / user_id take printable characters only.

import test from 'ava';
import { toAuditRecord } from '../common/audit/events.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { escapeJsonControls, escapeTerminal, isTerminalSafe } from '../common/terminal.js';
import { startGatewayStack } from '../harness/gateway.js';
import { startSimWithExecutor } from '../harness/sim.js';
import { defaultFixtures } from '../sim/fixtures.js';

const EVIL_REASON = 'Pwned\u001b]0;owned window\u0007';
const EVIL_MESSAGE = 'ok\r\u001b[2Kall good \u009b31mred\u0085end';

test('terminal - escapes C0 and C1 controls, keeps newline and tab, and is idempotent', (t) => {
  t.is(escapeTerminal('a\u001b[31mb'), 'a^[[31mb');
  t.is(escapeTerminal('a\rb'), 'a\\rb');
  t.is(escapeTerminal('bell\u0007 del\u007f'), 'bell^G del^?');
  t.is(escapeTerminal('csi\u009b1m nel\u0085'), 'csi\\u009b1m nel\\u0085');
  t.is(escapeTerminal('line\n\tnext'), 'line\n\tnext');
  const once = escapeTerminal(EVIL_MESSAGE);
  t.true(isTerminalSafe(once));
  t.is(escapeTerminal(once), once);
  const json = JSON.stringify({ m: EVIL_MESSAGE });
  t.deepEqual(JSON.parse(escapeJsonControls(json)), { m: EVIL_MESSAGE }, 'JSON keeps its value');
  t.true(isTerminalSafe(escapeJsonControls(json)));
});

test('terminal - an Event carrying escape sequences reaches no verb raw; logs stay byte-exact', async (t) => {
  const now = Date.now();
  const fixtures = defaultFixtures(now);
  const template = fixtures.objects.events?.find((e) => e.metadata.namespace === 'default');
  if (!template) throw new Error('no event in namespace default');
  fixtures.objects.events?.push({
    ...structuredClone(template),
    metadata: { ...template.metadata, name: 'evil.1', uid: 'evil-1' },
    reason: EVIL_REASON,
    message: EVIL_MESSAGE,
  });
  // A container that logs an escape sequence: the API returns it byte for byte (the CLI escapes on a TTY).
  const [logKey, logs] = Object.entries(fixtures.logs).find(([k]) => k.startsWith('default/')) ?? [];
  if (!logKey || !logs) throw new Error('no log in namespace default');
  logs.current.push({ time: new Date(now).toISOString(), text: `colour \u001b[31mred\u001b[0m\u009b` });
  const [, logPod, logContainer] = logKey.split('/');
  const involved = (template as { involvedObject?: { kind?: string; name?: string } }).involvedObject;
  const { executor } = await startSimWithExecutor(t, { maxOutputBytes: 4 << 20 }, { fixtures });
  const lines = ['events', 'get events', 'get events -o json', 'get events -o yaml', 'events -o json'];
  if (involved?.kind === 'Pod' && involved.name) lines.push(`describe pod ${involved.name}`);
  for (const line of lines) {
    const command = parseCommandRequest(
      { command: line },
      { id: 'e', clusterId: 'c', identity: 'i', sessionId: null, timeoutMs: 10_000 },
    );
    const result = await executor.execute(command, AbortSignal.timeout(10_000));
    if (line.endsWith('-o yaml')) {
      // C1 controls reach go-yaml's reader raw (encoding/json leaves them): kubectl -o yaml fails, and so does the agent.
      t.is(result.status, 'failure', line);
      t.is(result.error, 'error: yaml: control characters are not allowed');
      t.is(result.output, '');
      continue;
    }
    t.is(result.status, 'success', `${line}: ${result.error}`);
    t.true(isTerminalSafe(result.output), `${line} prints a raw control character`);
    t.true(result.output.includes('Pwned'), `${line} still shows the event`);
    if (line.endsWith('-o json')) {
      const items = JSON.parse(result.output).items as { reason?: string }[];
      t.true(
        items.some((e) => e.reason === EVIL_REASON),
        `${line}: the JSON value is unchanged`,
      );
    }
  }
  const logsCommand = parseCommandRequest(
    { command: `logs ${logPod} -c ${logContainer} --tail 1` },
    { id: 'l', clusterId: 'c', identity: 'i', sessionId: null, timeoutMs: 10_000 },
  );
  const logsResult = await executor.execute(logsCommand, AbortSignal.timeout(10_000));
  t.is(logsResult.status, 'success', logsResult.error ?? '');
  t.true(logsResult.output.includes('colour \u001b[31mred\u001b[0m\u009b'), logsResult.output);
});

test('terminal - audit records hold no control character, whatever the request carried', (t) => {
  const record = toAuditRecord({
    event_type: 'authentication_failure',
    source_ip: '10.0.0.1',
    details: { reason: 'invalid_api_key', user_agent: 'curl\u009b2J\u001b]0;x\u0007', nested: ['\r'] },
  });
  const line = JSON.stringify(record);
  t.true(isTerminalSafe(line));
  t.false(line.includes('\\u001b'), 'not even as a JSON escape a viewer would decode');
  t.is(record.details.user_agent, 'curl\\u009b2J^[]0;x^G');
});

test('terminal - correlation_id and user_id with control characters are refused with 400', async (t) => {
  const s = await startGatewayStack(t, { agents: {} });
  for (const body of [
    { cluster_id: 'c1', user_id: 'alice\u009b31m' },
    { cluster_id: 'c1', correlation_id: 'req\u001b[2J' },
    { cluster_id: 'c1', correlation_id: 'a\rb' },
  ]) {
    const res = await s.app.inject({
      method: 'POST',
      url: '/debug/session',
      headers: s.as('alice'),
      payload: body,
    });
    t.is(res.statusCode, 400, JSON.stringify(body));
  }
  const execute = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: s.as('alice'),
    payload: { cluster_id: 'c1', command: 'get pods', correlation_id: 'x\u0007' },
  });
  t.is(execute.statusCode, 400);
  const fine = await s.app.inject({
    method: 'POST',
    url: '/debug/session',
    headers: s.as('alice'),
    payload: { cluster_id: 'c1', user_id: 'alice@example.com', correlation_id: 'ticket 42 — é' },
  });
  t.is(fine.statusCode, 201, fine.body);
});
