// An agent process for the benchmarks and fault tests, wired like agent/main.ts (config from the
// environment, the real command loop and heartbeat, the agent's own policy check) with a choice of
// executor: `--executor kube` (default) runs the real in-process executor against KUBECONFIG;
// `--executor instant` answers at once without any Kubernetes call, which isolates command delivery.
// `--record <file>` appends one line per executed command id (fault tests count executions with it).

import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { loadAgentConfig } from '../agent/config.js';
import { createExecutor } from '../agent/executor.js';
import type { CommandExecutor } from '../agent/executor-types.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import { createRevalidator } from '../agent/revalidate.js';
import { startAgentService } from '../agent/service.js';
import { createLogger } from '../common/logger.js';
import { connectNats } from '../common/nats-connect.js';
import { maxOutputBytes, PRESETS, presetName } from '../common/policy/index.js';
import { agentInboxPrefix } from '../common/subjects.js';

const { values: flags } = parseArgs({
  options: {
    executor: { type: 'string', default: 'kube' },
    record: { type: 'string' },
    'delay-ms': { type: 'string', default: '0' },
  },
});

const config = loadAgentConfig(process.env);
const log = createLogger({ level: config.logLevel, name: 'agent' });
const policy = PRESETS.readOnly;
const delayMs = Number(flags['delay-ms']);

const nc = await connectNats({
  servers: config.nats.servers,
  name: `kubently-agent-${config.clusterId}`,
  user: config.nats.user,
  pass: config.nats.pass,
  inboxPrefix: agentInboxPrefix(config.clusterId),
  log: log.child({ component: 'nats' }),
});

let inner: CommandExecutor;
let closeKube = () => {};
if (flags.executor === 'instant') {
  inner = { execute: async () => ({ status: 'success', output: 'ok', error: null, truncated: false }) };
} else {
  const access = await loadKubeAccess({
    inCluster: false,
    kubeconfigPath: config.kubeconfig,
    context: config.kubeContext,
  });
  const kube = await createKubeClient(access);
  closeKube = () => kube.close();
  inner = createExecutor({
    kube,
    log: log.child({ component: 'executor' }),
    limits: { maxOutputBytes: maxOutputBytes(policy, config.clusterId) },
  });
}
const recordFile = flags.record;
const executor: CommandExecutor = {
  async execute(command, signal) {
    // Written when execution starts: a command killed mid-way still counts as executed once.
    if (recordFile) appendFileSync(recordFile, `${command.id} ${config.agentId}\n`);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return inner.execute(command, signal);
  },
};

const service = await startAgentService({
  nc,
  js: jetstream(nc),
  log,
  clusterId: config.clusterId,
  agentId: config.agentId,
  executor,
  revalidate: createRevalidator(() => policy),
  policyPreset: () => presetName(policy),
  maxInFlight: config.maxInFlight,
  heartbeatIntervalMs: config.heartbeatIntervalMs,
});
log.info({ clusterId: config.clusterId, agentId: config.agentId, executor: flags.executor }, 'agent ready');

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await service.stop(config.shutdownGraceMs);
    closeKube();
    await nc.drain();
    process.exit(0);
  })();
});
