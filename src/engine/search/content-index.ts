import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { walkFiles } from '../walker.ts';
import { createPacer } from '../workers/pacer.ts';
import type { CompiledPattern } from './compile-pattern.ts';
import { entryText, type FileEntry, loadEntry } from './file-entry.ts';
import { type LineRange, matchLinesPaced } from './match-lines.ts';
import {
  FLAG_BINARY,
  FLAG_NO_BLOOM,
  FLAG_SECRET,
  type PackedEntries,
  packEntries,
  prefixRange,
} from './packed-entries.ts';
import { bloomTest } from './trigram-bloom.ts';
import { requiredTrigrams } from './trigram-query.ts';
import type { SearchOutcome, SearchRequest } from './types.ts';

/**
 * The warm side of search: every searchable file of a workspace in memory with a trigram
 * filter, kept true to the disk by fs.watch on each directory. Any change marks it stale;
 * stale or unbuilt, the engine answers another way and refreshes this in the background.
 */
export interface ContentIndex {
  /** Built, watched, and nothing changed since: an answer from here matches the disk. */
  isFresh(): boolean;
  /** Builds or refreshes (re-reading only changed files); joins a run already going. */
  refresh(): Promise<void>;
  search(pattern: CompiledPattern, req: SearchRequest): Promise<SearchOutcome>;
  stats(): { files: number; cachedChars: number; watchedDirs: number; watching: boolean };
  close(): void;
}

export interface ContentIndexOptions {
  /** Text kept in memory across files; past it, files are re-read per query. */
  maxCachedChars?: number;
  /** Files read at once during a build. */
  concurrency?: number;
  /** Root-relative paths never indexed nor watched (the workspace jail's `excluded`). */
  exclude?: readonly string[];
}

const DEFAULT_MAX_CACHED_CHARS = 512 * 1024 * 1024;

const WHOLE_FILE: LineRange = { start: 0, end: Number.POSITIVE_INFINITY, line: 1 };

const join2 = (a: string, b: string) => (a === '' ? b : `${a}/${b}`);

export function createContentIndex(root: string, opts: ContentIndexOptions = {}): ContentIndex {
  const maxCachedChars = opts.maxCachedChars ?? DEFAULT_MAX_CACHED_CHARS;
  const concurrency = opts.concurrency ?? 32;
  const abort = new AbortController();
  const watchers = new Map<string, FSWatcher>();
  let packed: PackedEntries = packEntries([]);
  let cachedChars = 0;
  let built = false;
  let dirty = false;
  let watchBroken = false;
  let changed = new Set<string>();
  let running: Promise<void> | undefined;

  const markDirty = (rel?: string) => {
    dirty = true;
    if (rel !== undefined) changed.add(rel);
  };

  const stopWatching = () => {
    for (const w of watchers.values()) w.close();
    watchers.clear();
  };

  function syncWatchers(dirs: readonly string[]): void {
    const wanted = new Set(['', ...dirs]);
    for (const [dir, w] of watchers) {
      if (!wanted.has(dir)) {
        w.close();
        watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (watchers.has(dir) || watchBroken) continue;
      try {
        const w = watch(dir === '' ? root : `${root}/${dir}`, { persistent: false }, (_event, name) => {
          markDirty(name ? join2(dir, name.toString()) : undefined);
        });
        w.on('error', () => markDirty());
        watchers.set(dir, w);
      } catch {
        // Out of inotify watches: without a watcher the index cannot know it is current.
        watchBroken = true;
        stopWatching();
      }
    }
  }

  async function rebuild(): Promise<void> {
    const seen = changed;
    changed = new Set();
    dirty = false;
    const { files, dirs } = await walkFiles(root, '', { signal: abort.signal, exclude: opts.exclude });
    syncWatchers(dirs);
    const old = new Map(packed.entries.map((e) => [e.rel, e]));
    const next: FileEntry[] = new Array(files.length);
    let chars = 0;
    for (let i = 0; i < files.length; i += concurrency) {
      abort.signal.throwIfAborted();
      const batch = files.slice(i, i + concurrency);
      const loaded = await Promise.all(
        batch.map(async (rel) => {
          const prev = old.get(rel);
          if (prev && !seen.has(rel) && prev.text !== undefined) {
            const info = await stat(`${root}/${rel}`).catch(() => undefined);
            if (info && info.size === prev.size && info.mtimeMs === prev.mtimeMs) return prev;
          }
          return loadEntry(root, rel, chars < maxCachedChars);
        }),
      );
      loaded.forEach((entry, k) => {
        next[i + k] = entry as FileEntry;
        chars += entry?.text?.length ?? 0;
      });
    }
    packed = packEntries(next.filter((e): e is FileEntry => e !== undefined));
    cachedChars = chars;
    built = true;
  }

  return {
    isFresh: () => built && !dirty && !watchBroken && running === undefined,
    refresh() {
      running ??= rebuild()
        .catch((err: unknown) => {
          if (!abort.signal.aborted) markDirty();
          if (!(err instanceof Error && err.name === 'AbortError')) throw err;
        })
        .finally(() => {
          running = undefined;
        });
      return running;
    },
    async search(pattern, req) {
      const mayMatch = bloomTest(requiredTrigrams(pattern.body, pattern.caseInsensitive));
      const { entries, flags, extIds, extTable, bits, offsets, shifts } = packed;
      const { blockFirst, blockStart, blockLine, blockOffsets, blockShifts, blockBits } = packed;
      const [lo, hi] = prefixRange(entries, req.path);
      const byString = req.exts.some((e) => e.includes('.')) || extTable.size >= 0xffff;
      const wanted = new Uint8Array(extTable.size + 1);
      for (const e of req.exts) {
        const id = extTable.get(e);
        if (id !== undefined) wanted[id] = 1;
      }
      const dotted = req.exts.map((e) => `.${e}`);
      // per candidate file: its index, then [start, end, first line] of runs of candidate blocks
      const candidates: { file: number; ranges: LineRange[] }[] = [];
      let filesSearched = 0;
      let secretsSkipped = 0;
      for (let i = lo; i < hi; i++) {
        if (req.exts.length > 0) {
          if (byString ? !dotted.some((e) => entries[i]!.rel.endsWith(e)) : wanted[extIds[i]!] === 0)
            continue;
        }
        filesSearched++;
        const f = flags[i]!;
        if (f & FLAG_SECRET) secretsSkipped++;
        if (f & (FLAG_SECRET | FLAG_BINARY)) continue;
        if (!(f & FLAG_NO_BLOOM) && !mayMatch(bits, offsets[i]!, shifts[i]!)) continue;
        const first = blockFirst[i]!;
        const last = blockFirst[i + 1]!;
        if (first === last) {
          candidates.push({ file: i, ranges: [WHOLE_FILE] });
          continue;
        }
        const ranges: LineRange[] = [];
        for (let b = first; b < last; b++) {
          if (!mayMatch(blockBits, blockOffsets[b]!, blockShifts[b]!)) continue;
          const end = b + 1 < last ? blockStart[b + 1]! : Number.POSITIVE_INFINITY;
          const prev = ranges.at(-1);
          if (prev && prev.end === blockStart[b]) prev.end = end;
          else ranges.push({ start: blockStart[b]!, end, line: blockLine[b]! });
        }
        if (ranges.length > 0) candidates.push({ file: i, ranges });
      }
      const hits: SearchOutcome['hits'] = [];
      let complete = true;
      const onHit = (rel: string) => (line: number, lineText: string) => {
        if (hits.length >= req.maxHits) {
          complete = false;
          return false;
        }
        hits.push({ path: rel, line, text: lineText });
        return true;
      };
      const pacer = createPacer(req.signal);
      for (const { file, ranges } of candidates) {
        await pacer.pace();
        const entry = entries[file]!;
        const text = entry.text ?? (await entryText(root, entry));
        if (text === undefined) continue;
        // a file re-read from disk may have changed since its blocks were cut: search it whole
        const within = entry.text === undefined ? [WHOLE_FILE] : ranges;
        const hit = onHit(entry.rel);
        for (const range of within) {
          await matchLinesPaced(text, pattern, hit, pacer, range, req.maxHits - hits.length);
          if (!complete) break;
        }
        if (!complete) break;
      }
      return { hits, complete, filesSearched, secretsSkipped, via: 'index' };
    },
    stats: () => ({
      files: packed.entries.length,
      cachedChars,
      watchedDirs: watchers.size,
      watching: !watchBroken,
    }),
    close() {
      abort.abort();
      stopWatching();
      packed = packEntries([]);
    },
  };
}
