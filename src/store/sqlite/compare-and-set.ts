import type BetterSqlite3 from 'better-sqlite3';

/** The open database every SQLite store of this folder shares. */
export type SqliteDb = BetterSqlite3.Database;

/** A compare-and-set found the revision moved under it: another writer won, read again. */
export class RevisionConflict extends Error {
  constructor() {
    super('the row changed while it was written; retrying');
    this.name = 'RevisionConflict';
  }
}

const MAX_ATTEMPTS = 16;

function retryable(err: unknown): boolean {
  if (err instanceof RevisionConflict) return true;
  const code = (err as { code?: unknown }).code;
  // another process holds the write lock past busy_timeout, or inserted the same key first
  return code === 'SQLITE_BUSY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Runs a read-modify-write in one IMMEDIATE transaction and retries it when its
 * compare-and-set lost (RevisionConflict) or another process got there first. `write` may
 * run more than once, so it must only read, compute and write through `db`.
 */
export function writeWithRetries<T>(db: SqliteDb, write: () => T): T {
  const tx = db.transaction(write);
  for (let attempt = 1; ; attempt++) {
    try {
      return tx.immediate();
    } catch (err) {
      if (!retryable(err) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}
