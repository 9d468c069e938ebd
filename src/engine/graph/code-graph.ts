import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError } from '../../errors.ts';
import type { GraphCall, GraphStore, GraphSymbol, IndexedFile } from '../../store/graph.ts';
import { grammarOf, languageOf } from '../languages/index.ts';
import { isSecretPath } from '../secrets.ts';
import { walkFiles } from '../walker.ts';
import { runEngineTask } from '../workers/engine-pool.ts';
import type { ExtractedFile } from './extract-file.ts';
import { createImportResolver, type ImportResolver } from './resolve-import.ts';
import { createDirWatcher, type DirWatcher, isUnder } from './watch-dirs.ts';

/** Files past this size are skipped and counted: bundles and generated code, not code to navigate. */
export const GRAPH_MAX_FILE_BYTES = 1024 * 1024;
/** Files read or parsing at once; with the rows not yet stored, what the build holds in memory. */
const IN_FLIGHT = 32;
/** Parsed files stored in one SQLite transaction. */
const PUT_FILES = 32;
/** Files read and token-counted at once when a tool asks for uncounted files' tokens. */
const COUNT_FILES = 32;
/** Files the background count after a sweep reads and counts at once (few, so queries' tasks wait little). */
const BACKFILL_FILES = 8;
/** Files stat'ed at once by the sweep. */
const STAT_BATCH = 256;
/** Directories watched per workspace; past it every query sweeps, as `ctx_graph status` says. */
export const GRAPH_MAX_WATCHED_DIRS = 10_000;
/** Changed paths applied one by one; past it a full sweep is cheaper. */
const MAX_DIRTY_PATHS = 2_000;
/** A background sweep catches what the watches missed (a lost event) at most this often. */
const SWEEP_EVERY_MS = 60_000;
/** A cold build of at least this many files loads its rows before building the query index. */
const BULK_LOAD_FILES = 256;
const GENERATED = /(\.min\.(js|css)|\.bundle\.js|[-.]lock\.(json|yaml)|\.pb\.go|_pb2\.py)$/;

export interface GraphProgress {
  /** Files the graph holds now. */
  indexed: number;
  /** Files the last sweep found to index. */
  total: number;
  /** Skipped as binary, huge or generated. */
  skipped: number;
  /** A build is still running in the background. */
  building: boolean;
  /** Files (re)parsed by the running or last build. */
  parsed: number;
  /** Files the running or last build found changed, to parse (a progress bar's whole). */
  toParse?: number;
  /** Of those, how many are done (parsed, unchanged or skipped). */
  checked?: number;
  /** Full stat sweeps run since the graph opened (a query with watched changes runs none). */
  sweeps?: number;
  /** Directories watched for changes; 0 before the first sweep or when every query sweeps. */
  watchedDirs?: number;
  /** Why changes are found by a stat sweep per query rather than by watching. */
  sweepReason?: string;
}

/**
 * One workspace's code graph, brought up to date before each answer: by the paths its directory
 * watches saw change, or by a full stat sweep (the first query, after lost events, past the
 * watch bound).
 */
export interface CodeGraph {
  readonly store: GraphStore;
  /** Starts a sweep unless one runs, and waits for it up to `budgetMs`. */
  refresh(budgetMs: number): Promise<GraphProgress>;
  /** `full` forgets every file first, so all are parsed again. */
  rebuild(full: boolean, budgetMs: number): Promise<GraphProgress>;
  /** How far things are now, starting nothing (a progress bar polls it). */
  status(): GraphProgress;
  /**
   * o200k tokens of these indexed files together (unknown paths count 0): what an agent would
   * have read. Files not counted yet are read and counted now, on the workers, and remembered.
   */
  tokensOf(paths: Iterable<string>): Promise<number>;
  close(): void;
}

export interface CodeGraphOptions {
  store: GraphStore;
  exclude?: readonly string[];
  /** Default GRAPH_MAX_WATCHED_DIRS. */
  maxWatchedDirs?: number;
}

const wanted = (rel: string) =>
  !isSecretPath(rel) && !GENERATED.test(rel) && grammarOf(languageOf(rel)) !== undefined;

function toIndexed(
  path: string,
  info: { size: number; mtimeMs: number },
  x: ExtractedFile,
  resolve: ImportResolver,
): IndexedFile {
  const language = x.outline.language ?? 'unknown';
  const symbols: GraphSymbol[] = x.outline.symbols.map((s) => ({
    path,
    name: s.name,
    qualified: s.parent ? `${s.parent}.${s.name}` : s.name,
    kind: s.kind,
    signature: s.signature,
    startLine: s.startLine,
    endLine: s.endLine,
    exported: s.exported,
  }));
  const calls: GraphCall[] = x.calls.map((c) => ({
    path,
    line: c.line,
    caller: c.caller,
    callee: c.callee,
    receiver: c.receiver,
  }));
  const specifiers = new Set([...x.outline.imports, ...Object.keys(x.bindings)]);
  const imports = [...specifiers].map((specifier) => ({
    from: path,
    specifier,
    // a worker's maps arrive as plain objects: a specifier like `constructor` must not find Object's
    names: Object.hasOwn(x.bindings, specifier) ? (x.bindings[specifier] as string[]) : [],
    aliases: Object.hasOwn(x.aliases, specifier) ? (x.aliases[specifier] as Record<string, string>) : {},
    reexports: Object.hasOwn(x.reexports, specifier)
      ? (x.reexports[specifier] as Record<string, string>)
      : {},
    target: resolve(path, specifier, language),
  }));
  if (language === 'python') {
    // `from pkg import mod` depends on pkg/mod.py as well as on the package
    for (const imp of [...imports]) {
      for (const name of imp.names) {
        const specifier = imp.specifier.endsWith('.') ? imp.specifier + name : `${imp.specifier}.${name}`;
        const target = resolve(path, specifier, language);
        if (target)
          imports.push({ from: path, specifier, names: [name], aliases: {}, reexports: {}, target });
      }
    }
  }
  return {
    file: {
      path,
      hash: x.hash,
      language,
      lines: x.lines,
      tokens: null,
      ...info,
      parser: x.outline.parser,
    },
    symbols,
    imports,
    calls,
  };
}

export function createCodeGraph(root: string, opts: CodeGraphOptions): CodeGraph {
  const { store } = opts;
  const abort = new AbortController();
  // every task of a batch listens for the close
  setMaxListeners(0, abort.signal);
  const progress = { total: 0, skipped: 0, parsed: 0, toParse: 0, checked: 0, sweeps: 0 };
  let job: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  /** build-full: the next sweep forgets every file first. */
  let clearFirst = false;
  /** A worker is building the query index after a cold build (see finishLoad). */
  let finishingLoad = false;
  /** Paths the watches saw change since the last update. */
  const dirty = new Set<string>();
  /** Only a full sweep can tell what changed: none ran yet, events were lost, or watching is off. */
  let needSweep = true;
  let lastSweepAt = 0;
  /** The files the graph holds, kept in step for the import resolver. */
  let present = new Set<string>();
  /** The running job is a periodic sweep, which a query with nothing changed does not wait for. */
  let background = false;
  const watcher: DirWatcher = createDirWatcher(root, {
    maxDirs: opts.maxWatchedDirs ?? GRAPH_MAX_WATCHED_DIRS,
    onPath(rel) {
      if (dirty.size < MAX_DIRTY_PATHS) dirty.add(rel);
      else needSweep = true;
    },
    onLost() {
      needSweep = true;
    },
  });

  type Todo = { rel: string; size: number; mtimeMs: number; hash: string | undefined };

  /** Reads and parses (on the workers) one file: its rows, undefined when unchanged, or 'skipped'. */
  async function indexOne({ rel, size, mtimeMs, hash }: Todo, resolve: ImportResolver) {
    const buf = await readFile(join(root, rel)).catch(() => undefined);
    if (!buf || buf.includes(0)) return 'skipped' as const;
    const x = await runEngineTask(
      'graphFile',
      { rel, text: buf.toString('utf8'), knownHash: hash },
      { signal: abort.signal },
    ).catch((err: unknown) => {
      abort.signal.throwIfAborted();
      if (err instanceof AppError) throw err;
      return undefined;
    });
    if (!x) return 'skipped' as const;
    if ('unchanged' in x) {
      store.touch(rel, size, mtimeMs);
      return undefined;
    }
    return toIndexed(rel, { size, mtimeMs }, x, resolve);
  }

  /**
   * Indexes `todo` with IN_FLIGHT files read or parsing at once, so the workers never wait for
   * a batch's slowest file or for the inserts; rows go to SQLite PUT_FILES files a transaction.
   * A file that fails is skipped and counted. `stored` gets the paths written.
   */
  async function indexAll(todo: readonly Todo[], resolve: ImportResolver, stored: Set<string>) {
    let pending: IndexedFile[] = [];
    const flush = () => {
      store.put(pending);
      for (const f of pending) stored.add(f.file.path);
      progress.parsed += pending.length;
      pending = [];
    };
    let next = 0;
    let failed = false;
    const lane = async () => {
      while (next < todo.length && !failed) {
        abort.signal.throwIfAborted();
        const done = await indexOne(todo[next++]!, resolve).catch((err: unknown) => {
          failed = true;
          throw err;
        });
        progress.checked++;
        if (done === 'skipped') progress.skipped++;
        else if (done) {
          pending.push(done);
          if (pending.length >= PUT_FILES) flush();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, todo.length) }, lane));
    } finally {
      // what was parsed before a failure is kept, as the batches did
      if (pending.length > 0) flush();
    }
  }

  async function statAll(rels: readonly string[]): Promise<(Stats | undefined)[]> {
    const infos: (Stats | undefined)[] = [];
    for (let i = 0; i < rels.length; i += STAT_BATCH) {
      abort.signal.throwIfAborted();
      const batch = rels.slice(i, i + STAT_BATCH);
      infos.push(...(await Promise.all(batch.map((rel) => stat(join(root, rel)).catch(() => undefined)))));
    }
    return infos;
  }

  async function sweep() {
    if (clearFirst) {
      clearFirst = false;
      store.clear();
    }
    // events from here on stay dirty, so a change during the walk is applied again afterwards
    needSweep = watcher.failed !== undefined;
    dirty.clear();
    lastSweepAt = Date.now();
    progress.sweeps++;
    const { files, dirs } = await walkFiles(root, '', { signal: abort.signal, exclude: opts.exclude });
    watcher.add(['', ...dirs]);
    const known = store.stats();
    const found = new Set<string>();
    const todo: Todo[] = [];
    let skipped = 0;
    const candidates = files.filter(wanted);
    const infos = await statAll(candidates);
    for (const [i, rel] of candidates.entries()) {
      const info = infos[i];
      if (!info?.isFile()) continue;
      if (info.size > GRAPH_MAX_FILE_BYTES) {
        skipped++;
        continue;
      }
      found.add(rel);
      const old = known.get(rel);
      if (old && old.size === info.size && old.mtimeMs === info.mtimeMs) continue;
      todo.push({ rel, size: info.size, mtimeMs: info.mtimeMs, hash: old?.hash });
    }
    const gone = [...known.keys()].filter((rel) => !found.has(rel));
    const added = todo.some((t) => !known.has(t.rel));
    progress.skipped = skipped;
    present = found;
    await apply(gone, todo, added);
    // a minute from the end: a long build is not followed at once by another sweep
    lastSweepAt = Date.now();
  }

  /** Brings in only the paths the watches saw change: their directories are listed, not the tree. */
  async function applyDirty() {
    const paths = [...dirty];
    dirty.clear();
    // a new ignore rule can hide or reveal anything below it
    if (paths.some((p) => posix.basename(p) === '.gitignore')) return sweep();
    const byDir = new Map<string, string[]>();
    for (const p of paths) {
      const dir = posix.dirname(p) === '.' ? '' : posix.dirname(p);
      byDir.set(dir, [...(byDir.get(dir) ?? []), p]);
    }
    const walk = { signal: abort.signal, exclude: opts.exclude };
    const changed = new Set<string>();
    const removed = new Set<string>();
    const unlisted = new Set<string>();
    for (const [dir, inDir] of byDir) {
      const listing = await walkFiles(root, dir, { ...walk, maxDepth: 0 });
      const files = new Set(listing.files);
      const subdirs = new Set(listing.dirs);
      for (const p of inDir) {
        if (files.has(p)) changed.add(p);
        else if (subdirs.has(p)) {
          // created or renamed in: everything under it, and what used to be there is gone
          removed.add(p);
          const inner = await walkFiles(root, p, walk);
          watcher.add([p, ...inner.dirs]);
          for (const f of inner.files) changed.add(f);
        } else {
          removed.add(p);
          unlisted.add(p);
        }
      }
    }
    watcher.remove(unlisted);
    const gone = new Set<string>();
    if (removed.size > 0) for (const f of present) if (isUnder(removed, f) && !changed.has(f)) gone.add(f);
    const candidates = [...changed].filter(wanted);
    const infos = await statAll(candidates);
    const todo: Todo[] = [];
    for (const [i, rel] of candidates.entries()) {
      const info = infos[i];
      if (!info?.isFile() || info.size > GRAPH_MAX_FILE_BYTES) {
        gone.add(rel);
        continue;
      }
      const old = store.file(rel);
      if (old && old.size === info.size && old.mtimeMs === info.mtimeMs) continue;
      todo.push({ rel, size: info.size, mtimeMs: info.mtimeMs, hash: old?.hash });
    }
    const goneHeld = [...gone].filter((rel) => present.has(rel));
    const added = todo.some((t) => !present.has(t.rel));
    for (const rel of goneHeld) present.delete(rel);
    for (const t of todo) present.add(t.rel);
    await apply(goneHeld, todo, added);
  }

  /** Removes `gone`, indexes `todo`, and re-resolves imports when the set of files changed. */
  async function apply(gone: readonly string[], todo: Todo[], added: boolean) {
    progress.total = present.size;
    progress.parsed = 0;
    progress.toParse = todo.length;
    progress.checked = 0;
    if (gone.length > 0) store.delete(gone);
    const resolve = createImportResolver(root, present);
    const stored = new Set<string>();
    const loading = todo.length >= BULK_LOAD_FILES ? store.beginLoad() : undefined;
    try {
      await indexAll(todo, resolve, stored);
    } finally {
      if (loading !== undefined) await finishLoad(loading);
    }
    // an added or removed file can change what other files' imports resolve to; the files just
    // stored were resolved by this same resolver, and when they are all there is (a cold build)
    // nothing is left to look at
    if ((gone.length > 0 || added) && stored.size < store.fileCount()) {
      const languages = new Map<string, string>();
      const languageAt = (path: string) => {
        let language = languages.get(path);
        if (language === undefined) {
          language = store.file(path)?.language ?? '';
          languages.set(path, language);
        }
        return language;
      };
      const changed = store
        .imports()
        .filter((imp) => !stored.has(imp.from))
        .map((imp) => ({ ...imp, next: resolve(imp.from, imp.specifier, languageAt(imp.from)) }))
        .filter((imp) => imp.next !== imp.target)
        .map((imp) => ({ from: imp.from, specifier: imp.specifier, target: imp.next }));
      store.setImportTargets(changed);
    }
  }

  /** What a query must wait for: a full sweep, the watched changes, or nothing. */
  function update(): Promise<void> {
    if (needSweep || clearFirst) return sweep();
    if (dirty.size > 0) return applyDirty();
    return Promise.resolve();
  }

  /** A sweep now and then catches what the watches missed; queries with nothing changed do not wait. */
  function sweepInBackground() {
    if (job || next || needSweep || Date.now() - lastSweepAt < SWEEP_EVERY_MS) return;
    background = true;
    const running: Promise<void> = sweep().finally(() => {
      background = false;
      if (job === running) job = undefined;
    });
    job = running;
    running.catch(() => {});
  }

  /**
   * The update this call waits for: the running one if none has been asked for since, else
   * one that starts after it, so a file written before the call is always seen.
   */
  function start(): Promise<void> {
    if (!job) {
      const running: Promise<void> = update().finally(() => {
        if (job === running) job = undefined;
        backfill();
      });
      job = running;
      return running;
    }
    next ??= job
      .catch(() => {})
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  }

  async function waitFor(budgetMs: number): Promise<GraphProgress> {
    // inotify events the kernel queued before this call reach `dirty` in the next poll phase,
    // which lies between this turn's check phase and the next one's
    await nextTurn();
    await nextTurn();
    const settled = !needSweep && !clearFirst && dirty.size === 0;
    if (settled && (!job || (background && !next))) {
      sweepInBackground();
      return status();
    }
    const running = start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((done) => {
      timer = setTimeout(() => done('timeout'), budgetMs);
      timer.unref();
    });
    const outcome = await Promise.race([running.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'done')
      await running; // surfaces a walk error
    else running.catch(() => {}); // a background build that fails is retried by the next query
    sweepInBackground();
    return status();
  }

  /**
   * Builds the query index a cold build left out, on a worker: SQLite takes seconds for a large
   * graph, which must not stop the event loop. Meanwhile token counts are not stored (the worker
   * holds the write lock); they are counted again when next needed.
   */
  async function finishLoad(file: string) {
    finishingLoad = true;
    try {
      // a failure leaves the narrow index (answers stay right, callers slower); the next open finishes it
      await runEngineTask('finishGraphLoad', file, { deadlineMs: 10 * 60_000 }).catch(() => undefined);
    } finally {
      finishingLoad = false;
    }
  }

  /** Reads and counts these files on the workers and stores each count against the hash it was counted on. */
  async function countAndStore(paths: readonly string[]): Promise<number> {
    const counted = await Promise.all(
      paths.map(async (path) => {
        const buf = await readFile(join(root, path)).catch(() => undefined);
        if (!buf) return undefined;
        const text = buf.toString('utf8');
        const tokens = await runEngineTask('countTokens', text, { signal: abort.signal });
        return { path, hash: createHash('sha256').update(text).digest('hex'), tokens };
      }),
    );
    const rows = counted.filter((c) => c !== undefined);
    // a file changed since the index stays uncounted: its count is not the indexed content's
    if (!finishingLoad) store.setTokens(rows);
    return rows.reduce((sum, r) => sum + r.tokens, 0);
  }

  async function tokensOf(paths: Iterable<string>): Promise<number> {
    let total = 0;
    const missing: string[] = [];
    const wanted = [...new Set(paths)];
    const stored = store.fileTokens(wanted);
    for (const path of wanted) {
      const tokens = stored.get(path);
      if (typeof tokens === 'number') total += tokens;
      else if (tokens === null) missing.push(path);
    }
    for (let i = 0; i < missing.length; i += COUNT_FILES)
      total += await countAndStore(missing.slice(i, i + COUNT_FILES));
    return total;
  }

  let backfilling = false;
  /**
   * After a sweep, counts the files not counted yet in the background, BACKFILL_FILES at a time,
   * so most answers find their figures stored; it stops while a sweep runs and the next resumes it.
   */
  function backfill() {
    if (backfilling || abort.signal.aborted) return;
    backfilling = true;
    (async () => {
      const paths = store.uncounted();
      for (let i = 0; i < paths.length && !job && !abort.signal.aborted; i += BACKFILL_FILES)
        await countAndStore(paths.slice(i, i + BACKFILL_FILES));
    })()
      .catch(() => {}) // closed, or a file gone: the next sweep's backfill tries again
      .finally(() => {
        backfilling = false;
      });
  }

  function status(): GraphProgress {
    return {
      indexed: store.fileCount(),
      ...progress,
      building: (job !== undefined && !background) || next !== undefined,
      watchedDirs: watcher.size,
      sweepReason: watcher.failed,
    };
  }

  return {
    store,
    refresh: waitFor,
    rebuild(full, budgetMs) {
      if (full) clearFirst = true;
      else needSweep = true;
      return waitFor(budgetMs);
    },
    status,
    tokensOf,
    close() {
      watcher.close();
      abort.abort();
      store.close();
    },
  };
}
