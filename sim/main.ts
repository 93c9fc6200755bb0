// Runs the simulated kube-apiserver standalone: `tsx sim/main.ts --port 0 [--kubeconfig path] [--rbac rules.json]`.

import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { simKubeconfigYaml } from './kubeconfig.js';
import { parseRbacRules } from './rbac.js';
import { startSimApiserver } from './server.js';

/** The running container whose log --grow-log-ms grows. */
const GROWING_LOG = 'default/web-7c5ddbdf54-2xkqp/nginx';

const program = new Command()
  .name('kubently-sim')
  .description('Simulated read-only kube-apiserver with a troubled fixture cluster')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port to listen on (0 picks a free one)', '0')
  .option('--kubeconfig <path>', 'write a kubeconfig pointing at the sim to this path')
  .option('--grow-log-ms <ms>', `append a line to ${GROWING_LOG} every <ms> milliseconds`)
  .option(
    '--rbac <file>',
    "a JSON array of RBAC rules ({verbs, apiGroups, resources}) the agent's ServiceAccount has, instead of the minimal read-only role: what its self reviews answer",
  )
  .parse();

const opts = program.opts<{
  host: string;
  port: string;
  kubeconfig?: string;
  growLogMs?: string;
  rbac?: string;
}>();
const sim = await startSimApiserver({ host: opts.host, port: Number(opts.port) });
if (opts.rbac) sim.fixtures.rbac = parseRbacRules(await readFile(opts.rbac, 'utf8'), opts.rbac);
if (opts.growLogMs !== undefined) {
  const [namespace, pod, container] = GROWING_LOG.split('/') as [string, string, string];
  let n = 0;
  setInterval(
    () =>
      sim.live.appendLog(
        namespace,
        pod,
        container,
        `10.244.1.1 - - "GET /api/cart?n=${++n} HTTP/1.1" 200 81`,
      ),
    Number(opts.growLogMs),
  ).unref();
}
if (opts.kubeconfig) await writeFile(opts.kubeconfig, simKubeconfigYaml(sim.url), { mode: 0o600 });
process.stdout.write(`${sim.url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
