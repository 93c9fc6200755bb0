// GET /clusters/:id/self-check and `kubently doctor` attacked by the agent: its report is data from a cluster
// the gateway does not trust, so text in it that a terminal would act on (ESC sequences, C1 CSI, CR) reaches an
// admin's screen only as visible characters, in the table, CSV and JSON the doctor prints.

import test from 'ava';
import { OUTPUT_FORMATS, render } from '../cli/output.js';
import type { SelfCheckAnswer, SelfCheckReport } from '../common/self-check.js';
import { doctorAgentRows } from '../harness/doctor.js';
import { KEYS, startGatewayStack } from '../harness/gateway.js';

const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\rok';

const report: SelfCheckReport = {
  agent_id: `agent${HOSTILE}`,
  policy_preset: `troubleshoot${HOSTILE}`,
  access: [
    { verb: 'get', group: '', resource: `secrets${HOSTILE}`, expected: 'denied', allowed: true },
    { verb: 'list', group: '', resource: 'pods', expected: 'allowed', allowed: null, error: HOSTILE },
  ],
  rules: { namespace: `kubently${HOSTILE}`, incomplete: false, findings: [HOSTILE], error: HOSTILE },
  transport: { nats_tls: false, nats_server: `nats.example${HOSTILE}:4222`, credential_expires_at: null },
};

test('attack self-check - a report full of terminal controls is shown, never obeyed, by doctor', async (t) => {
  const s = await startGatewayStack(t, {
    clusters: ['c1'],
    redis: false,
    agents: { c1: (msg) => (msg.kind === 'self_check' ? { output: JSON.stringify(report) } : {}) },
  });
  const url = await s.app.listen({ host: '127.0.0.1', port: 0 });
  const answer = (await (
    await fetch(`${url}/clusters/c1/self-check`, { headers: { 'x-api-key': KEYS.admin } })
  ).json()) as SelfCheckAnswer;
  t.is(answer.status, 'success', 'the report is within its schema: the gateway passes it on as data');
  const rows = await doctorAgentRows(url);
  t.true(
    rows.some((r) => r.result === 'fail' && r.evidence.includes('secrets')),
    'doctor still fails it',
  );
  for (const format of OUTPUT_FORMATS) {
    const printed = render(
      format,
      rows,
      [
        { header: 'CHECK', value: (r) => r.check },
        { header: 'EVIDENCE', value: (r) => r.evidence },
      ],
      { checks: rows },
    );
    t.false(CONTROLS.test(printed.replace(/\n/g, '')), `${format}: ${JSON.stringify(printed.slice(0, 300))}`);
    t.true(printed.includes('pwned'), `${format} still shows the text`);
  }
});
