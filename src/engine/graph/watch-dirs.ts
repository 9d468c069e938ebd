import { type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';

/** One inotify watch per directory, so a query knows which paths changed without walking the tree. */
export interface DirWatcher {
  /** Starts watching these root-relative directories ('' is the root); false once over the bound. */
  add(dirs: Iterable<string>): boolean;
  /** Stops watching these directories and every directory under them (removed or renamed away). */
  remove(dirs: ReadonlySet<string>): void;
  /** How many directories are watched. */
  readonly size: number;
  /** Why watching stopped (over the bound, a watch failed); the caller then sweeps instead. */
  readonly failed: string | undefined;
  close(): void;
}

export interface DirWatcherOptions {
  maxDirs: number;
  /** A root-relative path changed (created, written, removed or renamed in or out). */
  onPath(rel: string): void;
  /** Events were lost or a watch broke: only a full sweep can tell what changed. */
  onLost(reason: string): void;
}

/** Whether `rel` or a directory above it is in `set`. */
export function isUnder(set: ReadonlySet<string>, rel: string): boolean {
  for (let at = rel.length; at > 0; at = rel.lastIndexOf('/', at - 1))
    if (set.has(rel.slice(0, at))) return true;
  return false;
}

/**
 * Per-directory `fs.watch` rather than `{ recursive: true }`: Node 20's recursive mode on Linux
 * watches every directory, node_modules and ignored trees included, while the caller hands
 * over only the directories its gitignore-aware walk entered.
 */
export function createDirWatcher(root: string, opts: DirWatcherOptions): DirWatcher {
  const watchers = new Map<string, FSWatcher>();
  let failed: string | undefined;

  function fail(reason: string) {
    if (failed) return;
    failed = reason;
    for (const w of watchers.values()) w.close();
    watchers.clear();
    opts.onLost(reason);
  }

  function watchOne(dir: string) {
    if (watchers.has(dir)) return;
    let w: FSWatcher;
    try {
      w = watch(dir === '' ? root : join(root, dir), { persistent: false });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // gone since the walk listed it: its parent's watch reports the removal
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      fail(
        code === 'ENOSPC'
          ? "the system's inotify watch limit (fs.inotify.max_user_watches) was reached"
          : `watching ${dir || '.'} failed (${code})`,
      );
      return;
    }
    w.on('change', (_event, name) => {
      if (name == null) return opts.onLost(`an event in ${dir || '.'} named no file`);
      const file = name.toString();
      opts.onPath(dir === '' ? file : `${dir}/${file}`);
    });
    w.on('error', () => {
      w.close();
      watchers.delete(dir);
      opts.onLost(`the watch on ${dir || '.'} broke`);
    });
    watchers.set(dir, w);
  }

  return {
    add(dirs) {
      if (failed) return false;
      for (const dir of dirs) {
        if (watchers.size >= opts.maxDirs && !watchers.has(dir)) {
          fail(`more than ${opts.maxDirs.toLocaleString('en-US')} directories to watch`);
          return false;
        }
        watchOne(dir);
        if (failed) return false;
      }
      return true;
    },
    remove(dirs) {
      if (dirs.size === 0) return;
      for (const [d, w] of watchers) {
        if (d === '' || !isUnder(dirs, d)) continue;
        w.close();
        watchers.delete(d);
      }
    },
    get size() {
      return watchers.size;
    },
    get failed() {
      return failed;
    },
    close() {
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
