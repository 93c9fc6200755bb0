// `npm run dev`: the whole stack in the foreground on one machine — nats-server from the project's
// nats.conf, the simulated cluster (when no kubeconfig context exists), gateway, one agent per cluster
// (CLUSTERS, default `local`) and the audit consumer as child processes. Ctrl-C stops them all.
// The user's environment reaches every part; scripts/lib/dev-env.ts says what the stack adds to it.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createOperator } from '@nats-io/nkeys';
import { createOperatorSetup } from '../common/nats-auth/setup.js';
import {
  agentEnv,
  agentKube,
  auditEnv,
  DEV_IDENTITY,
  devClusters,
  type Env,
  gatewayEnv,
  passThrough,
} from './lib/dev-env.js';
import { findKubeContext } from './lib/kube-context.js';
import { NatsServerMissingError, spawnNatsServer } from './lib/nats-server.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
// Dev secrets and state; KUBENTLY_DEV_DIR lets tests run the stack without touching the checkout's .dev/.
const devDir = resolve(process.env.KUBENTLY_DEV_DIR ?? join(root, '.dev'));
const GATEWAY_PORT = Number(process.env.PORT ?? 8080);
const AUDIT_METRICS_PORT = Number(process.env.AUDIT_METRICS_PORT ?? 9464);
const GATEWAY_METRICS_PORT = Number(process.env.GATEWAY_METRICS_PORT ?? 9465);
/** Lifetime of the dev agents' NATS credentials: 30 days, renewed at every start. */
const DEV_AGENT_CREDENTIAL_TTL_S = 30 * 86_400;

const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
let stopping = false;

/** Secrets that survive restarts of the dev stack, kept in .dev/ (git-ignored). */
async function devSecret(name: string, make: () => string): Promise<string> {
  const file = join(devDir, name);
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const value = make();
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  return value;
}

/** A long-running part of the stack: when it dies, the stack stops. */
function start(name: string, script: string, env: Env): ChildProcess {
  const child = spawnPart(name, script, env);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited (${signal ?? code}); stopping the stack`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

/** A one-shot step (provisioning); resolves with its exit code. */
function runStep(name: string, script: string, env: Env): Promise<number | null> {
  const child = spawnPart(name, script, env);
  children.push(child);
  return new Promise((done) =>
    child.once('exit', (code) => {
      children.splice(children.indexOf(child), 1);
      done(code);
    }),
  );
}

function spawnPart(name: string, script: string, env: Env): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, script)], {
    cwd: root,
    env: { ...passThrough(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  return child;
}

async function shutdown(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\n[dev] stopping…');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const kill = setTimeout(() => child.kill('SIGKILL'), 8_000);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  process.exit(exitCode);
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  await mkdir(devDir, { recursive: true });
  const clusters = devClusters(process.env);

  const apiKey = await devSecret('api-key', () => `dev-${randomBytes(24).toString('hex')}`);
  // The operator signing key is the one NATS secret kept between runs: the accounts derive from it, so the
  // account JWTs pushed by earlier runs (in the resolver dir beside the store) stay valid.
  const signingSeed = await devSecret('nats-operator-signing-key', () =>
    new TextDecoder().decode(createOperator().getSeed()),
  );
  // Agent credentials that expire, as the gateway mints them (CREDENTIAL_TTL_SECONDS): `kubently doctor`
  // reports one that never does.
  const setup = await createOperatorSetup({
    signingSeed,
    clusters,
    agentExpiresAt: Math.floor(Date.now() / 1000) + DEV_AGENT_CREDENTIAL_TTL_S,
  });

  let nats: Awaited<ReturnType<typeof spawnNatsServer>>;
  try {
    nats = await spawnNatsServer({
      setup,
      storeDir: join(devDir, 'jetstream'),
    });
  } catch (err) {
    if (err instanceof NatsServerMissingError) {
      console.error(`[dev] ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  cleanups.push(() => nats.stop());
  console.log(`[dev] nats-server on ${nats.url}`);

  const natsEnv = { NATS_URL: nats.url };
  const provisioned = await runStep('provision', 'scripts/provision.ts', {
    ...natsEnv,
    NATS_CREDS: setup.creds.admin,
    CLUSTERS: clusters.join(','),
  });
  if (provisioned !== 0) throw new Error('provisioning JetStream failed');

  // Each agent uses the kubeconfig context named like its cluster, else the current one; without a
  // kubeconfig, all of them use one bundled simulated cluster.
  const kube = await findKubeContext(process.env.KUBECONFIG);
  const kubeFor = new Map(clusters.map((id) => [id, agentKube(id, process.env, kube)]));
  let simKube: Env | undefined;
  if ([...kubeFor.values()].some((choice) => choice === undefined)) {
    const { startSimApiserver } = await import('../sim/server.js');
    const { simKubeconfigYaml } = await import('../sim/kubeconfig.js');
    const sim = await startSimApiserver({ port: 0 });
    cleanups.push(() => sim.close());
    const kubeconfigPath = join(devDir, 'sim-kubeconfig.yaml');
    await writeFile(kubeconfigPath, simKubeconfigYaml(sim.url), { mode: 0o600 });
    simKube = { KUBECONFIG: kubeconfigPath, KUBE_CONTEXT: '' };
    console.log(`[dev] no kubeconfig context found: using the simulated cluster at ${sim.url}`);
    console.log(`[dev]   try it with kubectl too: kubectl --kubeconfig ${kubeconfigPath} get pods -A`);
  }

  // The dev log is chained with an HMAC key like a deployed one, so `audit verify` and `doctor` can show it
  // tamper-evident. A log an earlier run chained without the key is set aside: its lines would not verify.
  const chainKeyFile = join(devDir, 'audit-chain.key');
  const keyIsNew = !existsSync(chainKeyFile);
  await devSecret('audit-chain.key', () => randomBytes(32).toString('hex'));
  const logFile = join(devDir, 'audit.log');
  if (keyIsNew && existsSync(logFile)) {
    const aside = join(devDir, `audit-unkeyed-${Date.now()}.log`);
    await rename(logFile, aside);
    console.log(`[dev] the audit log now has a chain key; the earlier, unkeyed log is kept as ${aside}`);
  }
  start(
    'audit',
    'audit/main.ts',
    auditEnv(process.env, {
      natsUrl: nats.url,
      natsCreds: setup.creds.audit,
      logFile,
      chainKeyFile,
      metricsPort: AUDIT_METRICS_PORT,
    }),
  );
  for (const id of clusters) {
    const choice = kubeFor.get(id);
    if (choice) console.log(`[dev] agent for cluster "${id}" uses ${choice.description}`);
    const kubeEnv = choice?.env ?? simKube ?? {};
    start(
      clusters.length === 1 ? 'agent' : `agent ${id}`,
      'agent/main.ts',
      agentEnv({
        natsUrl: nats.url,
        clusterId: id,
        agentToken: setup.agentCreds[id] as string,
        kube: kubeEnv,
      }),
    );
  }
  start(
    'gateway',
    'gateway/main.ts',
    gatewayEnv(process.env, {
      natsUrl: nats.url,
      natsCreds: setup.creds.gateway,
      signingKey: setup.signingSeed,
      apiKey,
      clusters,
      port: GATEWAY_PORT,
      metricsPort: GATEWAY_METRICS_PORT,
    }),
  );

  // Generous: on a busy laptop four node processes compile and start at once.
  await waitForHttp(`http://127.0.0.1:${GATEWAY_PORT}/healthz`, 120_000);
  const base = `http://127.0.0.1:${GATEWAY_PORT}`;
  // Wait until every agent's first heartbeat reached the gateway, so the printed curl works at once.
  const deadline = Date.now() + 60_000;
  for (const id of clusters) {
    while (Date.now() < deadline) {
      const res = await fetch(`${base}/clusters/${id}/status`, {
        headers: { 'X-API-Key': apiKey },
      }).catch(() => null);
      if (res?.ok && ((await res.json()) as { connected?: boolean }).connected) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  console.log(`
[dev] Kubently is running.
  gateway   ${base}   (OpenAPI: ${base}/docs)
  clusters  ${clusters.join(', ')}
  API key   ${apiKey}   (identity "${DEV_IDENTITY}", an admin; stored in ${join(devDir, 'api-key')})${process.env.API_KEYS || process.env.API_KEYS_FILE ? '\n            and the keys in API_KEYS / API_KEYS_FILE' : ''}
  metrics   http://127.0.0.1:${GATEWAY_METRICS_PORT}/metrics (gateway)
  audit log ${logFile} (chain key ${chainKeyFile})   metrics: http://127.0.0.1:${AUDIT_METRICS_PORT}/metrics

  curl -s ${base}/debug/execute -H 'X-API-Key: ${apiKey}' -H 'content-type: application/json' \\
    -d '{"cluster_id":"${clusters[0]}","command_type":"get","args":["pods"],"namespace":"default"}'

Press Ctrl-C to stop.
`);
}

main().catch((err) => {
  console.error(`[dev] ${err instanceof Error ? err.message : String(err)}`);
  void shutdown(1);
});
