import { openPrivateDatabase } from '../../store/sqlite/open-database.ts';
import type { Chunk } from '../bm25/chunk-file.ts';

/** One registered document with its BM25 chunks, as kept on disk. */
export interface StoredArtifact {
  path: string;
  name: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  addedAt: string;
  indexedAt: string;
  chunks: Chunk[];
  previews: string[];
}

/** The artifact registry of one workspace on disk: a SQLite file in its data dir. */
export interface ArtifactFile {
  loadAll(): Map<string, StoredArtifact>;
  /** Writes and deletes in one transaction. */
  write(put: readonly StoredArtifact[], remove: readonly string[]): void;
  close(): void;
}

/** Bump when the stored format changes: an old file is then dropped and documents re-registered. */
const SCHEMA_VERSION = 1;

type StoredChunk = Omit<Chunk, 'path' | 'terms'> & { terms: [string, number][] };

interface Row {
  path: string;
  name: string;
  size: number;
  mtime_ms: number;
  sha256: string;
  added_at: string;
  indexed_at: string;
  chunks: string;
  previews: string;
}

export function openArtifactFile(dbPath: string): ArtifactFile {
  const db = openPrivateDatabase(dbPath);
  db.pragma('busy_timeout = 5000');
  if (db.pragma('user_version', { simple: true }) !== SCHEMA_VERSION) {
    db.exec('DROP TABLE IF EXISTS artifacts');
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
  db.exec(`CREATE TABLE IF NOT EXISTS artifacts (
    path TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL,
    sha256 TEXT NOT NULL, added_at TEXT NOT NULL, indexed_at TEXT NOT NULL,
    chunks TEXT NOT NULL, previews TEXT NOT NULL)`);
  const upsert = db.prepare(
    `INSERT INTO artifacts (path, name, size, mtime_ms, sha256, added_at, indexed_at, chunks, previews)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(path) DO UPDATE SET name = excluded.name, size = excluded.size, mtime_ms = excluded.mtime_ms,
       sha256 = excluded.sha256, indexed_at = excluded.indexed_at, chunks = excluded.chunks, previews = excluded.previews`,
  );
  const remove = db.prepare('DELETE FROM artifacts WHERE path = ?');
  const write = db.transaction((put: readonly StoredArtifact[], gone: readonly string[]) => {
    for (const a of put) {
      const chunks: StoredChunk[] = a.chunks.map(({ path: _p, terms, ...rest }) => ({
        ...rest,
        terms: [...terms],
      }));
      upsert.run(
        a.path,
        a.name,
        a.size,
        a.mtimeMs,
        a.sha256,
        a.addedAt,
        a.indexedAt,
        JSON.stringify(chunks),
        JSON.stringify(a.previews),
      );
    }
    for (const path of gone) remove.run(path);
  });
  return {
    loadAll() {
      const out = new Map<string, StoredArtifact>();
      for (const row of db.prepare('SELECT * FROM artifacts').all() as Row[]) {
        const chunks = (JSON.parse(row.chunks) as StoredChunk[]).map((c) => ({
          ...c,
          path: row.path,
          terms: new Map(c.terms),
        }));
        out.set(row.path, {
          path: row.path,
          name: row.name,
          size: row.size,
          mtimeMs: row.mtime_ms,
          sha256: row.sha256,
          addedAt: row.added_at,
          indexedAt: row.indexed_at,
          chunks,
          previews: JSON.parse(row.previews) as string[],
        });
      }
      return out;
    },
    write(put, gone) {
      if (put.length > 0 || gone.length > 0) write(put, gone);
    },
    close() {
      if (db.open) db.close();
    },
  };
}
