import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { Policy } from '../common/policy/types.js';
import { watchPolicyFile } from '../common/policy/watch.js';
import { eventually } from '../harness/eventually.js';

async function tempPolicy(t: ExecutionContext, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-policy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'policy.yaml');
  await writeFile(path, text);
  return path;
}

test('policy watch - reloads a changed file and keeps the old policy when the new one is broken', async (t) => {
  const path = await tempPolicy(t, 'name: one\nextends: readOnly\n');
  const loaded: Policy[] = [];
  const errors: unknown[] = [];
  const log = { info: () => {}, error: (obj: unknown) => errors.push(obj) };
  const watcher = watchPolicyFile(path, (p) => loaded.push(p), log as never, { debounceMs: 30 });
  t.teardown(() => watcher.close());

  await writeFile(path, 'name: two\nextends: strict\n');
  await eventually(t, () => loaded.length === 1, { message: 'policy two loaded' });
  t.is(loaded[0]?.name, 'two');
  t.is(loaded[0]?.preset, 'strict');

  await writeFile(path, 'name: three\nextends: strict\nverbs: [delete]\n');
  await eventually(t, () => errors.length === 1, { message: 'the broken policy three reported' });
  t.is(loaded.length, 1, 'a broken file is not applied');
  t.regex(String((errors[0] as { err: Error }).err.message), /policy\.yaml:3:9/);

  await writeFile(path, 'name: four\nextends: strict\n');
  await eventually(t, () => loaded.length === 2, { message: 'policy four loaded' });
  t.is(loaded[1]?.name, 'four');
});

test('policy watch - without directory events, stat polling still reloads a replaced file', async (t) => {
  const path = await tempPolicy(t, 'name: one\nextends: readOnly\n');
  const loaded: Policy[] = [];
  const errors: unknown[] = [];
  const log = { info: () => {}, error: (obj: unknown) => errors.push(obj) };
  const noEvents = (() => {
    throw Object.assign(new Error('inotify watch limit reached'), { code: 'ENOSPC' });
  }) as never;
  const watcher = watchPolicyFile(path, (p) => loaded.push(p), log as never, {
    debounceMs: 10,
    pollMs: 50,
    watchDir: noEvents,
  });
  t.teardown(() => watcher.close());
  t.is(errors.length, 1, 'the failed watch is logged');

  // Replaced as editors and ConfigMap updates do: a new file renamed over the old one.
  await writeFile(`${path}.new`, 'name: two\nextends: strict\n');
  await rename(`${path}.new`, path);
  await eventually(t, () => loaded.length === 1, { message: 'the polling fallback loaded policy two' });
  t.is(loaded[0]?.name, 'two');
});
