// The agent process: read config, connect to NATS with this cluster's token, load the policy and the
// Kubernetes client, run the command loop until SIGTERM.

import { readFile } from 'node:fs/promises';
import { jetstream } from '@nats-io/jetstream';
import { createLogger } from '../common/logger.js';
import { connectNats } from '../common/nats-connect.js';
import { natsPassword } from '../common/nats-options.js';
import { type Policy, PRESETS, parsePolicy, policyForCluster } from '../common/policy/index.js';
import { watchPolicyFile } from '../common/policy/watch.js';
import { agentInboxPrefix } from '../common/subjects.js';
import { loadAgentConfig } from './config.js';
import { createExecutor, type ExecutorLimits } from './executor.js';
import { loadKubeAccess } from './kube-access.js';
import { createKubeClient } from './kube-client.js';
import { createRevalidator } from './revalidate.js';
import { startAgentService } from './service.js';

function limitsOf(policy: Policy, clusterId: string): ExecutorLimits {
  const { limits } = policyForCluster(policy, clusterId);
  return {
    maxOutputBytes: limits.maxOutputBytes,
    defaultLogTail: limits.logTailDefault,
    maxLogTail: limits.logTailMax,
  };
}

async function main(): Promise<void> {
  const config = loadAgentConfig(process.env);
  const log = createLogger({ level: config.logLevel, name: 'agent' }).child({
    clusterId: config.clusterId,
    agentId: config.agentId,
  });

  const policyText = config.policyFile ? await readFile(config.policyFile, 'utf8') : undefined;
  let policy: Policy =
    config.policyFile && policyText !== undefined
      ? parsePolicy(policyText, config.policyFile)
      : PRESETS.readOnly;
  const limits = limitsOf(policy, config.clusterId);
  const policyWatcher = config.policyFile
    ? watchPolicyFile(
        config.policyFile,
        (next) => {
          policy = next;
          Object.assign(limits, limitsOf(next, config.clusterId));
        },
        log,
        { initialText: policyText },
      )
    : undefined;

  const access = await loadKubeAccess({
    inCluster: config.inCluster,
    kubeconfigPath: config.kubeconfig,
    context: config.kubeContext,
    serviceHost: config.serviceHost,
    servicePort: config.servicePort,
  });
  const kube = await createKubeClient(access, { maxSockets: config.maxInFlight });
  const nc = await connectNats({
    servers: config.nats.servers,
    name: `kubently-agent-${config.clusterId}-${config.agentId}`,
    user: config.nats.user,
    pass: natsPassword(config.nats),
    inboxPrefix: agentInboxPrefix(config.clusterId),
    tls: config.nats.tls,
    log,
  });
  const service = await startAgentService({
    nc,
    js: jetstream(nc),
    log,
    clusterId: config.clusterId,
    agentId: config.agentId,
    executor: createExecutor({ kube, log, limits }),
    revalidate: createRevalidator(() => policy),
    policyPreset: () => policy.preset ?? 'custom',
    maxInFlight: config.maxInFlight,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
  });
  log.info({ policy: policy.name, server: access.server, kube: access.describe() }, 'agent started');

  let stopping = false;
  void service.ended.then(async () => {
    if (stopping) return;
    // Heartbeats have stopped; exit non-zero so the Deployment restarts a working agent.
    await nc.close().catch(() => {});
    process.exit(1);
  });
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'agent stopping');
    policyWatcher?.close();
    await service.stop(config.shutdownGraceMs);
    await nc.drain();
    kube.close();
    log.info('agent stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM').then(() => process.exit(0)));
  process.once('SIGINT', () => void stop('SIGINT').then(() => process.exit(0)));
}

main().catch((err) => {
  // Start-up errors are configuration or connection problems: one clear line, no stack trace.
  process.stderr.write(`kubently agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
