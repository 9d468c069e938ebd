import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens (creating if needed) a SQLite file readable by its owner only, in WAL mode. The file
 * is made 0600 before SQLite opens it: SQLite gives its -wal and -shm files the main file's
 * mode, and the default umask would leave all three readable by everyone. New directories
 * are 0700.
 */
export function openPrivateDatabase(file: string): Database.Database {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}
