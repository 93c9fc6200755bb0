// One simulated apiserver, real kubectl 1.32 and the agent's executor side by side, for parity tests
// that run one ava test per command line. Started in test.before and closed in test.after.always
// (ava hooks cannot register teardowns).

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecutor } from '../agent/executor.js';
import type { ExecutionOutcome } from '../agent/executor-types.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient } from '../agent/kube-client.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { createLogger } from '../common/logger.js';
import { simKubeconfigYaml } from '../sim/kubeconfig.js';
import { type SimApiserverOptions, startSimApiserver } from '../sim/server.js';
import type { KubectlResult } from './kubectl.js';

export interface ParityRun {
  line: string;
  kubectl: KubectlResult;
  agent: ExecutionOutcome;
  same: boolean;
}

export interface ParityStand {
  /** Runs `line` through kubectl and the agent; a mismatch is retried once (an AGE cell can tick). */
  run(line: string): Promise<ParityRun>;
  /** Runs kubectl alone with these exact arguments (no shell, so quoting is the caller's). */
  kubectl(args: readonly string[]): Promise<KubectlResult>;
  close(): Promise<void>;
}

/** What a terminal shows on stdout for a successful run, plus kubectl's "nothing found" notes. */
export function expectedOutput(k: KubectlResult): string {
  const informational = /^No (resources|events) found/.test(k.stderr);
  // logs' container notices go to stderr before any log line: the agent's output starts with them.
  const notices = /^Default(ed)? container/.test(k.stderr) ? k.stderr : '';
  return notices + k.stdout + (informational ? k.stderr : '');
}

/** stdout byte for byte; on failure kubectl's stderr is the agent's `error`. */
export function sameAsKubectl(a: ExecutionOutcome, k: KubectlResult): boolean {
  if (k.exitCode === 0) return a.status === 'success' && a.output === expectedOutput(k);
  return a.status === 'failure' && a.output === k.stdout && a.error === k.stderr.trimEnd();
}

/** Splits a command line as a shell would for the parity cases: spaces outside '…' and "…", quotes removed. */
export function splitLine(line: string): string[] {
  return [...line.matchAll(/(?:'[^']*'|"[^"]*"|[^\s'"])+/g)].map((m) =>
    m[0].replace(/'([^']*)'|"([^"]*)"/g, (_, single, double) => single ?? double),
  );
}

/**
 * `allowsCustomGroup`: parse as under a policy that opts in to custom resources, and let the executor read
 * those of the groups it allows (the agent's policy); without it custom types are unknown, as by default.
 */
export async function startParityStand(
  options: SimApiserverOptions = {},
  allowsCustomGroup?: (group: string) => boolean,
): Promise<ParityStand> {
  const sim = await startSimApiserver({ port: 0, ...options });
  const dir = await mkdtemp(join(tmpdir(), 'kubently-parity-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, simKubeconfigYaml(sim.url), { mode: 0o600 });
  const kube = await createKubeClient(await loadKubeAccess({ inCluster: false, kubeconfigPath: kubeconfig }));
  const executor = createExecutor({
    kube,
    log: createLogger({ level: 'silent' }),
    limits: { maxOutputBytes: 4 << 20 },
    ...(allowsCustomGroup ? { allowsCustomGroup } : {}),
  });
  const kubectl = (args: readonly string[]) =>
    new Promise<KubectlResult>((resolve, reject) => {
      execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
        (err, stdout, stderr) => {
          if (err && typeof err.code !== 'number') return reject(err);
          resolve({ stdout, stderr, exitCode: err ? Number(err.code) : 0 });
        },
      );
    });
  return {
    kubectl,
    async run(line) {
      const command = parseCommandRequest(
        { command: line },
        {
          id: 'parity',
          clusterId: 'sim',
          identity: 'test',
          sessionId: null,
          timeoutMs: 20_000,
          customResources: allowsCustomGroup !== undefined,
        },
      );
      let last: ParityRun | undefined;
      for (let attempt = 0; attempt < 2 && !last?.same; attempt++) {
        const k = await kubectl(splitLine(line));
        const agent = await executor.execute(command, AbortSignal.timeout(20_000));
        last = { line, kubectl: k, agent, same: sameAsKubectl(agent, k) };
      }
      return last as ParityRun;
    },
    async close() {
      kube.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A mismatch as a reader wants to see it: both outputs, kubectl's exit code and the agent's status. */
export function describeMismatch(r: ParityRun): string {
  return `${r.line}\n--- kubectl (exit ${r.kubectl.exitCode})\n${r.kubectl.stdout}${r.kubectl.stderr}--- agent (${r.agent.status})\n${r.agent.output}${r.agent.error ?? ''}`;
}
