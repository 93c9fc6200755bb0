// Starts the simulated kube-apiserver for a test and writes kubeconfigs pointing at it; both
// register their own teardown.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { simKubeconfigYaml } from '../../sim/kubeconfig.js';
import { type SimApiserver, type SimApiserverOptions, startSimApiserver } from '../../sim/server.js';

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
