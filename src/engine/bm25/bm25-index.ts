import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../../errors.ts';
import { MAX_PARSE_CHARS } from '../languages/index.ts';
import { OUTLINE_INLINE_MAX_CHARS, outlineFileHere } from '../languages/outline-file.ts';
import { isSecretPath } from '../secrets.ts';
import { walkFiles } from '../walker.ts';
import { runEngineTask } from '../workers/engine-pool.ts';
import { createPacer } from '../workers/pacer.ts';
import { type Chunk, chunkFile } from './chunk-file.ts';
import { createChunkStore } from './chunk-store.ts';
import { type RankedChunk, scoreChunks } from './score-chunks.ts';
import { tokenize } from './tokenize.ts';

export type { RankedChunk };

export interface UpdateReport {
  /** Files under the prefix the index covers now. */
  indexed: number;
  /** Files still being indexed in the background when the time budget ran out. */
  pending: number;
  /** Files (re)parsed by this call. */
  parsed: number;
}

/**
 * BM25 over symbol-sized chunks of a workspace, kept per file and refreshed by size and
 * mtime before each query. A large first build does not block: past the time budget it
 * goes on in the background and the answer says how much is covered.
 */
export interface Bm25Index {
  update(prefix: string, budgetMs: number): Promise<UpdateReport>;
  /** Ranks every chunk in scope, sharing the event loop with other requests while it does. */
  search(
    query: string,
    opts: { prefix: string; topK: number; accept?: (path: string) => boolean; signal?: AbortSignal },
  ): Promise<RankedChunk[]>;
  /** Forgets files under the prefix, so the next update parses them again. */
  clear(prefix: string): void;
  close(): void;
}

interface FileRecord {
  size: number;
  mtimeMs: number;
  chunks: Chunk[];
}

const under = (prefix: string) => (rel: string) => prefix === '' || rel.startsWith(`${prefix}/`);

/** A file's chunks: small files on this thread, larger ones parsed on a worker. */
async function chunksOf(rel: string, text: string, signal: AbortSignal): Promise<Chunk[]> {
  if (text.length <= OUTLINE_INLINE_MAX_CHARS) return chunkFile(rel, text, await outlineFileHere(rel, text));
  return runEngineTask('chunkFile', { rel, text }, { signal });
}

export interface Bm25Options {
  /** A SQLite file to keep chunks in across restarts; without it the index lives in memory. */
  dbPath?: string;
  /** Root-relative paths never indexed (the workspace jail's `excluded`). */
  exclude?: readonly string[];
}

export function createBm25Index(root: string, opts: Bm25Options = {}): Bm25Index {
  const store = opts.dbPath === undefined ? undefined : createChunkStore(opts.dbPath);
  // a restart starts from what was stored; size and mtime decide which files to parse again
  const records: Map<string, FileRecord> = store?.loadAll() ?? new Map();
  const forget = (rel: string) => {
    if (records.delete(rel)) store?.delete(rel);
  };
  const abort = new AbortController();
  const jobs = new Map<string, { done: Promise<void>; pending: number; parsed: number }>();

  async function indexFile(rel: string): Promise<boolean> {
    const info = await stat(`${root}/${rel}`).catch(() => undefined);
    if (!info) {
      forget(rel);
      return false;
    }
    const old = records.get(rel);
    if (old && old.size === info.size && old.mtimeMs === info.mtimeMs) return false;
    let chunks: Chunk[] = [];
    if (info.size <= MAX_PARSE_CHARS) {
      const buf = await readFile(`${root}/${rel}`).catch(() => undefined);
      if (buf && !buf.includes(0)) {
        const text = buf.toString('utf8');
        // a file the worker cannot finish by its deadline is kept without chunks until it changes
        chunks = await chunksOf(rel, text, abort.signal).catch((err: unknown) => {
          abort.signal.throwIfAborted();
          if (err instanceof AppError) throw err;
          return [];
        });
      }
    }
    const record = { size: info.size, mtimeMs: info.mtimeMs, chunks };
    records.set(rel, record);
    store?.put(rel, record);
    return true;
  }

  function startJob(prefix: string) {
    const job = { done: Promise.resolve(), pending: 0, parsed: 0 };
    job.done = (async () => {
      const { files } = await walkFiles(root, prefix, { signal: abort.signal, exclude: opts.exclude });
      const wanted = files.filter((f) => !isSecretPath(f));
      const keep = new Set(wanted);
      for (const rel of [...records.keys()]) if (under(prefix)(rel) && !keep.has(rel)) forget(rel);
      job.pending = wanted.length;
      for (const rel of wanted) {
        abort.signal.throwIfAborted();
        if (await indexFile(rel)) job.parsed++;
        job.pending--;
      }
      store?.flush();
    })().finally(() => jobs.delete(prefix));
    jobs.set(prefix, job);
    return job;
  }

  return {
    async update(prefix, budgetMs) {
      const job = jobs.get(prefix) ?? startJob(prefix);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((done) => {
        timer = setTimeout(() => done('timeout'), budgetMs);
        timer.unref();
      });
      await Promise.race([job.done.catch(() => {}), timeout]);
      clearTimeout(timer);
      const finished = !jobs.has(prefix);
      if (finished) await job.done; // surfaces a walk error
      let indexed = 0;
      for (const rel of records.keys()) if (under(prefix)(rel)) indexed++;
      return { indexed, pending: finished ? 0 : job.pending, parsed: job.parsed };
    },
    async search(query, opts) {
      if (tokenize(query).length === 0) return [];
      const pacer = createPacer(opts.signal);
      const inScope = under(opts.prefix);
      const chunks: Chunk[] = [];
      for (const [rel, rec] of [...records]) {
        if (inScope(rel) && (!opts.accept || opts.accept(rel))) chunks.push(...rec.chunks);
        await pacer.pace();
      }
      return scoreChunks(chunks, query, opts.topK, pacer);
    },
    clear(prefix) {
      for (const rel of [...records.keys()]) if (under(prefix)(rel)) forget(rel);
      store?.flush();
    },
    close() {
      abort.abort();
      records.clear();
      store?.close();
    },
  };
}
