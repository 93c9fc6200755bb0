// The generator of the users file nats.conf includes.

import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import bcrypt from 'bcryptjs';
import { parseTokensFile, renderAgentsConfigFile } from '../common/nats-config/command.js';
import { permissionsForAgent } from '../common/nats-config/permissions.js';
import { renderAgentsConfig, USERS_FILE_NAME } from '../common/nats-config/render.js';
import { randomToken } from '../harness/nats-server.js';
import { PROJECT_NATS_CONF } from '../scripts/lib/nats-server.js';

const run = promisify(execFile);

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-nats-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('nats config - agents get bcrypt hashes, never the token, and nats-server accepts the result', async (t) => {
  const tokens = { alpha: randomToken(), 'prod-eu-1': randomToken() };
  const text = await renderAgentsConfig(tokens, { bcryptCost: 4 });
  for (const token of Object.values(tokens)) t.false(text.includes(token));
  const hashes = [...text.matchAll(/password: "(\$2[ab]\$04\$[^"]+)"/g)].map((m) => m[1]!);
  t.is(hashes.length, 2);
  t.true(await bcrypt.compare(tokens.alpha, hashes[0]!));
  t.true(await bcrypt.compare(tokens['prod-eu-1'], hashes[1]!));
  // Service passwords stay environment references.
  t.regex(text, /user: "gateway", password: \$KUBENTLY_NATS_GATEWAY_PASSWORD/);

  const dir = await tempDir(t);
  await copyFile(PROJECT_NATS_CONF, join(dir, 'nats.conf'));
  await writeFile(join(dir, USERS_FILE_NAME), text);
  const env = {
    ...process.env,
    KUBENTLY_NATS_GATEWAY_PASSWORD: '"a"',
    KUBENTLY_NATS_AUDIT_PASSWORD: '"b"',
    KUBENTLY_NATS_ADMIN_PASSWORD: '"c"',
  };
  const { stderr } = await run('nats-server', ['-t', '-c', join(dir, 'nats.conf')], { env });
  t.regex(stderr, /configuration file .* is valid/);
});

test('nats config - refuses bad cluster ids and short tokens without echoing the token', async (t) => {
  const short = 'deadbeef';
  const err = await t.throwsAsync(renderAgentsConfig({ alpha: short }, { bcryptCost: 4 }));
  t.regex(err.message, /cluster "alpha" is shorter than 32/);
  t.false(err.message.includes(short));
  await t.throwsAsync(renderAgentsConfig({ 'Bad.Id': randomToken() }, { bcryptCost: 4 }), {
    message: /invalid cluster id "Bad.Id"/,
  });
  await t.throwsAsync(renderAgentsConfig({ alpha: 'x'.repeat(80) }, { bcryptCost: 4 }), {
    message: /longer than 72/,
  });
  await t.throwsAsync(renderAgentsConfig({ alpha: randomToken() }, { bcryptCost: 3 }), {
    instanceOf: RangeError,
  });
});

test('nats config - an agent may reach only its own consumer, result, heartbeat and inbox subjects', (t) => {
  const p = permissionsForAgent('alpha');
  t.deepEqual(p.publish.allow, [
    '$JS.API.CONSUMER.MSG.NEXT.KUBENTLY_CMD.agent-alpha',
    '$JS.API.CONSUMER.INFO.KUBENTLY_CMD.agent-alpha',
    '$JS.ACK.KUBENTLY_CMD.agent-alpha.>',
    'kubently.result.alpha.*',
    'kubently.heartbeat.alpha',
  ]);
  t.deepEqual(p.subscribe.allow, ['_INBOX_agent_alpha.>']);
  for (const guard of [
    '$JS.API.STREAM.>',
    '$KV.>',
    '$SYS.>',
    'kubently.audit.>',
    '$JS.API.CONSUMER.DELETE.>',
  ]) {
    t.true(p.publish.deny?.includes(guard), guard);
  }
  t.throws(() => permissionsForAgent('a.b'), { instanceOf: TypeError });
});

test('nats config - reads tokens as JSON or cluster=token lines and refuses duplicates', (t) => {
  t.deepEqual(parseTokensFile('{"alpha":"t1","beta":"t2"}'), { alpha: 't1', beta: 't2' });
  t.deepEqual(parseTokensFile('# comment\nalpha = t1\n\nbeta=t2=x\n'), { alpha: 't1', beta: 't2=x' });
  t.throws(() => parseTokensFile('alpha=t1\nalpha=t2\n'), { message: /appears twice/ });
  t.throws(() => parseTokensFile('just-a-token\n'), { message: /line 1: expected <cluster>=<token>/ });
  const err = t.throws(() => parseTokensFile('{"alpha": secret-token}'));
  t.false(err?.message.includes('secret-token'));
});

test('nats config - `kubently nats-config --out` writes what the module renders, readable by its owner only', async (t) => {
  const dir = await tempDir(t);
  const tokensFile = join(dir, 'tokens.env');
  await writeFile(tokensFile, `alpha=${randomToken()}\n`);
  const viaFunction = await renderAgentsConfigFile(tokensFile, 4);
  const viaCli = join(dir, 'b.conf');
  const { stderr } = await run(process.execPath, [
    'bin/kubently.js',
    'nats-config',
    '--tokens',
    tokensFile,
    '--out',
    viaCli,
    '--bcrypt-cost',
    '4',
  ]);
  t.regex(stderr, /wrote .*b\.conf/);
  // Same users and permissions; only the bcrypt salts differ.
  const strip = (s: string) => s.replace(/"\$2[ab]\$[^"]+"/g, 'HASH');
  t.is(strip(await readFile(viaCli, 'utf8')), strip(viaFunction));
  t.is((await stat(viaCli)).mode & 0o777, 0o600);
});
