import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../errors.ts';
import type { GraphCall, GraphStore, GraphSymbol, IndexedFile } from '../../store/graph.ts';
import { grammarOf, languageOf } from '../languages/index.ts';
import { isSecretPath } from '../secrets.ts';
import { walkFiles } from '../walker.ts';
import { runEngineTask } from '../workers/engine-pool.ts';
import type { ExtractedFile } from './extract-file.ts';
import { createImportResolver, type ImportResolver } from './resolve-import.ts';

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
}

/** One workspace's code graph, brought up to date by a stat sweep before each answer. */
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
    names: x.bindings[specifier] ?? [],
    aliases: x.aliases[specifier] ?? {},
    reexports: x.reexports[specifier] ?? {},
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
  const progress = { total: 0, skipped: 0, parsed: 0, toParse: 0, checked: 0 };
  let job: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  /** build-full: the next sweep forgets every file first. */
  let clearFirst = false;

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
   * A file that fails is skipped and counted.
   */
  async function indexAll(todo: readonly Todo[], resolve: ImportResolver) {
    let pending: IndexedFile[] = [];
    const flush = () => {
      store.put(pending);
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

  async function sweep() {
    if (clearFirst) {
      clearFirst = false;
      store.clear();
    }
    const { files } = await walkFiles(root, '', { signal: abort.signal, exclude: opts.exclude });
    const known = store.stats();
    const present = new Set<string>();
    const todo: Todo[] = [];
    let skipped = 0;
    const candidates = files.filter(wanted);
    const infos: (Stats | undefined)[] = [];
    for (let i = 0; i < candidates.length; i += STAT_BATCH) {
      abort.signal.throwIfAborted();
      const batch = candidates.slice(i, i + STAT_BATCH);
      infos.push(...(await Promise.all(batch.map((rel) => stat(join(root, rel)).catch(() => undefined)))));
    }
    for (const [i, rel] of candidates.entries()) {
      const info = infos[i];
      if (!info?.isFile()) continue;
      if (info.size > GRAPH_MAX_FILE_BYTES) {
        skipped++;
        continue;
      }
      present.add(rel);
      const old = known.get(rel);
      if (old && old.size === info.size && old.mtimeMs === info.mtimeMs) continue;
      todo.push({ rel, size: info.size, mtimeMs: info.mtimeMs, hash: old?.hash });
    }
    const gone = [...known.keys()].filter((rel) => !present.has(rel));
    const added = todo.some((t) => !known.has(t.rel));
    progress.total = present.size;
    progress.skipped = skipped;
    progress.parsed = 0;
    progress.toParse = todo.length;
    progress.checked = 0;
    store.delete(gone);
    const resolve = createImportResolver(root, present);
    await indexAll(todo, resolve);
    // an added or removed file can change what other files' imports resolve to
    if (gone.length > 0 || added) {
      const changed = store
        .imports()
        .map((imp) => ({
          ...imp,
          next: resolve(imp.from, imp.specifier, store.file(imp.from)?.language ?? ''),
        }))
        .filter((imp) => imp.next !== imp.target)
        .map((imp) => ({ from: imp.from, specifier: imp.specifier, target: imp.next }));
      store.setImportTargets(changed);
    }
  }

  /**
   * The sweep this call waits for: the running one if none has been asked for since, else
   * one that starts after it, so a file written before the call is always seen.
   */
  function start(): Promise<void> {
    if (!job) {
      const running: Promise<void> = sweep().finally(() => {
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
    return status();
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
    store.setTokens(rows);
    return rows.reduce((sum, r) => sum + r.tokens, 0);
  }

  async function tokensOf(paths: Iterable<string>): Promise<number> {
    let total = 0;
    const missing: string[] = [];
    for (const path of new Set(paths)) {
      const tokens = store.file(path)?.tokens;
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
    return { indexed: store.counts().files, ...progress, building: job !== undefined || next !== undefined };
  }

  return {
    store,
    refresh: waitFor,
    rebuild(full, budgetMs) {
      if (full) clearFirst = true;
      return waitFor(budgetMs);
    },
    status,
    tokensOf,
    close() {
      abort.abort();
      store.close();
    },
  };
}
