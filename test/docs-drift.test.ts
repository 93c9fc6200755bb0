// Keeps documentation and comments true as the code changes: README's configuration table names every
// environment variable a config module reads, and no comment cites a file the repository does not have.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import test from 'ava';

const ROOT = join(import.meta.dirname, '..');

/**
 * The modules that read the environment: each service's config, the NATS client settings they share, the
 * provisioning script and the CLI's settings. Every file that builds an EnvReader must be one of them
 * (checked below), so a new config module cannot hide from README.
 */
const CONFIG_MODULES = [
  'gateway/config.ts',
  'agent/config.ts',
  'audit/config.ts',
  'common/nats-options.ts',
  'scripts/provision.ts',
  'cli/settings.ts',
  'scripts/lib/dev-env.ts',
];
/** Derived, generated or foreign names a comment may cite without the repository holding them. */
const NOT_IN_REPOSITORY = new Set([
  'kubently-operator.conf', // written by `kubently nats-config init`
]);
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'results', 'coverage']);

function sourceFiles(dir = ROOT): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else out.push(path.slice(ROOT.length + 1));
  }
  return out;
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Names read through EnvReader (`r.int('PORT', …)`; `secret('X')` also reads `X_FILE`) or as `env.NAME`. */
function envNamesIn(source: string): { names: Set<string>; secrets: Set<string> } {
  const names = new Set<string>();
  const secrets = new Set<string>();
  for (const m of source.matchAll(
    /\.(string|int|bool|list|required|oneOf|secret)\(\s*'([A-Z][A-Z0-9_]*)'/g,
  )) {
    names.add(m[2]!);
    if (m[1] === 'secret') secrets.add(m[2]!);
  }
  for (const m of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]!);
  return { names, secrets };
}

/** Every `NAME` in backticks inside README's "Configuration" section (tables and text). */
function readmeConfigNames(): { names: Set<string>; fileSecrets: boolean } {
  const readme = read('README.md');
  const start = readme.indexOf('\n## Configuration');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const names = new Set<string>();
  for (const span of section.matchAll(/`([^`]+)`/g)) {
    for (const m of span[1]!.matchAll(/[A-Z][A-Z0-9_]{2,}/g)) names.add(m[0]);
  }
  return { names, fileSecrets: section.includes('`<NAME>_FILE`') };
}

test('envNamesIn - finds EnvReader reads, secrets with their _FILE form, and env.NAME', (t) => {
  const found = envNamesIn("r.int('PORT', 1); r.secret('REDIS_PASSWORD'); env.HOME; r.string(name)");
  t.deepEqual([...found.names].sort(), ['HOME', 'PORT', 'REDIS_PASSWORD']);
  t.deepEqual([...found.secrets], ['REDIS_PASSWORD']);
});

test('README - the configuration section names every environment variable a config module reads', (t) => {
  const readme = readmeConfigNames();
  const missing: string[] = [];
  for (const module of CONFIG_MODULES) {
    const { names, secrets } = envNamesIn(read(module));
    t.true(names.size > 0, `${module} reads no variable: is it still a config module?`);
    // secret('X') also reads X_FILE: README says so once for all of them.
    if (secrets.size > 0) t.true(readme.fileSecrets, 'README says secrets may be given as `<NAME>_FILE`');
    for (const name of names) if (!readme.names.has(name)) missing.push(`${name} (${module})`);
  }
  t.deepEqual(missing, [], 'add these to README.md ## Configuration');
});

test('README - every module that builds an EnvReader is checked as a config module', (t) => {
  const readers = sourceFiles()
    .filter((f) => f.endsWith('.ts') && !f.startsWith('test/') && f !== 'common/env.ts')
    .filter((f) => read(f).includes('new EnvReader('));
  t.deepEqual(
    readers.filter((f) => !CONFIG_MODULES.includes(f)),
    [],
  );
});

test('comments - no comment cites a file the repository does not hold', (t) => {
  const files = sourceFiles();
  const paths = new Set(files);
  const dirs = new Set(
    files.flatMap((f) =>
      f
        .split('/')
        .slice(0, -1)
        .map((_, i, a) => a.slice(0, i + 1).join('/')),
    ),
  );
  const basenames = new Set(files.map((f) => basename(f)));
  const exists = (cited: string, from: string) =>
    NOT_IN_REPOSITORY.has(cited) ||
    [cited, normalize(join(dirname(from), cited))].some((p) => paths.has(p) || dirs.has(p)) ||
    (cited.includes('/') ? files.some((f) => f.endsWith(`/${cited}`)) : basenames.has(cited));
  // A path-like token ending in a source or document extension, not part of a URL, a home path or a package.
  const cite = /(?<![\w@$~./-])((?:\.{1,2}\/)?[\w.-]+(?:\/[\w.*-]+)*\.(?:ts|md|ya?ml|conf|sh))(?![\w/-])/g;
  const problems: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.ts') || f.endsWith('.conf'))) {
    read(file)
      .split('\n')
      .forEach((line, i) => {
        const trimmed = line.trim();
        const comment = file.endsWith('.conf')
          ? line.split('#')[1]
          : /^(\/\/|\/\*|\*)/.test(trimmed)
            ? trimmed
            : line.split(' // ')[1];
        for (const m of comment?.matchAll(cite) ?? []) {
          if (!m[1]!.includes('*') && !exists(m[1]!, file)) problems.push(`${file}:${i + 1} cites ${m[1]}`);
        }
      });
  }
  t.deepEqual(problems, []);
});
