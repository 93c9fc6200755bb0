// Tells a caller that one file may have changed, for files that are re-read at run time (policy, API keys).
// Two Node APIs, each covering what the other misses:
// - fs.watch on the directory, not the file: editors and Kubernetes ConfigMap updates replace the file
//   (rename, `..data` symlink swap), which a watch on the file itself never sees;
// - fs.watchFile's stat polling, which follows symlinks, as the fallback where fs.watch misses events or
//   cannot start (network filesystems, exhausted inotify watches).
// Not chokidar: its polling mode replaces native events instead of backing them up, and a ConfigMap swap
// needs the directory watch anyway; this is the whole of what the two callers need.

import { type FSWatcher, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Stat polling interval of the fallback, ms. */
export const FILE_POLL_MS = 10_000;

export interface FileWatchOptions {
  /** Quiet time after the last event before `onChange` runs, ms: a replacement is several events. */
  debounceMs: number;
  /** Stat polling interval, ms. */
  pollMs?: number;
  /** Told when fs.watch cannot start or fails; polling goes on. */
  onWatchError: (err: unknown) => void;
  /** fs.watch, replaceable so tests can take it away and see the polling fallback alone. */
  watchDir?: typeof watch;
}

export interface FileWatch {
  close(): void;
}

/**
 * Calls `onChange` (debounced) after the file at `path` was written, replaced, created or removed.
 * It may also call it when nothing changed (another file in the directory); callers compare content.
 * Neither the watch nor the poll keeps the process alive.
 */
export function watchFileChanges(path: string, onChange: () => void, opts: FileWatchOptions): FileWatch {
  const { debounceMs, pollMs = FILE_POLL_MS, onWatchError, watchDir = watch } = opts;
  const file = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
    timer.unref();
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watchDir(dirname(path), { persistent: false }, (_event, name) => {
      // ConfigMap mounts swap a `..data` symlink, so any `..` entry may be ours.
      if (name !== null && name !== file && !String(name).startsWith('..')) return;
      changed();
    });
    watcher.on('error', onWatchError);
  } catch (err) {
    onWatchError(err);
  }
  watchFile(path, { persistent: false, interval: pollMs }, changed);

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      unwatchFile(path, changed);
    },
  };
}
