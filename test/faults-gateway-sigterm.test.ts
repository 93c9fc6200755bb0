// The gateway process gets SIGTERM under load: requests already in flight finish with their result,
// later ones are refused cleanly (connection refused, or 503 while it closes), nothing hangs, and the
// process exits 0.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { tempDir } from '../harness/audit.js';
import { eventually, scaled } from '../harness/eventually.js';
import { provision, startNats } from '../harness/nats-server.js';
import { FAULT_API_KEY, FAULT_CLUSTER, startProcessStack } from '../harness/process-stack.js';

const CLUSTER = FAULT_CLUSTER;
const API_KEY = FAULT_API_KEY;
/** Each command's time in the agent: long enough that all are surely in flight at the signal. */
const AGENT_DELAY_MS = scaled(2_000);
const IN_FLIGHT = 12;
/** The gateway's SHUTDOWN_GRACE_MS: in-flight requests have this long, then their connections close. */
const GRACE_MS = scaled(10_000);
/** How long a request may take at most, and how long the process may take to exit after its grace. */
const SETTLE_MS = scaled(20_000);

interface Outcome {
  sentAt: number;
  status: number | 'refused' | 'closed';
  detail?: string;
}

test('gateway sigterm - in-flight requests finish, new ones are refused cleanly, nothing hangs', async (t) => {
  t.timeout(scaled(120_000));
  const record = join(await tempDir(t), 'executions');
  const server = await startNats(t, { clusters: [CLUSTER] });
  await provision(t, server, [CLUSTER]);
  // Every command takes AGENT_DELAY_MS in the agent, so requests are surely in flight at the signal.
  const { gateway, base } = await startProcessStack(t, {
    natsUrl: server.url,
    gatewayCreds: server.creds.gateway,
    agentToken: server.agentCreds[CLUSTER]!,
    agentArgs: ['--executor', 'instant', '--delay-ms', String(AGENT_DELAY_MS), '--record', record],
    gatewayEnv: { SHUTDOWN_GRACE_MS: String(GRACE_MS) },
  });
  let exited = false;
  void gateway.exited.then(() => {
    exited = true;
  });

  const send = async (): Promise<Outcome> => {
    const sentAt = Date.now();
    try {
      const res = await fetch(`${base}/debug/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ cluster_id: CLUSTER, command: 'get pods' }),
        signal: AbortSignal.timeout(SETTLE_MS),
      });
      const body = (await res.json()) as { status?: string; error?: string };
      return { sentAt, status: res.status, detail: body.status ?? body.error };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      if (cause?.code === 'ECONNREFUSED') return { sentAt, status: 'refused' };
      // A keep-alive socket the closing server ends before answering: the request never reached a handler.
      if (cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET')
        return { sentAt, status: 'closed', detail: cause.code };
      return { sentAt, status: 0 as never, detail: (err as Error).message };
    }
  };

  const inFlight = Array.from({ length: IN_FLIGHT }, send);
  // All of them have reached the agent (which holds each for AGENT_DELAY_MS): they are in flight now.
  await eventually(
    t,
    async () =>
      (await readFile(record, 'utf8').catch(() => '')).split('\n').filter(Boolean).length >= IN_FLIGHT,
    { message: `the agent started all ${IN_FLIGHT} commands` },
  );
  const signalledAt = Date.now();
  gateway.child.kill('SIGTERM');
  // New requests keep coming while it drains, and after it is gone.
  const later: Promise<Outcome>[] = [];
  const exitBy = Date.now() + GRACE_MS + SETTLE_MS;
  while (!exited && Date.now() < exitBy) {
    later.push(send());
    await new Promise((r) => setTimeout(r, 25));
  }
  for (let i = 0; i < 3; i++) later.push(send());
  const first = await Promise.all(inFlight);
  const rest = await Promise.all(later);
  const exit = exited ? await gateway.exited : 'still running';
  t.log(
    `after SIGTERM: ${JSON.stringify(rest.map((o) => o.status))}; exit ${exit} ${Date.now() - signalledAt} ms after the signal`,
  );

  t.deepEqual(
    first.map((o) => `${o.status} ${o.detail}`),
    Array(IN_FLIGHT).fill('200 success'),
    'requests in flight at the signal get their result',
  );
  for (const o of rest) {
    t.true(
      o.status === 'refused' || o.status === 'closed' || o.status === 503 || o.status === 200,
      `a clean answer, got ${o.status} ${o.detail}`,
    );
  }
  t.true(
    rest.some((o) => o.status !== 200),
    'requests after the signal are refused',
  );
  t.is(exit, 0, 'the gateway exits 0 after draining');
});
