// Kubently runs on Node 20 (the Dockerfile's image). Every package that ships in the runtime image must
// declare support for the oldest Node our package.json accepts, so `npm ci` prints no EBADENGINE warning for
// them and nothing needs a newer runtime feature (require() of an ES module, for one).

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import test from 'ava';
import semver from 'semver';

/** require() as `dependent` itself resolves it: npm may nest the pinned release under it. */
const requireFrom = (dependent: string) =>
  createRequire(new URL(`../node_modules/${dependent}/`, import.meta.url));

interface LockEntry {
  version?: string;
  dev?: boolean;
  engines?: { node?: string } | string[];
}

test('engines - every runtime package supports the oldest Node that package.json accepts', async (t) => {
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { engines: { node: string } };
  const oldest = semver.minVersion(pkg.engines.node)!.version;
  t.is(semver.major(oldest), 20);
  const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const refusing = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && !entry.dev)
    .flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      return range && !semver.satisfies(oldest, range)
        ? [`${path}@${entry.version} wants node ${range}`]
        : [];
    });
  t.deepEqual(refusing, [], `Node ${oldest} is refused by runtime packages`);
});

test('engines - the pinned CommonJS releases serve the calls their dependents make', (t) => {
  // @nats-io/nats-core: inbox and request ids.
  const { nuid } = requireFrom('@nats-io/nats-core')('@nats-io/nuid') as { nuid: { next(): string } };
  t.regex(nuid.next(), /^[0-9A-Za-z]{22}$/);
  // light-my-request (Fastify's inject): cookies set by a response.
  const { stringifySetCookie } = requireFrom('light-my-request')('cookie') as {
    stringifySetCookie(name: string, value: string, options?: object): string;
  };
  t.is(stringifySetCookie('a', 'b', { httpOnly: true }), 'a=b; HttpOnly');
  // @fastify/static (the /docs assets): downloads.
  const { create } = requireFrom('@fastify/static')('content-disposition') as {
    create(filename: string): string;
  };
  t.is(create('spec.json'), 'attachment; filename=spec.json');
});
