// Reloads the agent's policy file when it changes. The directory is watched, not the file: editors
// and Kubernetes ConfigMap updates replace the file (rename, symlink swap) rather than write into it.
// A broken new file keeps the old policy and logs an error.

import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
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
  options: { debounceMs?: number; initialText?: string } = {},
): PolicyWatcher {
  const debounceMs = options.debounceMs ?? POLICY_RELOAD_DEBOUNCE_MS;
  let lastText = options.initialText;
  let timer: NodeJS.Timeout | undefined;
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

  const file = basename(path);
  const watcher: FSWatcher = watch(dirname(path), (_event, changed) => {
    // ConfigMap mounts swap a `..data` symlink, so any change in the directory may be ours.
    if (changed !== null && changed !== file && !changed.startsWith('..')) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
  });
  watcher.on('error', (err) => log.error({ err, path }, 'policy watch failed'));

  return {
    close(): void {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
