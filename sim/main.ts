// Runs the simulated kube-apiserver standalone: `tsx sim/main.ts --port 0 [--kubeconfig path]`.

import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { simKubeconfigYaml } from './kubeconfig.js';
import { startSimApiserver } from './server.js';

const program = new Command()
  .name('kubently-sim')
  .description('Simulated read-only kube-apiserver with a troubled fixture cluster')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 picks a free one)', '0')
  .option('--kubeconfig <path>', 'write a kubeconfig pointing at the sim to this path')
  .parse();

const opts = program.opts<{ host: string; port: string; kubeconfig?: string }>();
const sim = await startSimApiserver({ host: opts.host, port: Number(opts.port) });
if (opts.kubeconfig) await writeFile(opts.kubeconfig, simKubeconfigYaml(sim.url), { mode: 0o600 });
process.stdout.write(`${sim.url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
