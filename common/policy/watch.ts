// Reloads a policy file (gateway and agent) when it changes, through the shared file watch (directory
// events with a stat-polling fallback). A broken new file keeps the old policy and logs an error.

import { readFile } from 'node:fs/promises';
import { type FileWatchOptions, watchFileChanges } from '../file-watch.js';
import type { Logger } from '../logger.js';
import { parsePolicy } from './load.js';
import type { Policy } from './types.js';

export const POLICY_RELOAD_DEBOUNCE_MS = 200;

export interface PolicyWatcher {
  close(): void;
}

export function watchPolicyFile(
  path: string,
  onChange: (policy: Policy) => void,
  log: Pick<Logger, 'info' | 'error'>,
  options: { debounceMs?: number; initialText?: string } & Pick<FileWatchOptions, 'pollMs' | 'watchDir'> = {},
): PolicyWatcher {
  let lastText = options.initialText;
  let closed = false;

  const reload = async (): Promise<void> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      log.error({ err, path }, 'policy file unreadable, keeping the previous policy');
      return;
    }
    if (closed || text === lastText) return;
    lastText = text;
    try {
      const policy = parsePolicy(text, path);
      log.info({ path, policy: policy.name }, 'policy reloaded');
      onChange(policy);
    } catch (err) {
      log.error({ err, path }, 'policy reload failed, keeping the previous policy');
    }
  };

  const watch = watchFileChanges(path, () => void reload(), {
    debounceMs: options.debounceMs ?? POLICY_RELOAD_DEBOUNCE_MS,
    pollMs: options.pollMs,
    watchDir: options.watchDir,
    onWatchError: (err) => log.error({ err, path }, 'policy watch failed; relying on polling'),
  });

  return {
    close(): void {
      closed = true;
      watch.close();
    },
  };
}
