import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` (debounced) when a file changes. Watches the directory, so editors and
 * atomic renames that replace the file are seen too.
 */
export function watchFile(path: string, onChange: () => void, debounceMs = 150): { close(): void } {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
      timer.unref();
    });
  } catch {
    // a directory that cannot be watched: SIGHUP still reloads
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
