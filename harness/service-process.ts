// Kubently services as child processes (`node --import tsx <script>`), so that the RSS and CPU the
// benchmarks report are the service's own and not the load generator's. Figures come from /proc.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { scaled } from './eventually.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STOP_TIMEOUT_MS = scaled(10_000);
/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  readonly pid: number;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  readonly output: readonly string[];
  /** Resident set size in bytes, from /proc/<pid>/status. */
  rssBytes(): number;
  /** The highest resident set size the process has had so far, in bytes (VmHWM in /proc/<pid>/status). */
  peakRssBytes(): number;
  /** User + system CPU time consumed so far, in ms (the same figure process.cpuUsage() gives inside it). */
  cpuMs(): number;
  /** Resolves when a line matching `pattern` appears (or has appeared). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and resolves with the exit code or signal once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
  readonly exited: Promise<number | string | null>;
}

/** User + system CPU time a process has consumed so far, in ms, from /proc/<pid>/stat (NaN when gone). */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** A `kB` field of /proc/<pid>/status (NaN when the process is gone). */
function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** `script` is run by node itself when it is compiled JavaScript (.js), through tsx otherwise. */
export function startServiceProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  args: string[] = [],
  nodeArgs: string[] = [],
): ServiceProcess {
  const loader = script.endsWith('.js') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, resolve(PROJECT_ROOT, script), ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const watchers = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    output.push(line);
    if (output.length > 200) output.shift();
    for (const w of watchers) w(line);
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const exited = new Promise<number | string | null>((r) =>
    child.once('exit', (code, signal) => r(signal ?? code)),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${script}`);

  return {
    name,
    child,
    pid,
    output,
    exited,
    rssBytes: () => statusKb(pid, 'VmRSS') * 1024,
    peakRssBytes: () => statusKb(pid, 'VmHWM') * 1024,
    cpuMs: () => processCpuMs(pid),
    waitForLine(pattern, timeoutMs = scaled(30_000)) {
      const seen = output.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolveLine, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watch);
          reject(
            new Error(
              `${name}: no line matching ${pattern} within ${timeoutMs} ms:\n${output.slice(-30).join('\n')}`,
            ),
          );
        }, timeoutMs);
        const watch = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          watchers.delete(watch);
          resolveLine(line);
        };
        watchers.add(watch);
        void exited.then((how) => {
          if (!watchers.has(watch)) return;
          clearTimeout(timer);
          watchers.delete(watch);
          reject(new Error(`${name} exited (${how}) before ${pattern}:\n${output.slice(-30).join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const how = await exited;
      clearTimeout(timer);
      return how;
    },
  };
}
