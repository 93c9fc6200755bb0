// grep and max_output_bytes: the agent keeps what `kubectl … | { head -1; grep -iF … }` would, before the cut,
// on logs and table rows only; the agent checks them again (schema and applicability); REST takes them and
// the audit record names them.

import test from 'ava';
import { createRevalidator } from '../agent/revalidate.js';
import { grepLines } from '../common/command/output-view.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { PRESETS } from '../common/policy/index.js';
import { type CommandMessage, isCommandMessage, WIRE_VERSION } from '../common/wire.js';
import { eventually } from '../harness/eventually.js';
import { startGatewayStack } from '../harness/gateway.js';
import { kubectlFor } from '../harness/kubectl.js';
import { startSimWithExecutor } from '../harness/sim.js';

const WEB = 'web-7c5ddbdf54-2xkqp';
const CTX = { id: 'c1', clusterId: 'sim', identity: 'test', sessionId: null, timeoutMs: 20_000 };

/** What a shell pipe gives: the first line of each table, then the lines holding one of `strings`. */
function piped(stdout: string, strings: string[], header = true): string {
  const lines = stdout.split('\n').slice(0, -1);
  const kept = lines.filter(
    (line, i) =>
      (header && (i === 0 || lines[i - 1] === '')) ||
      (header && line === '') ||
      strings.some((s) => line.toLowerCase().includes(s.toLowerCase())),
  );
  return kept.length > 0 ? `${kept.join('\n')}\n` : '';
}

test('grepLines - fixed strings, case-insensitive; headers of each section kept; no regular expressions', (t) => {
  const table = 'NAME  READY\nweb-1  1/1\napi-1  0/1\n\nNAME  TYPE\nweb  ClusterIP\ndb  ClusterIP\n';
  t.is(grepLines(table, ['WEB'], true), 'NAME  READY\nweb-1  1/1\n\nNAME  TYPE\nweb  ClusterIP\n');
  t.is(grepLines(table, ['nothing'], true), 'NAME  READY\n\nNAME  TYPE\n');
  t.is(grepLines('a.c\nabc\n', ['a.c'], false), 'a.c\n', '. is a dot');
  t.is(grepLines('x(y\n(((((a*)*)*)*)*\n', ['(((((a*)*)*)*)*'], false), '(((((a*)*)*)*)*\n');
  t.is(grepLines('one\ntwo\nthre', ['t'], false), 'two\nthre', 'an unterminated last line is a line');
  t.is(grepLines('', ['x'], true), '');
  t.is(grepLines('a\n\nb\n', ['b'], false), 'b\n', 'logs keep no blank lines');
});

test('executor - grep on tables and logs keeps what kubectl piped through grep -iF keeps', async (t) => {
  const { kubeconfig, executor } = await startSimWithExecutor(t);
  const kubectl = await kubectlFor(t, kubeconfig);
  const cases: Array<{ line: string; grep: string[]; header: boolean }> = [
    { line: 'get pods -A', grep: ['crash', 'KUBE-PROXY'], header: true },
    { line: 'get svc,deploy', grep: ['web'], header: true },
    { line: 'get pods -o name', grep: ['web'], header: false },
    { line: 'get pods --no-headers', grep: ['api'], header: false },
    { line: 'events -A', grep: ['backoff'], header: true },
    { line: 'api-resources', grep: ['apps'], header: true },
    { line: `logs ${WEB}`, grep: ['GET'], header: false },
  ];
  for (const { line, grep, header } of cases) {
    const command = parseCommandRequest({ command: line, grep }, CTX);
    let same = false;
    for (let attempt = 0; attempt < 2 && !same; attempt++) {
      const [k, agent] = await Promise.all([
        kubectl(line.split(' ')),
        executor.execute(command, AbortSignal.timeout(20_000)),
      ]);
      same = agent.status === 'success' && agent.output === piped(k.stdout, grep, header);
      if (!same && attempt === 1) t.is(agent.output, piped(k.stdout, grep, header), line);
    }
    t.true(same, line);
    const kept = (await executor.execute(command, AbortSignal.timeout(20_000))).output;
    t.true(
      kept.split('\n').some((l) => grep.some((g) => l.toLowerCase().includes(g.toLowerCase()))),
      `${line}: some line matched`,
    );
    if (header) t.regex(kept, /^(NAME|NAMESPACE|LAST SEEN)/, `${line}: the header is kept`);
  }
});

test('executor - grep runs before the cut: a row past the requested cap is still found', async (t) => {
  const { executor } = await startSimWithExecutor(t);
  const all = await executor.execute(
    parseCommandRequest({ command: 'get pods -A' }, CTX),
    AbortSignal.timeout(20_000),
  );
  const lastRow = all.output.trimEnd().split('\n').at(-1) ?? '';
  const name = lastRow.split(/\s+/)[1] ?? '';
  t.true(Buffer.byteLength(all.output) > 600, 'the whole list is longer than the cap below');
  const cut = await executor.execute(
    parseCommandRequest({ command: 'get pods -A', max_output_bytes: 300 }, CTX),
    AbortSignal.timeout(20_000),
  );
  t.true(cut.truncated);
  t.false(cut.output.includes(name), 'without grep the last row is past the cap');
  const found = await executor.execute(
    parseCommandRequest({ command: 'get pods -A', max_output_bytes: 300, grep: [name] }, CTX),
    AbortSignal.timeout(20_000),
  );
  t.false(found.truncated);
  // Namespace and name, not the whole row: its AGE may have crossed a second since the first listing.
  const key = (row: string) => row.split(/\s+/).slice(0, 2).join(' ');
  t.true(
    found.output.split('\n').some((row) => key(row) === key(lastRow)),
    `the row of ${name} is kept`,
  );
  t.true(Buffer.byteLength(found.output) <= 300);
});

test('executor - max_output_bytes above the policy cap is capped by it', async (t) => {
  const { executor } = await startSimWithExecutor(t, { maxOutputBytes: 1024 });
  const out = await executor.execute(
    parseCommandRequest({ command: 'get pods -A -o yaml', max_output_bytes: 1 << 20 }, CTX),
    AbortSignal.timeout(20_000),
  );
  t.true(out.truncated);
  t.true(Buffer.byteLength(out.output) <= 1024);
});

function message(overrides: Partial<CommandMessage>): CommandMessage {
  return {
    v: WIRE_VERSION,
    id: 'm1',
    cluster_id: 'sim',
    argv: ['get', 'pods'],
    identity: 'test',
    session_id: null,
    deadline: Date.now() + 10_000,
    ...overrides,
  };
}

test('agent - checks grep and max_output_bytes in the message again: schema, then applicability', (t) => {
  t.true(isCommandMessage(message({ grep: ['web'], max_output_bytes: 4096 })));
  t.false(isCommandMessage(message({ grep: [] })), 'empty');
  t.false(isCommandMessage(message({ grep: ['\u001b[2J'] })), 'control characters');
  t.false(isCommandMessage(message({ grep: Array.from({ length: 17 }, () => 'x') })), 'too many');
  t.false(isCommandMessage(message({ grep: ['x'.repeat(257)] })), 'too long');
  t.false(isCommandMessage(message({ max_output_bytes: 10 })), 'below the floor');
  t.false(isCommandMessage(message({ max_output_bytes: 1.5 })), 'not an integer');

  const revalidate = createRevalidator(() => PRESETS.readOnly);
  const ok = revalidate(message({ grep: ['web'], max_output_bytes: 4096 }), Date.now());
  t.true(ok.allowed);
  if (ok.allowed) t.deepEqual(ok.command.view, { grep: ['web'], maxOutputBytes: 4096 });
  const json = revalidate(message({ argv: ['get', 'pods', '--output=json'], grep: ['web'] }), Date.now());
  t.false(json.allowed);
  t.is(json.rule, 'grep_not_applicable');
  const describe = revalidate(message({ argv: ['describe', 'pods'], grep: ['web'] }), Date.now());
  t.is(describe.rule, 'grep_not_applicable');
  const follow = revalidate(message({ argv: ['logs', 'web', '--follow'], grep: ['x'] }), Date.now());
  t.is(follow.rule, 'grep_not_applicable', 'a stream is not filtered: refused rather than ignored');
  const followCap = revalidate(
    message({ argv: ['logs', 'web', '--follow'], max_output_bytes: 4096 }),
    Date.now(),
  );
  t.is(followCap.rule, 'grep_not_applicable');
});

test('REST - /debug/execute takes grep and max_output_bytes, sends them to the agent and audits them', async (t) => {
  const s = await startGatewayStack(t, { redis: false });
  const res = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: s.as('alice'),
    payload: { cluster_id: 'c1', command: 'get pods', grep: ['web', 'API'], max_output_bytes: 2048 },
  });
  t.is(res.statusCode, 200, res.body);
  const sent = s.agents.c1?.received.at(-1);
  t.deepEqual(sent?.grep, ['web', 'API']);
  t.is(sent?.max_output_bytes, 2048);
  const executed = await eventually(t, () => s.captured.of('command_executed')[0], {
    message: 'the command_executed record',
  });
  t.like(executed.details, { grep: ['web', 'API'], max_output_bytes: 2048 });
  t.like(s.captured.of('command_attempt')[0]?.details, { grep: ['web', 'API'], max_output_bytes: 2048 });

  const json = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: s.as('alice'),
    payload: { cluster_id: 'c1', command: 'get pods -o json', grep: ['web'] },
  });
  t.is(json.statusCode, 400);
  t.like(json.json(), { error: 'invalid_command', details: { rule: 'grep_not_applicable' } });
  for (const bad of [{ grep: 'web' }, { grep: ['a\u0007'] }, { max_output_bytes: 0 }, { grep: [''] }]) {
    const r = await s.app.inject({
      method: 'POST',
      url: '/debug/execute',
      headers: s.as('alice'),
      payload: { cluster_id: 'c1', command: 'get pods', ...bad },
    });
    t.is(r.statusCode, 400, JSON.stringify(bad));
  }
  t.is(s.agents.c1?.received.length, 1, 'only the first command reached the agent');
});
