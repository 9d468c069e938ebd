import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (trust auth): an admin connection creates and drops test databases. */
export const ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** `postgres://…/leanctx_t_<random>`: a fresh, empty database of this test run. */
  url: string;
  name: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** A URL on another database of the same server. */
export function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `cannot reach the test PostgreSQL at ${adminUrl} (${(err as Error).message}); start it (pg_ctlcluster <version> main start)`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `leanctx_t_<random>` on the test PostgreSQL and returns its URL; call `drop()` when
 * done (in an `after` hook). Each test run gets its own database, so runs never see each other.
 */
export async function withTestDatabase(adminUrl = ADMIN_DATABASE_URL): Promise<TestDatabase> {
  const name = `leanctx_t_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  let dropped = false;
  return {
    url: databaseUrl(adminUrl, name),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
