import Database from 'better-sqlite3';
import type { GraphFile } from '../graph.ts';

/** What whole-graph analyses read: every file, the import edges between files, unresolved relative imports. */
export interface GraphSnapshot {
  files: GraphFile[];
  edges: { from: string; to: string }[];
  /** The importing file of each relative import (`./x`, `../y`) that resolved to no file. */
  unresolvedRelative: string[];
}

/**
 * Reads a graph.sqlite on its own read-only connection, so a worker thread can analyse the
 * graph while the server's connection goes on writing (WAL keeps the read consistent).
 */
export function readGraphSnapshot(file: string): GraphSnapshot {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.transaction(() => ({
      files: (
        db.prepare('SELECT * FROM files ORDER BY path').all() as (Omit<GraphFile, 'mtimeMs'> & {
          mtime_ms: number;
        })[]
      ).map(({ mtime_ms, ...f }) => ({ ...f, mtimeMs: mtime_ms })),
      edges: db
        .prepare(
          'SELECT DISTINCT source AS "from", target AS "to" FROM imports WHERE target IS NOT NULL AND target <> source',
        )
        .all() as { from: string; to: string }[],
      unresolvedRelative: (
        db
          .prepare(
            "SELECT source FROM imports WHERE target IS NULL AND (specifier LIKE './%' OR specifier LIKE '../%' OR specifier IN ('.', '..'))",
          )
          .all() as { source: string }[]
      ).map((r) => r.source),
    }))();
  } finally {
    db.close();
  }
}
