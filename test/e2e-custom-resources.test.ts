// Custom resources across the whole path: the gateway's parse-based check lets a bare name through, and a
// real agent (agent/start.ts with its own POLICY_FILE) resolves it through discovery and judges the group
// it found with its own policy, reloaded without a restart.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import test from 'ava';
import { createLogger } from '../common/logger.js';
import { checkCommand, parsePolicy } from '../common/policy/index.js';
import { createAgentTracker } from '../gateway/agent-tracker.js';
import { createRelay } from '../gateway/relay.js';
import { eventually } from '../harness/eventually.js';
import { connectAs, provision, startNats } from '../harness/nats-server.js';
import { startRealAgent } from '../harness/real-agent.js';
import { startSim, writeKubeconfig } from '../harness/sim.js';

const log = createLogger({ level: 'silent' });

const GATEWAY_POLICY = parsePolicy(
  'extends: troubleshoot\ncustomResources:\n  groups: [cert-manager.io, "*.example.com"]\n',
  'gateway.yaml',
);
const agentPolicy = (groups: string) => `extends: troubleshoot\ncustomResources:\n  groups: [${groups}]\n`;

test('e2e custom resources - the agent judges the group discovery names, by its own reloaded policy', async (t) => {
  const clusterId = 'crs';
  const nats = await startNats(t, { clusters: [clusterId] });
  await provision(t, nats, [clusterId]);
  const sim = await startSim(t);
  const dir = await mkdtemp(join(tmpdir(), 'kubently-crs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const policyFile = join(dir, 'policy.yaml');
  await writeFile(policyFile, agentPolicy('"*.example.com"'));
  await startRealAgent(t, nats, clusterId, await writeKubeconfig(t, sim.url), { POLICY_FILE: policyFile });
  const gatewayNc = await connectAs(t, nats, 'gateway');
  const tracker = createAgentTracker({ nc: gatewayNc, log });
  t.teardown(() => tracker.close());
  const relay = createRelay({ nc: gatewayNc, js: jetstream(gatewayNc), log });
  t.teardown(() => relay.close());
  await eventually(t, () => tracker.isConnected(clusterId), { message: 'the real agent is connected' });

  let n = 0;
  const send = async (line: string) => {
    const decision = checkCommand(
      GATEWAY_POLICY,
      { command: line },
      { id: `crs-${++n}`, clusterId, identity: 'oncall', sessionId: null, timeoutMs: 10_000 },
    );
    if (!decision.allowed) throw new Error(`the gateway refused ${line}: ${decision.rule}`);
    return relay.send(decision.command);
  };

  // The gateway cannot place `cert`; the agent finds cert-manager.io, which its policy does not allow.
  const bare = await send('get cert -A');
  t.is(bare.status, 'denied');
  t.regex(bare.error ?? '', /cert-manager\.io.*agent policy rule custom_group_not_allowed/);
  // Typed with its group, the agent's own parse and policy refuse it before anything is read.
  const typed = await send('get certificates.cert-manager.io -A');
  t.is(typed.status, 'denied');
  t.regex(typed.error ?? '', /custom_group_not_allowed/);
  t.false(
    sim.log.some((r) => r.path.includes('/certificates')),
    'no certificate was read while the agent forbade the group',
  );

  // The cluster's owner opens the group: the same commands run, and print the CRD's columns.
  await writeFile(policyFile, agentPolicy('cert-manager.io, "*.example.com"'));
  const opened = await eventually(
    t,
    async () => {
      const r = await send('get cert -A');
      return r.status === 'success' ? r : null;
    },
    { message: 'the reloaded agent policy allows cert-manager.io' },
  );
  t.regex(opened.output, /^NAMESPACE\s+NAME\s+READY\s+SECRET\s+AGE\n/);
  t.regex(opened.output, /payments\s+ledger-export-tls\s+False\s+ledger-export-tls/);
  t.is((await send('describe certificates.cert-manager.io web-tls')).status, 'success');
});
