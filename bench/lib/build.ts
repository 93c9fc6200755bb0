// Production runs the compiled JavaScript (Dockerfile: node dist/gateway/main.js), so the benchmarks
// compile the gateway and the agent into tmp/bench-build first; tsx's loader alone adds ~60 MB of RSS.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../harness/service-process.js';

export interface EntryPoints {
  gateway: string;
  agent: string;
  mode: 'tsx' | 'compiled';
}

export function entryPoints(useTsx: boolean): EntryPoints {
  if (useTsx) return { gateway: 'gateway/main.ts', agent: 'agent/main.ts', mode: 'tsx' };
  const outDir = 'tmp/bench-build';
  try {
    execFileSync(
      process.execPath,
      [
        join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        outDir,
        '--sourceMap',
        'false',
      ],
      { cwd: PROJECT_ROOT, stdio: 'pipe' },
    );
  } catch {
    // Type errors elsewhere in the tree still emit JavaScript; only a missing output is fatal.
  }
  const gateway = join(outDir, 'gateway/main.js');
  const agent = join(outDir, 'agent/main.js');
  if (!existsSync(join(PROJECT_ROOT, gateway)) || !existsSync(join(PROJECT_ROOT, agent)))
    throw new Error(`compiling into ${outDir} produced no entry points; try --tsx`);
  return { gateway, agent, mode: 'compiled' };
}
