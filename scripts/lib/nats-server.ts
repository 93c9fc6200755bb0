// Starts a real nats-server from the project's nats.conf on a free port, with a temporary store dir and a
// generated users file. Used by the dev stack (`npm run dev`) and by every test that needs NATS.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVICE_PASSWORD_ENV } from '../../common/nats-config/permissions.js';
import { renderAgentsConfig, USERS_FILE_NAME } from '../../common/nats-config/render.js';

export const PROJECT_NATS_CONF = resolve(dirname(fileURLToPath(import.meta.url)), '../../nats.conf');
/** Tests and the dev stack hash tokens with the cheapest bcrypt cost; production uses the generator's 11. */
export const LAUNCHER_BCRYPT_COST = 4;
const READY_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;
const RELOAD_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface ServicePasswords {
  gateway: string;
  audit: string;
  admin: string;
}

export interface NatsTlsOptions {
  certFile: string;
  keyFile: string;
  caFile?: string;
  /** Require and verify client certificates (server-wide: nats-server decides per listener, not per user). */
  verifyClients?: boolean;
}

export interface SpawnNatsOptions {
  agentTokens?: Record<string, string>;
  passwords?: ServicePasswords;
  port?: number;
  storeDir?: string;
  tls?: NatsTlsOptions;
  log?: (line: string) => void;
  configFile?: string;
  binary?: string;
  bcryptCost?: number;
  /**
   * Seconds a client has to finish CONNECT, replacing nats.conf's `authorization { timeout }`. Tests raise it:
   * on a crowded machine the bcrypt check alone can outlast the shipped 2 s.
   */
  authTimeoutSeconds?: number;
}

export interface SpawnedNats {
  url: string;
  port: number;
  monitorPort: number;
  configPath: string;
  storeDir: string;
  passwords: ServicePasswords;
  agentTokens: Record<string, string>;
  pid: () => number | undefined;
  /** Rewrites the users file with these tokens and reloads the server; resolves once the reload took effect. */
  reload: (newAgentTokens: Record<string, string>) => Promise<void>;
  stop: () => Promise<void>;
  /** Stops and starts the server on the same port and store dir (JetStream state survives). */
  restart: () => Promise<void>;
}

export class NatsServerMissingError extends Error {
  override readonly name = 'NatsServerMissingError';
}

export function randomPassword(): string {
  return randomBytes(24).toString('hex');
}

/**
 * nats-server parses the value of an environment variable it substitutes as a config value: `123456` would
 * become a number and `1e5ab` a parse error. A double-quoted value is always a string.
 */
export function quoteForServerEnv(password: string): string {
  if (/["\\\s]/.test(password))
    throw new Error('NATS service passwords must not contain quotes, backslashes or spaces');
  return `"${password}"`;
}

export async function spawnNatsServer(options: SpawnNatsOptions = {}): Promise<SpawnedNats> {
  const binary = options.binary ?? 'nats-server';
  const bcryptCost = options.bcryptCost ?? LAUNCHER_BCRYPT_COST;
  const passwords = options.passwords ?? {
    gateway: randomPassword(),
    audit: randomPassword(),
    admin: randomPassword(),
  };
  const workDir = await mkdtemp(join(tmpdir(), 'kubently-nats-'));
  const storeDir = options.storeDir ?? join(workDir, 'jetstream');
  // nats.conf includes the users file relative to itself, so both live in the work dir.
  const configPath = join(workDir, 'nats.conf');
  await writeConfigVariant(
    options.configFile ?? PROJECT_NATS_CONF,
    configPath,
    storeDir,
    options.authTimeoutSeconds,
  );
  let agentTokens = { ...(options.agentTokens ?? {}) };
  await writeUsersFile(workDir, agentTokens, bcryptCost);

  let port = options.port ?? (await freePort());
  let monitorPort = await freePort();
  const tlsArgs: string[] = [];
  if (options.tls) {
    tlsArgs.push('--tls', '--tlscert', options.tls.certFile, '--tlskey', options.tls.keyFile);
    if (options.tls.caFile) tlsArgs.push('--tlscacert', options.tls.caFile);
    if (options.tls.verifyClients) tlsArgs.push('--tlsverify');
  }
  const args = () => [
    ...['-c', configPath, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)],
    ...tlsArgs,
  ];
  const env = {
    ...process.env,
    [SERVICE_PASSWORD_ENV.gateway]: quoteForServerEnv(passwords.gateway),
    [SERVICE_PASSWORD_ENV.audit]: quoteForServerEnv(passwords.audit),
    [SERVICE_PASSWORD_ENV.admin]: quoteForServerEnv(passwords.admin),
  };

  let proc: ChildProcess | undefined;
  const lineListeners = new Set<(line: string) => void>();

  const start = async () => {
    const child = spawn(binary, args(), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc = child;
    const output: string[] = [];
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 50) output.shift();
      options.log?.(line);
      for (const l of lineListeners) l(line);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => {
        fail(new Error(`nats-server not ready after ${READY_TIMEOUT_MS} ms:\n${output.join('\n')}`));
      }, READY_TIMEOUT_MS);
      const fail = (err: Error) => {
        clearTimeout(timer);
        lineListeners.delete(watch);
        child.kill('SIGKILL');
        reject(err);
      };
      const watch = (line: string) => {
        if (line.includes('Server is ready')) {
          clearTimeout(timer);
          lineListeners.delete(watch);
          waitForHealthz(monitorPort).then(resolveReady, fail);
        }
      };
      lineListeners.add(watch);
      child.once('error', (err: NodeJS.ErrnoException) => {
        fail(
          err.code === 'ENOENT'
            ? new NatsServerMissingError(
                `nats-server not found ("${binary}"): install it with \`apt-get install nats-server\` or put it on PATH`,
              )
            : err,
        );
      });
      child.once('exit', (code, signal) => {
        fail(
          new Error(
            `nats-server exited (code ${code}, signal ${signal}) before it was ready:\n${output.join('\n')}`,
          ),
        );
      });
    });
  };

  const stopProcess = async () => {
    const child = proc;
    proc = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  // A free port can be taken by another process between freePort() and the server's bind (parallel test
  // files do exactly that): pick new ports and try again.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      const portTaken = err instanceof Error && /address already in use/.test(err.message);
      if (portTaken && attempt < START_ATTEMPTS) {
        if (options.port === undefined) port = await freePort();
        monitorPort = await freePort();
        continue;
      }
      await rm(workDir, { recursive: true, force: true });
      throw err;
    }
  }

  return {
    url: `${options.tls ? 'tls' : 'nats'}://127.0.0.1:${port}`,
    port,
    monitorPort,
    configPath,
    storeDir,
    passwords,
    get agentTokens() {
      return agentTokens;
    },
    pid: () => proc?.pid,
    async reload(newAgentTokens) {
      const child = proc;
      if (!child?.pid) throw new Error('nats-server is not running');
      await writeUsersFile(workDir, newAgentTokens, bcryptCost);
      await new Promise<void>((resolveReload, reject) => {
        const timer = setTimeout(() => {
          lineListeners.delete(watch);
          reject(new Error(`nats-server did not confirm the reload within ${RELOAD_TIMEOUT_MS} ms`));
        }, RELOAD_TIMEOUT_MS);
        const watch = (line: string) => {
          const ok = line.includes('Reloaded server configuration');
          const failed = line.includes('Failed to reload');
          if (!ok && !failed) return;
          clearTimeout(timer);
          lineListeners.delete(watch);
          if (ok) resolveReload();
          else reject(new Error(`nats-server refused the new configuration: ${line}`));
        };
        lineListeners.add(watch);
        child.kill('SIGHUP');
      });
      agentTokens = { ...newAgentTokens };
    },
    async stop() {
      await stopProcess();
      // A caller-provided store dir lives outside the work dir and is kept.
      await rm(workDir, { recursive: true, force: true });
    },
    async restart() {
      await stopProcess();
      await start();
    },
  };
}

/** nats.conf with its store_dir pointed at `storeDir` (nats-server refuses -sd when the file sets store_dir). */
async function writeConfigVariant(
  source: string,
  target: string,
  storeDir: string,
  authTimeoutSeconds: number | undefined,
): Promise<void> {
  let text = await readFile(source, 'utf8');
  if (authTimeoutSeconds !== undefined) {
    const authTimeout = /^(authorization\s*\{[^}]*?\btimeout\s*:\s*)\d+/m;
    if (!authTimeout.test(text)) throw new Error(`${source} has no authorization { timeout } to override`);
    text = text.replace(authTimeout, (_, head: string) => `${head}${Math.ceil(authTimeoutSeconds)}`);
  }
  const storeDirLine = /^(\s*store_dir\s*:\s*).*$/m;
  if (!storeDirLine.test(text)) throw new Error(`${source} has no jetstream store_dir line to override`);
  // The monitoring endpoint shows connection metadata: on a developer's machine it stays on loopback
  // (the -m flag sets only its port).
  const httpLine = /^(\s*http\s*:\s*)\S+$/m;
  await writeFile(
    target,
    text
      .replace(storeDirLine, (_, key: string) => `${key}${JSON.stringify(storeDir)}`)
      .replace(httpLine, (_, key: string) => `${key}127.0.0.1:8222`),
  );
}

async function writeUsersFile(
  dir: string,
  tokens: Record<string, string>,
  bcryptCost: number,
): Promise<void> {
  const text = await renderAgentsConfig(tokens, { bcryptCost });
  // Rename so that a reload never parses a half-written file.
  const tmp = join(dir, `.${USERS_FILE_NAME}.tmp`);
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, join(dir, USERS_FILE_NAME));
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Polls the monitoring endpoint (not the client port, which would log a TLS handshake error). */
async function waitForHealthz(monitorPort: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${monitorPort}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nats-server /healthz not ok after ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
