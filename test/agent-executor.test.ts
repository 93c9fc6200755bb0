import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { createExecutor, type ExecutorDeps } from '../agent/executor.js';
import { loadKubeAccess } from '../agent/kube-access.js';
import { createKubeClient, type KubeClient } from '../agent/kube-client.js';
import { parseCommandRequest } from '../common/command/parse.js';
import type { Command } from '../common/command/types.js';
import { createLogger } from '../common/logger.js';
import { startSim, writeKubeconfig } from '../harness/sim.js';

const log = createLogger({ level: 'silent' });

function command(line: string, overrides: Partial<Command> = {}): Command {
  return {
    ...parseCommandRequest(
      { command: line },
      { id: 'c1', clusterId: 'sim', identity: 't', sessionId: null, timeoutMs: 5000 },
    ),
    ...overrides,
  };
}

async function simClient(
  t: Parameters<typeof startSim>[0],
): Promise<{ kube: KubeClient; requests: () => number }> {
  const sim = await startSim(t);
  const kube = await createKubeClient(
    await loadKubeAccess({ inCluster: false, kubeconfigPath: await writeKubeconfig(t, sim.url) }),
  );
  t.teardown(() => kube.close());
  return { kube, requests: () => sim.requests };
}

function executor(kube: KubeClient, limits: Partial<ExecutorDeps['limits']> = {}) {
  return createExecutor({ kube, log, limits: { maxOutputBytes: 1 << 20, ...limits } });
}

test('executor - cuts output at the byte cap, marks it truncated and keeps a clear notice', async (t) => {
  const { kube } = await simClient(t);
  const result = await executor(kube, { maxOutputBytes: 300 }).execute(
    command('get pods -A'),
    AbortSignal.timeout(5000),
  );
  t.is(result.status, 'success');
  t.true(result.truncated);
  t.true(Buffer.byteLength(result.output) <= 300);
  t.regex(result.output, /output truncated at 300 bytes/);
});

test('executor - stops reading a log at the byte cap', async (t) => {
  const { kube } = await simClient(t);
  const result = await executor(kube, { maxOutputBytes: 100 }).execute(
    command('logs web-7c5ddbdf54-2xkqp'),
    AbortSignal.timeout(5000),
  );
  t.is(result.status, 'success');
  t.true(result.truncated);
  t.true(Buffer.byteLength(result.output) <= 100);
});

test('executor - applies the policy tail when none is given and caps a larger one', async (t) => {
  const { kube } = await simClient(t);
  const ex = executor(kube, { defaultLogTail: 2, maxLogTail: 3 });
  const byDefault = await ex.execute(command('logs web-7c5ddbdf54-2xkqp'), AbortSignal.timeout(5000));
  t.is(byDefault.output.trimEnd().split('\n').length, 2);
  const capped = await ex.execute(command('logs web-7c5ddbdf54-2xkqp --tail 50'), AbortSignal.timeout(5000));
  t.is(capped.output.trimEnd().split('\n').length, 3);
});

test('executor - refuses secrets without asking the apiserver, even if the policy let them through', async (t) => {
  const { kube, requests } = await simClient(t);
  const before = requests();
  const secrets = command('get pods', { targets: [{ resource: 'secrets', group: '', names: [] }] });
  const result = await executor(kube).execute(secrets, AbortSignal.timeout(5000));
  t.is(result.status, 'failure');
  t.regex(result.error ?? '', /never reads secrets/);
  t.is(requests(), before);
});

test('executor - answers timeout when the deadline fires before the apiserver answers', async (t) => {
  // An apiserver that accepts the request and never answers.
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const kube = await createKubeClient({
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tls: { skipTLSVerify: false },
    authHeaders: async () => ({}),
    describe: () => 'a silent apiserver',
  });
  t.teardown(() => kube.close());
  // A silent apiserver would hold the request forever: the abort alone ends it (ava's timeout catches a hang).
  const result = await executor(kube).execute(command('get pods'), AbortSignal.timeout(200));
  t.is(result.status, 'timeout');
});

test.serial('executor - reuses one connection for many commands (keep-alive)', async (t) => {
  const sockets = new Set<unknown>();
  const sim = await startSim(t);
  const kube = await createKubeClient(
    await loadKubeAccess({ inCluster: false, kubeconfigPath: await writeKubeconfig(t, sim.url) }),
  );
  t.teardown(() => kube.close());
  const ex = executor(kube);
  const { default: http } = await import('node:http');
  const original = http.Agent.prototype.createConnection;
  t.teardown(() => {
    http.Agent.prototype.createConnection = original;
  });
  http.Agent.prototype.createConnection = function (this: unknown, ...args: Parameters<typeof original>) {
    const socket = original.apply(this, args);
    sockets.add(socket);
    return socket;
  };
  for (let i = 0; i < 10; i++)
    t.is((await ex.execute(command('get pods'), AbortSignal.timeout(5000))).status, 'success');
  t.is(sockets.size, 1);
});

test('executor - reports a NotFound as kubectl does, with the partial output of the names found', async (t) => {
  const { kube } = await simClient(t);
  const result = await executor(kube).execute(
    command('get pod web-7c5ddbdf54-2xkqp nope'),
    AbortSignal.timeout(5000),
  );
  t.is(result.status, 'failure');
  t.regex(result.output, /^NAME +READY/);
  t.is(result.error, 'Error from server (NotFound): pods "nope" not found');
});

test('executor - every verb, describe included, answers one text without the address when the apiserver is unreachable', async (t) => {
  // A port that was just free: connecting is refused (ECONNREFUSED), and Node's message would name it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const kube = await createKubeClient(
    await loadKubeAccess({
      inCluster: false,
      kubeconfigPath: await writeKubeconfig(t, `http://127.0.0.1:${port}`),
    }),
  );
  t.teardown(() => kube.close());
  const expected = 'error: the agent could not reach the Kubernetes API (ECONNREFUSED)';
  for (const line of ['get pods', 'describe pods', 'describe pod web-0', 'describe node n1', 'logs web-0']) {
    const result = await executor(kube).execute(command(line), AbortSignal.timeout(5000));
    t.is(result.status, 'failure', line);
    t.is(result.error, expected, line);
    t.notRegex(`${result.error}${result.output}`, new RegExp(`127\\.0\\.0\\.1|${port}`), line);
  }
});
