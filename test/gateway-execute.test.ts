import test from 'ava';
import { startGatewayStack } from './helpers/gateway.js';

test('execute - relays an allowed command to the agent and answers with its result', async (t) => {
  const s = await startGatewayStack(t);
  const res = await s.app.inject({
    method: 'POST',
    url: '/debug/execute',
    headers: s.as('alice'),
    payload: { cluster_id: 'c1', command_type: 'get', args: ['pods'], namespace: 'default' },
  });
  t.is(res.statusCode, 200, res.body);
  const body = res.json();
  t.is(body.status, 'success');
  t.is(body.cluster_id, 'c1');
  t.regex(body.output, /^ok get pods/);
  t.is(s.agents.c1!.received[0]!.id, body.command_id);
});
