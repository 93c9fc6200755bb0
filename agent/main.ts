// The agent process: read config, start the agent (agent/start.ts), run until SIGTERM, and exit non-zero
// when the command loop ends on its own so that the Deployment restarts it.

import { createLogger } from '../common/logger.js';
import { loadAgentConfig } from './config.js';
import { startAgent } from './start.js';

async function main(): Promise<void> {
  const config = loadAgentConfig(process.env);
  const log = createLogger({ level: config.logLevel, name: 'agent' }).child({
    clusterId: config.clusterId,
    agentId: config.agentId,
  });
  const agent = await startAgent({ config, log });
  const policy = agent.policy();
  log.info({ policy: policy.name, server: agent.kube?.server, kube: agent.kube?.describe }, 'agent started');

  let stopping = false;
  void agent.service.ended.then(async () => {
    if (stopping) return;
    // Heartbeats have stopped; exit non-zero so the Deployment restarts a working agent.
    await agent.nc.close().catch(() => {});
    process.exit(1);
  });
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'agent stopping');
    await agent.stop();
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
