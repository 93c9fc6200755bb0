// A 3-node nats-server cluster on loopback for fault tests: each node runs the project's nats.conf
// (store dir rewritten) plus a server name and a cluster block with routes to the others, on free
// ports with its own temporary store dir. Nodes can be stopped and started again one by one.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import type { ExecutionContext } from 'ava';
import type { ServiceIdentity } from '../common/nats-auth/permissions.js';
import {
  createOperatorSetup,
  OPERATOR_CONF_FILE_NAME,
  type OperatorSetup,
  renderOperatorConfig,
} from '../common/nats-auth/setup.js';
import { type ProvisionOptions, provisionJetStream } from '../common/provision.js';
import { ADMIN_INBOX_PREFIX } from '../common/subjects.js';
import { freePort, PROJECT_NATS_CONF } from '../scripts/lib/nats-server.js';
import { eventually, scaled, type WaitContext } from './eventually.js';
import { credsAuth } from './nats-server.js';

const READY_TIMEOUT_MS = scaled(20_000);
const CLUSTER_NAME = 'kubently-test';

export interface ClusterNode {
  name: string;
  url: string;
  port: number;
  monitorPort: number;
  readonly running: boolean;
  pid(): number | undefined;
}

export interface NatsCluster {
  /** Every node's client URL: give all of them to clients so they fail over. */
  urls: string[];
  nodes: ClusterNode[];
  /** The operator the nodes share (signing key, account keys, JWTs). */
  setup: OperatorSetup;
  creds: Record<ServiceIdentity, string>;
  agentCreds: Record<string, string>;
  /** Stops node `i` (SIGKILL when `hard`), keeping its store dir. */
  stopNode(i: number, hard?: boolean): Promise<void>;
  /** Starts node `i` again with the same ports and store dir. */
  startNode(i: number): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  size?: number;
  /** Clusters provisioned up front (accounts preloaded, agent credentials in `agentCreds`). */
  clusters?: string[];
}

export async function startNatsCluster(
  t: ExecutionContext,
  options: NatsClusterOptions = {},
): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const setup = await createOperatorSetup({ clusters: options.clusters });
  const workDir = await mkdtemp(join(tmpdir(), 'kubently-nats-cluster-'));
  const base = await readFile(PROJECT_NATS_CONF, 'utf8');
  await writeFile(join(workDir, OPERATOR_CONF_FILE_NAME), renderOperatorConfig(setup));

  const specs: Array<{ name: string; port: number; monitorPort: number; routePort: number }> = [];
  for (let i = 0; i < size; i++) {
    specs.push({
      name: `n${i + 1}`,
      port: await freePort(),
      monitorPort: await freePort(),
      routePort: await freePort(),
    });
  }
  const procs: Array<ChildProcess | undefined> = specs.map(() => undefined);
  const configs: string[] = [];
  for (const [i, spec] of specs.entries()) {
    const storeDir = join(workDir, spec.name, 'jetstream');
    await mkdir(storeDir, { recursive: true });
    const routes = specs.filter((_, j) => j !== i).map((s) => `nats-route://127.0.0.1:${s.routePort}`);
    const jwtDir = join(workDir, spec.name, 'jwt');
    const text = `${base
      .replace(/^(\s*store_dir\s*:\s*).*$/m, (_, key: string) => `${key}${JSON.stringify(storeDir)}`)
      .replace(/^(\s*dir\s*:\s*).*$/m, (_, key: string) => `${key}${JSON.stringify(jwtDir)}`)}
server_name: ${spec.name}
cluster {
  name: ${CLUSTER_NAME}
  listen: 127.0.0.1:${spec.routePort}
  routes: [${routes.join(', ')}]
}
`;
    // In the work dir, so that nats.conf's include of the operator file resolves.
    const path = join(workDir, `${spec.name}.conf`);
    await writeFile(path, text);
    configs.push(path);
  }

  const startNode = async (i: number) => {
    const spec = specs[i]!;
    const child = spawn(
      'nats-server',
      ['-c', configs[i]!, '-a', '127.0.0.1', '-p', String(spec.port), '-m', String(spec.monitorPort)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    procs[i] = child;
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${spec.name} not ready:\n${output.slice(-30).join('\n')}`)),
        READY_TIMEOUT_MS,
      );
      const onLine = (line: string) => {
        output.push(line);
        if (line.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${spec.name} exited (${code}):\n${output.slice(-30).join('\n')}`));
      });
    });
  };
  const stopNode = async (i: number, hard = false) => {
    const child = procs[i];
    procs[i] = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(hard ? 'SIGKILL' : 'SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(force);
  };
  const stop = async () => {
    await Promise.all(specs.map((_, i) => stopNode(i, true)));
    await rm(workDir, { recursive: true, force: true });
  };
  t.teardown(stop);

  await Promise.all(specs.map((_, i) => startNode(i)));
  return {
    urls: specs.map((s) => `nats://127.0.0.1:${s.port}`),
    nodes: specs.map((s, i) => ({
      name: s.name,
      url: `nats://127.0.0.1:${s.port}`,
      port: s.port,
      monitorPort: s.monitorPort,
      get running() {
        return procs[i] !== undefined;
      },
      pid: () => procs[i]?.pid,
    })),
    setup,
    creds: setup.creds,
    agentCreds: setup.agentCreds,
    stopNode,
    startNode,
    stop,
  };
}

/**
 * Provisions the streams (default 3 replicas) once JetStream has elected its meta leader; until then
 * the cluster refuses stream creation, so this retries for a while.
 */
export async function provisionCluster(
  t: WaitContext,
  cluster: NatsCluster,
  options: Omit<ProvisionOptions, 'replicas'> & { replicas?: number },
): Promise<void> {
  const nc = await connect({
    servers: cluster.urls,
    authenticator: credsAuth(cluster.creds.admin),
    inboxPrefix: ADMIN_INBOX_PREFIX,
  });
  try {
    await eventually(t, () => provisionJetStream(nc, { replicas: 3, ...options }).then(() => true), {
      timeoutMs: 20_000,
      message: 'the cluster elected a JetStream meta leader and took the streams',
      intervalMs: 250,
    });
  } finally {
    await nc.close();
  }
}
