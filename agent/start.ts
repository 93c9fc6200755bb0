// The agent's composition: from its config to a running agent (policy and its watcher, the Kubernetes
// client, the NATS connection with this cluster's token, the command loop and heartbeats). main.ts and the
// benchmark/fault-test agent process (bench/agent-process.ts) both start the agent through here.

import { readFile } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import { importedJetStream } from '../common/imported-jetstream.js';
import type { Logger } from '../common/logger.js';
import { connectNats } from '../common/nats-connect.js';
import { natsCredentials } from '../common/nats-options.js';
import {
  allowsCustomGroup,
  type Policy,
  PRESETS,
  parsePolicy,
  policyForCluster,
  streamLimits,
} from '../common/policy/index.js';
import { watchPolicyFile } from '../common/policy/watch.js';
import { agentInboxPrefix } from '../common/subjects.js';
import type { AgentConfig } from './config.js';
import { createExecutor, type ExecutorLimits } from './executor.js';
import type { CommandExecutor } from './executor-types.js';
import { loadKubeAccess } from './kube-access.js';
import { createKubeClient } from './kube-client.js';
import { createRevalidator } from './revalidate.js';
import { createSelfReview, runSelfCheck, type SelfReview } from './self-check.js';
import { type AgentService, startAgentService } from './service.js';

export interface StartAgentOptions {
  config: AgentConfig;
  log: Logger;
  /**
   * Replaces the Kubernetes executor (no kubeconfig is loaded): the benchmarks' agent that answers at once.
   * `wrap` then still applies.
   */
  executor?: CommandExecutor;
  /** Wraps the executor, e.g. to record or delay each execution (fault tests). */
  wrap?: (inner: CommandExecutor) => CommandExecutor;
}

export interface RunningAgent {
  service: AgentService;
  nc: NatsConnection;
  /** The policy in force (POLICY_FILE, reloaded on change; the readOnly preset without one). */
  policy(): Policy;
  /** What the executor talks to, for the start-up log line; undefined with a replaced executor. */
  kube: { server: string; describe: string } | undefined;
  /** Finishes commands in flight (up to the config's shutdown grace), drains NATS, closes the client. */
  stop(): Promise<void>;
}

function limitsOf(policy: Policy, clusterId: string): ExecutorLimits {
  const { limits } = policyForCluster(policy, clusterId);
  return {
    maxOutputBytes: limits.maxOutputBytes,
    defaultLogTail: limits.logTailDefault,
    maxLogTail: limits.logTailMax,
  };
}

export async function startAgent(options: StartAgentOptions): Promise<RunningAgent> {
  const { config, log } = options;
  const policyText = config.policyFile ? await readFile(config.policyFile, 'utf8') : undefined;
  let policy: Policy =
    config.policyFile && policyText !== undefined
      ? parsePolicy(policyText, config.policyFile)
      : PRESETS.readOnly;
  // One object the executor keeps reading: a reloaded policy changes its limits in place.
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

  let executor = options.executor;
  let kube: { close(): void } | undefined;
  let kubeInfo: RunningAgent['kube'];
  let review: SelfReview | undefined;
  if (!executor) {
    const access = await loadKubeAccess({
      inCluster: config.inCluster,
      kubeconfigPath: config.kubeconfig,
      context: config.kubeContext,
      serviceHost: config.serviceHost,
      servicePort: config.servicePort,
    });
    const client = await createKubeClient(access, { maxSockets: config.maxInFlight });
    kube = client;
    kubeInfo = { server: access.server, describe: access.describe() };
    review = createSelfReview(access);
    executor = createExecutor({
      kube: client,
      log,
      limits,
      // The policy in force at each command: a reload that narrows the groups applies at once.
      allowsCustomGroup: (group) => allowsCustomGroup(policy, config.clusterId, group),
    });
  }
  const creds = natsCredentials(config.nats);
  const nc = await connectNats({
    servers: config.nats.servers,
    name: `kubently-agent-${config.clusterId}-${config.agentId}`,
    creds,
    inboxPrefix: agentInboxPrefix(config.clusterId),
    tls: config.nats.tls,
    log,
  });
  const service = await startAgentService({
    nc,
    js: importedJetStream(nc),
    log,
    clusterId: config.clusterId,
    agentId: config.agentId,
    executor: options.wrap ? options.wrap(executor) : executor,
    revalidate: createRevalidator(() => policy),
    policyPreset: () => policy.preset ?? 'custom',
    maxInFlight: config.maxInFlight,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    selfCheck: review
      ? (signal) =>
          runSelfCheck(
            {
              review: review!,
              nc,
              policy: () => policy,
              clusterId: config.clusterId,
              agentId: config.agentId,
              credentials: () => (typeof creds === 'function' ? creds() : creds),
            },
            signal,
          )
      : undefined,
    streamLimits: () => streamLimits(policy, config.clusterId),
  });

  let stopping: Promise<void> | undefined;
  return {
    service,
    nc,
    policy: () => policy,
    kube: kubeInfo,
    stop() {
      stopping ??= (async () => {
        policyWatcher?.close();
        await service.stop(config.shutdownGraceMs);
        await nc.drain();
        kube?.close();
      })();
      return stopping;
    },
  };
}
