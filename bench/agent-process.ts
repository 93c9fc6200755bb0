// An agent process for the benchmarks and fault tests, started like agent/main.ts (agent/start.ts) with a
// choice of executor: `--executor kube` (default) runs the real in-process executor against KUBECONFIG;
// `--executor instant` answers at once without any Kubernetes call, which isolates command delivery.
// `--record <file>` appends one line per executed command id (fault tests count executions with it);
// `--delay-ms <n>` holds each command that long first (fault tests need commands in flight).

import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadAgentConfig } from '../agent/config.js';
import type { CommandExecutor } from '../agent/executor-types.js';
import { startAgent } from '../agent/start.js';
import { createLogger } from '../common/logger.js';

const { values: flags } = parseArgs({
  options: {
    executor: { type: 'string', default: 'kube' },
    record: { type: 'string' },
    'delay-ms': { type: 'string', default: '0' },
  },
});

const config = loadAgentConfig(process.env);
const log = createLogger({ level: config.logLevel, name: 'agent' });
const delayMs = Number(flags['delay-ms']);
const recordFile = flags.record;

const instant: CommandExecutor = {
  execute: async () => ({ status: 'success', output: 'ok', error: null, truncated: false }),
};
const agent = await startAgent({
  config,
  log,
  executor: flags.executor === 'instant' ? instant : undefined,
  wrap: (inner) => ({
    async execute(command, signal) {
      // Written when execution starts: a command killed mid-way still counts as executed once.
      if (recordFile) appendFileSync(recordFile, `${command.id} ${config.agentId}\n`);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return inner.execute(command, signal);
    },
  }),
});
log.info({ clusterId: config.clusterId, agentId: config.agentId, executor: flags.executor }, 'agent ready');

process.once('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
