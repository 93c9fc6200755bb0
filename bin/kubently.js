#!/usr/bin/env node
// The `kubently` command. It runs the TypeScript sources through tsx (a runtime dependency), or the
// compiled build when one exists next to it (the container image).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
