// Starts a real nats-server from the project's nats.conf on a free port, with a temporary store dir and a
// generated operator (kubently-operator.conf). Used by the dev stack (`npm run dev`) and by every test that needs NATS.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServiceIdentity } from '../../common/nats-auth/permissions.js';
import {
  createOperatorSetup,
  OPERATOR_CONF_FILE_NAME,
  type OperatorSetup,
  renderOperatorConfig,
} from '../../common/nats-auth/setup.js';

export const PROJECT_NATS_CONF = resolve(dirname(fileURLToPath(import.meta.url)), '../../nats.conf');
const READY_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;
const STOP_TIMEOUT_MS = 5_000;

export interface NatsTlsOptions {
  certFile: string;
  keyFile: string;
  caFile?: string;
  /** Require and verify client certificates (server-wide: nats-server decides per listener, not per user). */
  verifyClients?: boolean;
}

export interface SpawnNatsOptions {
  /** Clusters provisioned up front (accounts preloaded, agent credentials in `agentCreds`). */
  clusters?: string[];
  /** Event subscribers provisioned up front (credentials in `setup.subscriberCreds`). */
  subscribers?: string[];
  /** An operator made elsewhere (the servers of a NATS cluster share one); default: a new one. */
  setup?: OperatorSetup;
  port?: number;
  storeDir?: string;
  tls?: NatsTlsOptions;
  log?: (line: string) => void;
  configFile?: string;
  binary?: string;
  /**
   * Seconds a client has to finish CONNECT, replacing nats.conf's `authorization { timeout }`. Tests raise it:
   * on a crowded machine signing the nonce alone can outlast the shipped timeout.
   */
  authTimeoutSeconds?: number;
}

export interface SpawnedNats {
  url: string;
  port: number;
  monitorPort: number;
  configPath: string;
  storeDir: string;
  /** The operator: signing key (secret), account keys and JWTs. */
  setup: OperatorSetup;
  /** Credentials files of the gateway, audit and admin identities. */
  creds: Record<ServiceIdentity, string>;
  /** Credentials files of the clusters provisioned at start. */
  agentCreds: Record<string, string>;
  pid: () => number | undefined;
  stop: () => Promise<void>;
  /** Stops and starts the server on the same port and store dir (JetStream state and pushed accounts survive). */
  restart: () => Promise<void>;
}

export class NatsServerMissingError extends Error {
  override readonly name = 'NatsServerMissingError';
}

export async function spawnNatsServer(options: SpawnNatsOptions = {}): Promise<SpawnedNats> {
  const binary = options.binary ?? 'nats-server';
  const setup =
    options.setup ??
    (await createOperatorSetup({ clusters: options.clusters, subscribers: options.subscribers }));
  const workDir = await mkdtemp(join(tmpdir(), 'kubently-nats-'));
  const storeDir = options.storeDir ?? join(workDir, 'jetstream');
  // nats.conf includes the operator file relative to itself, so both live in the work dir.
  const configPath = join(workDir, 'nats.conf');
  await writeConfigVariant(options.configFile ?? PROJECT_NATS_CONF, configPath, {
    storeDir,
    resolverDir: join(storeDir, '..', `${basename(storeDir)}-jwt`),
    authTimeoutSeconds: options.authTimeoutSeconds,
  });
  await writeFile(join(workDir, OPERATOR_CONF_FILE_NAME), renderOperatorConfig(setup));

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

  let proc: ChildProcess | undefined;
  const lineListeners = new Set<(line: string) => void>();

  const start = async () => {
    const child = spawn(binary, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
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
    setup,
    creds: setup.creds,
    agentCreds: setup.agentCreds,
    pid: () => proc?.pid,
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

/**
 * nats.conf with its store_dir and resolver dir pointed at this server's own (nats-server refuses -sd when the
 * file sets store_dir), and optionally another CONNECT timeout. A caller-provided store dir keeps the pushed
 * account JWTs beside it across restarts.
 */
async function writeConfigVariant(
  source: string,
  target: string,
  options: { storeDir: string; resolverDir: string; authTimeoutSeconds: number | undefined },
): Promise<void> {
  let text = await readFile(source, 'utf8');
  const { authTimeoutSeconds } = options;
  if (authTimeoutSeconds !== undefined) {
    const authTimeout = /^(authorization\s*\{[^}]*?\btimeout\s*:\s*)\d+/m;
    if (!authTimeout.test(text)) throw new Error(`${source} has no authorization { timeout } to override`);
    text = text.replace(authTimeout, (_, head: string) => `${head}${Math.ceil(authTimeoutSeconds)}`);
  }
  const storeDirLine = /^(\s*store_dir\s*:\s*).*$/m;
  const resolverDirLine = /^(\s*dir\s*:\s*).*$/m;
  if (!storeDirLine.test(text)) throw new Error(`${source} has no jetstream store_dir line to override`);
  if (!resolverDirLine.test(text)) throw new Error(`${source} has no resolver dir line to override`);
  // The monitoring endpoint shows connection metadata: on a developer's machine it stays on loopback
  // (the -m flag sets only its port).
  const httpLine = /^(\s*http\s*:\s*)\S+$/m;
  await writeFile(
    target,
    text
      .replace(storeDirLine, (_, key: string) => `${key}${JSON.stringify(options.storeDir)}`)
      .replace(resolverDirLine, (_, key: string) => `${key}${JSON.stringify(options.resolverDir)}`)
      .replace(httpLine, (_, key: string) => `${key}127.0.0.1:8222`),
  );
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
