// Rotating and revoking an agent token is a config reload: the old token stops working, nobody else notices.

import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { AuthorizationError } from '@nats-io/nats-core';
import test from 'ava';
import { createLogger } from '../common/logger.js';
import { connectNats } from '../common/nats-connect.js';
import { natsPassword } from '../common/nats-options.js';
import { agentInboxPrefix, agentUserName } from '../common/subjects.js';
import { eventually } from '../harness/eventually.js';
import { connectAs, randomToken, startNats } from '../harness/nats-server.js';

/** Resolves with the error the connection was closed with (undefined for a clean close). */
function closedWith(nc: NatsConnection): Promise<Error | undefined> {
  return nc.closed().then((err) => err ?? undefined);
}

test('nats rotation - a reload with a new token closes the old session, refuses the old token, accepts the new one', async (t) => {
  const tokens = { alpha: randomToken(), beta: randomToken() };
  const server = await startNats(t, { agentTokens: tokens });
  const alphaOld = await connectAs(t, server, { agent: 'alpha' }, { maxReconnectAttempts: 3 });
  const beta = await connectAs(t, server, { agent: 'beta' });
  const gateway = await connectAs(t, server, 'gateway');
  const betaStatuses: string[] = [];
  void (async () => {
    for await (const s of beta.status()) betaStatuses.push(s.type);
  })();

  const oldToken = tokens.alpha;
  const newToken = randomToken();
  await server.reload({ ...tokens, alpha: newToken });

  // The server re-checks connected clients on reload; the stale token cannot reconnect either.
  const err = await closedWith(alphaOld);
  t.true(err instanceof AuthorizationError, `closed with ${err}`);
  await t.throwsAsync(connectAs(t, server, { agent: 'alpha' }, { pass: oldToken }), {
    instanceOf: AuthorizationError,
  });

  const alphaNew = await connectAs(t, server, { agent: 'alpha' });
  await t.notThrowsAsync(alphaNew.flush());

  // Other agents and services kept their sessions.
  await beta.flush();
  await gateway.flush();
  t.false(beta.isClosed());
  t.false(gateway.isClosed());
  t.deepEqual(
    betaStatuses.filter((s) => s !== 'ping'),
    [],
  );
});

test('nats rotation - removing a cluster disconnects its agent for good and leaves the others connected', async (t) => {
  const tokens = { alpha: randomToken(), beta: randomToken() };
  const server = await startNats(t, { agentTokens: tokens });
  const alpha = await connectAs(t, server, { agent: 'alpha' });
  const beta = await connectAs(t, server, { agent: 'beta' }, { maxReconnectAttempts: 3 });

  await server.reload({ alpha: tokens.alpha });

  const err = await closedWith(beta);
  t.true(err instanceof AuthorizationError, `closed with ${err}`);
  await t.throwsAsync(connectAs(t, server, { agent: 'beta' }, { pass: tokens.beta }), {
    instanceOf: AuthorizationError,
  });
  await alpha.flush();
  t.false(alpha.isClosed());
});

test('nats rotation - a token the generator refuses never reaches the server, which keeps its config', async (t) => {
  const tokens = { alpha: randomToken() };
  const server = await startNats(t, { agentTokens: tokens });
  await t.throwsAsync(server.reload({ alpha: 'short' }), { message: /shorter than 32 characters/ });
  const alpha = await connectAs(t, server, { agent: 'alpha' });
  await t.notThrowsAsync(alpha.flush());
});

test('nats rotation - a reload nats-server refuses is reported and the running config stays in force', async (t) => {
  const tokens = { alpha: randomToken() };
  const server = await startNats(t, { agentTokens: tokens });
  await appendFile(server.configPath, '\nthis is not { valid\n');
  await t.throwsAsync(server.reload({ alpha: randomToken() }), { message: /refused the new configuration/ });
  // The old token still works: the server did not apply anything.
  const alpha = await connectAs(t, server, { agent: 'alpha' }, { pass: tokens.alpha });
  await t.notThrowsAsync(alpha.flush());
});

test('nats rotation - an agent that reads its token file on each connect rides a rotation without a restart', async (t) => {
  const tokens = { alpha: randomToken() };
  const server = await startNats(t, { agentTokens: tokens });
  const dir = await mkdtemp(join(tmpdir(), 'kubently-token-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${tokens.alpha}\n`);
  const nc = await connectNats({
    servers: server.url,
    name: 'agent-alpha',
    user: agentUserName('alpha'),
    // As agent/main.ts does with AGENT_TOKEN_FILE.
    pass: natsPassword({ passFile: tokenFile }),
    inboxPrefix: agentInboxPrefix('alpha'),
    log: createLogger({ level: 'silent' }),
  });
  t.teardown(() => nc.close());
  const reconnected = async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') return;
  };

  // The Secret changes first (kubelet updates the mounted file), then the server config is reloaded:
  // the server drops the old session and the client logs straight back in with the new token.
  const second = randomToken();
  await writeFile(tokenFile, `${second}\n`);
  let back = reconnected();
  await server.reload({ alpha: second });
  await back;
  await t.notThrowsAsync(nc.flush());

  // The other order: the server refuses the old token before the file is updated; the client keeps
  // trying and gets in once the new token is there.
  const third = randomToken();
  back = reconnected();
  let attempts = 0;
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnecting') attempts++;
  })();
  await server.reload({ alpha: third });
  // Each refused attempt is one 'reconnecting': after several, the client has not given up.
  await eventually(t, () => attempts >= 3, { message: 'the client tried the refused token three times' });
  t.false(nc.isClosed(), 'still retrying after repeated authorization errors');
  await writeFile(tokenFile, `${third}\n`);
  await back;
  await t.notThrowsAsync(nc.flush());
});

test('nats password - a file is re-read on each call and a failed read keeps the last good value', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-token-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'token');
  await writeFile(file, 'first-token\n');
  const pass = natsPassword({ passFile: file });
  if (typeof pass !== 'function') return t.fail('a file gives a function');
  t.is(pass(), 'first-token');
  await writeFile(file, 'second-token\n');
  t.is(pass(), 'second-token');
  await rm(file);
  t.is(pass(), 'second-token');
  t.is(natsPassword({ pass: 'inline' }), 'inline');
});
