import type pg from 'pg';

/** A runner of SQL inside one transaction: the client it holds, or the pool outside one. */
export type Sql = Pick<pg.PoolClient, 'query'>;

const MAX_ATTEMPTS = 16;

/**
 * SQLSTATEs a write loses to a concurrent one and wins on a fresh try: a deadlock, a
 * serialization failure, a key another transaction inserted first, a row another deleted
 * under a foreign key.
 */
const RETRYABLE = new Set(['40P01', '40001', '23505', '23503']);

function retryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Runs `write` inside BEGIN … COMMIT on one pooled connection and retries it when it lost a
 * race (see RETRYABLE). `write` may run more than once, so it must only read, compute and
 * write through `sql`; whatever else it throws rolls back and reaches the caller unchanged.
 */
export async function writeInTransaction<T>(pool: pg.Pool, write: (sql: Sql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await write(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      if (!retryable(err) || attempt >= MAX_ATTEMPTS) throw err;
    } finally {
      // a connection that could not roll back is closed, not handed to the next caller
      client.release(broken);
    }
  }
}

/**
 * Runs one statement on its own (autocommit), retried like writeInTransaction. A row lock it
 * takes is held only while PostgreSQL runs it, never across a round trip to a busy process.
 */
export async function writeStatement<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await pool.query<R>(text, values);
    } catch (err) {
      if (!retryable(err) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

/** bigint and numeric columns arrive as strings unless the pool parses them; every figure here fits a number. */
export const num = (v: string | number): number => (typeof v === 'number' ? v : Number(v));
