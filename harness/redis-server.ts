// A private, throw-away redis-server on a free loopback port (no persistence): the benchmarks must not
// fill the shared Redis, and the fault tests stop and restart theirs.

import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../scripts/lib/nats-server.js';
import { scaled } from './eventually.js';

export interface SpawnedRedis {
  url: string;
  port: number;
  /** The running server's process id (its CPU counts in the benchmarks' per-command budget). */
  pid(): number | undefined;
  /** Stops the server (SIGKILL when `hard`); its data is gone. */
  stop(hard?: boolean): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

const READY_TIMEOUT_MS = scaled(10_000);

export interface RedisServerOptions {
  /** A configuration file, given before the other arguments (a sentinel's must be writable: it rewrites it). */
  configFile?: string;
  /** The log line that says the server is ready (a sentinel says `+monitor` once it watches its primary). */
  readyLine?: string;
}

/** `extraArgs` go to redis-server as they are, e.g. `['--requirepass', secret]`. */
export async function spawnRedisServer(
  binary = 'redis-server',
  extraArgs: string[] = [],
  { configFile, readyLine = 'Ready to accept connections' }: RedisServerOptions = {},
): Promise<SpawnedRedis> {
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const start = async () => {
    const child = spawn(
      binary,
      [
        ...(configFile === undefined ? [] : [configFile]),
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...extraArgs,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    proc = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server not ready:\n${output}`)),
        READY_TIMEOUT_MS,
      );
      child.stdout!.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes(readyLine)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${output}`));
      });
    });
  };
  const stop = async (hard = false) => {
    const child = proc;
    proc = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await gone;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, pid: () => proc?.pid, stop, start };
}
