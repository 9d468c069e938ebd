import type { PgDatabase } from './pool.ts';

/** One step of the schema: applied once, in version order, never edited after release. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The advisory lock every leanctx process takes to migrate (an arbitrary constant: "lctxmigr"). */
const MIGRATION_LOCK = 0x6c_63_74_78_6d_69_67_72n;

/**
 * Applies the migrations a database lacks, all in one transaction under a transaction-level
 * advisory lock: replicas starting at once queue on the lock, and each later one finds the
 * versions already recorded. Returns the versions this call applied.
 */
export async function runMigrations(db: PgDatabase, migrations: readonly Migration[]): Promise<number[]> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (i > 0 && sorted[i - 1]?.version === m.version) {
      throw new Error(`two migrations have version ${m.version} ("${sorted[i - 1]?.name}", "${m.name}")`);
    }
  });
  return db.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS leanctx_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM leanctx_migrations');
    const have = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...have);
    const known = Math.max(0, ...sorted.map((m) => m.version));
    if (newest > known) {
      throw new Error(
        `the database has schema version ${newest}, newer than this leanctx knows (${known}); upgrade leanctx on every replica`,
      );
    }
    const applied: number[] = [];
    for (const m of sorted) {
      if (have.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO leanctx_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    return applied;
  });
}
