// Starts the simulated kube-apiserver for a test and writes kubeconfigs pointing at it; both
// register their own teardown.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { createExecutor, type ExecutorLimits } from '../agent/executor.js';
import type { CommandExecutor } from '../agent/executor-types.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import { createLogger } from '../common/logger.js';
import { simKubeconfigYaml } from '../sim/kubeconfig.js';
import { type SimApiserver, type SimApiserverOptions, startSimApiserver } from '../sim/server.js';

export async function startSim(
  t: ExecutionContext,
  options: SimApiserverOptions = {},
): Promise<SimApiserver> {
  const sim = await startSimApiserver({ port: 0, ...options });
  t.teardown(() => sim.close());
  return sim;
}

/** Writes a kubeconfig (context `kubently-sim`) to a fresh temp dir; returns the file's path. */
export async function writeKubeconfig(t: ExecutionContext, url: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-sim-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'kubeconfig');
  await writeFile(file, simKubeconfigYaml(url), { mode: 0o600 });
  return file;
}

/** The simulated apiserver, a kubeconfig for it and the agent's executor reading it, all torn down with `t`. */
export async function startSimWithExecutor(
  t: ExecutionContext,
  limits: ExecutorLimits = { maxOutputBytes: 4 << 20 },
  simOptions: SimApiserverOptions = {},
): Promise<{ sim: SimApiserver; kubeconfig: string; executor: CommandExecutor }> {
  const sim = await startSim(t, simOptions);
  const kubeconfig = await writeKubeconfig(t, sim.url);
  const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath: kubeconfig }));
  t.teardown(() => kube.close());
  const executor = createExecutor({ kube, log: createLogger({ level: 'silent' }), limits });
  return { sim, kubeconfig, executor };
}
