import { openPrivateDatabase } from '../../store/sqlite/open-database.ts';
import type { Chunk } from './chunk-file.ts';

export interface StoredFile {
  size: number;
  mtimeMs: number;
  chunks: Chunk[];
}

/**
 * The BM25 chunk index on disk, one row per file with its size, mtime and chunks, so a
 * restarted server re-parses only the files that changed since. Writes are batched.
 */
export interface ChunkStore {
  loadAll(): Map<string, StoredFile>;
  put(rel: string, file: StoredFile): void;
  delete(rel: string): void;
  /** Writes what is pending in one transaction. */
  flush(): void;
  close(): void;
}

/** Bump when the chunk format changes: an old file is then dropped and rebuilt. */
const SCHEMA_VERSION = 1;
const FLUSH_EVERY = 256;

type StoredChunk = Omit<Chunk, 'path' | 'terms'> & { terms: [string, number][] };

export function createChunkStore(dbPath: string): ChunkStore {
  const db = openPrivateDatabase(dbPath);
  // a second process on the same project (two editor windows) waits for the lock instead of failing
  db.pragma('busy_timeout = 5000');
  if (db.pragma('user_version', { simple: true }) !== SCHEMA_VERSION) {
    db.exec('DROP TABLE IF EXISTS files');
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
  db.exec(
    'CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, chunks TEXT NOT NULL)',
  );
  const upsert = db.prepare(
    'INSERT INTO files (path, size, mtime_ms, chunks) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, chunks = excluded.chunks',
  );
  const remove = db.prepare('DELETE FROM files WHERE path = ?');
  const pending = new Map<string, StoredFile | undefined>();
  let closed = false;
  const write = db.transaction((batch: [string, StoredFile | undefined][]) => {
    for (const [rel, file] of batch) {
      if (!file) {
        remove.run(rel);
        continue;
      }
      const chunks: StoredChunk[] = file.chunks.map(({ path: _path, terms, ...rest }) => ({
        ...rest,
        terms: [...terms],
      }));
      upsert.run(rel, file.size, file.mtimeMs, JSON.stringify(chunks));
    }
  });
  const store: ChunkStore = {
    loadAll() {
      const out = new Map<string, StoredFile>();
      const rows = db.prepare('SELECT path, size, mtime_ms, chunks FROM files').all() as {
        path: string;
        size: number;
        mtime_ms: number;
        chunks: string;
      }[];
      for (const row of rows) {
        const chunks = (JSON.parse(row.chunks) as StoredChunk[]).map((c) => ({
          ...c,
          path: row.path,
          terms: new Map(c.terms),
        }));
        out.set(row.path, { size: row.size, mtimeMs: row.mtime_ms, chunks });
      }
      return out;
    },
    put(rel, file) {
      pending.set(rel, file);
      if (pending.size >= FLUSH_EVERY) store.flush();
    },
    delete(rel) {
      pending.set(rel, undefined);
      if (pending.size >= FLUSH_EVERY) store.flush();
    },
    flush() {
      // a parse still in flight when the index closed has nowhere to go
      if (closed || pending.size === 0) return;
      const batch = [...pending];
      pending.clear();
      write(batch);
    },
    close() {
      if (closed) return;
      store.flush();
      closed = true;
      db.close();
    },
  };
  return store;
}
