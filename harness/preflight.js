// Pre-flight for `npm test` (its `pretest` script): names every tool or service the suite needs that this
// machine lacks, one line each with the command that installs or starts it, and exits 1 within seconds,
// instead of a test failing deep inside after its timeout. Exit 0 and one summary line when all are there.
// Plain JavaScript with no dependencies, so that it starts in milliseconds even on a crowded machine.

import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { connect as connectTls } from 'node:tls';

/** Each check gives up after this long; they run side by side, so the whole pre-flight stays under 5 s. */
const CHECK_TIMEOUT_MS = 2_000;
const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** @param {string} binary @param {NodeJS.ProcessEnv} env */
async function onPath(binary, env) {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      await access(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** @param {string} binary @param {string} remedy */
function tool(binary, remedy) {
  return { name: binary, present: (env) => onPath(binary, env), remedy: () => remedy };
}

/** Redis answers PING at TEST_REDIS_URL (default 127.0.0.1:6379), after AUTH when the URL has a password. */
function redisAnswers(env) {
  const url = new URL(env.TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL);
  const port = Number(url.port || 6379);
  const host = url.hostname || '127.0.0.1';
  return new Promise((resolve) => {
    const socket =
      url.protocol === 'rediss:' ? connectTls({ host, port, servername: host }) : connect({ host, port });
    let reply = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(CHECK_TIMEOUT_MS, () => done(false));
    socket.on('error', () => done(false));
    socket.on(url.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      const password = decodeURIComponent(url.password);
      const user = decodeURIComponent(url.username);
      const auth = password ? `AUTH ${user ? `${user} ` : ''}${password}\r\n` : '';
      socket.write(`${auth}PING\r\n`);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('+PONG')) done(true);
      else if (reply.includes('-')) done(false);
    });
  });
}

/** @param {NodeJS.ProcessEnv} env */
function redisWhere(env) {
  const url = new URL(env.TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL);
  return `${url.hostname}:${url.port || '6379'}`;
}

export const REQUIREMENTS = [
  tool('nats-server', 'apt-get install nats-server'),
  tool('redis-server', 'apt-get install redis-server'),
  {
    name: 'Redis answering PING',
    present: redisAnswers,
    remedy: (env) =>
      env.TEST_REDIS_URL
        ? `start the Redis at ${redisWhere(env)} (TEST_REDIS_URL), or unset TEST_REDIS_URL to use 127.0.0.1:6379`
        : `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no`,
  },
  tool(
    'kubectl',
    'apt-get install kubectl (Kubernetes apt repository: https://kubernetes.io/docs/tasks/tools/)',
  ),
  tool('promtool', 'apt-get install prometheus (Debian ships promtool in it)'),
  tool('openssl', 'apt-get install openssl'),
];

/** One line per missing requirement, `missing <name>: <remedy>`; empty when everything is there. */
export async function preflight(env = process.env, requirements = REQUIREMENTS) {
  const present = await Promise.all(requirements.map((req) => req.present(env).catch(() => false)));
  return requirements.flatMap((req, i) => (present[i] ? [] : [`missing ${req.name}: ${req.remedy(env)}`]));
}

const missing = await preflight();
if (missing.length > 0) {
  process.stderr.write(
    `npm test needs what this machine lacks (see README, Quick start):\n${missing.join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write(`pre-flight: ${REQUIREMENTS.map((r) => r.name).join(', ')} present\n`);
