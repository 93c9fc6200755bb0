// Runs the real kubectl against a kubeconfig (the simulated apiserver's), without a shell, with its
// own discovery cache directory so runs never share state.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type Kubectl = (args: readonly string[]) => Promise<KubectlResult>;

/** A kubectl runner bound to `kubeconfig`; its cache directory is removed after the test. */
export async function kubectlFor(t: ExecutionContext, kubeconfig: string): Promise<Kubectl> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'kubently-kubectl-cache-'));
  t.teardown(() => rm(cacheDir, { recursive: true, force: true }));
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
        (err, stdout, stderr) => {
          if (err && typeof err.code !== 'number') return reject(err);
          resolve({ stdout, stderr, exitCode: err ? Number(err.code) : 0 });
        },
      );
    });
}

const DURATION = /\b\d+(?:y\d+d|d\d+h|h\d+m|m\d+s|[smhdy])\b/g;
/**
 * Only for a run whose outputs were taken in different seconds every time (a slow machine): ages blanked,
 * column padding collapsed, so the rest is still compared byte for byte.
 */
export const normalizeAges = (s: string): string => s.replace(DURATION, '<age>').replace(/ {2,}/g, '  ');
