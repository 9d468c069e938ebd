import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` (debounced) when a file changes. Watches the directory, so editors and
 * atomic renames that replace the file are seen too. `onError` hears what goes wrong in the
 * background (a watcher error, a throwing `onChange`); nothing here can end the process.
 */
export function watchFile(
  path: string,
  onChange: () => void,
  opts: { debounceMs?: number; onError?: (err: unknown) => void } = {},
): { close(): void } {
  const name = basename(path);
  const onError = opts.onError ?? (() => {});
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const fire = () => {
    try {
      onChange();
    } catch (err) {
      onError(err);
    }
  };
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(fire, opts.debounceMs ?? 150);
      timer.unref();
    });
    // An 'error' event without a listener would be thrown; SIGHUP still reloads after one.
    watcher.on('error', (err) => {
      onError(err);
      watcher?.close();
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
