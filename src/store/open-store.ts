import { join } from 'node:path';
import type { StoreConfig } from '../config/store-config.ts';
import { createPostgresStore, type SharedSessionFactory } from './postgres/postgres-store.ts';
import { openPrivateDatabase } from './sqlite/open-database.ts';
import { createSqliteSharedSessionStores } from './sqlite/shared-session-stores.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './types.ts';

/**
 * The shared-session stores on PostgreSQL. The integrator sets this to
 * `createPgSharedSessionStores` (./postgres/shared-session-stores.ts) when that part is merged;
 * until then they stay in the SQLite file of dataDir (one replica only).
 */
const pgSharedSessions: SharedSessionFactory | undefined = undefined;

export interface OpenStoreOptions {
  /** Told once when the shared-session stores cannot live in PostgreSQL yet. */
  warn?: (message: string) => void;
  /** Overrides the PostgreSQL shared-session stores (tests). */
  sharedSessions?: SharedSessionFactory;
}

/** The one place a command opens the store team.json names: the server, `session list`, `team sync`. */
export async function openStore(
  config: { readonly store: StoreConfig; readonly dataDir: string },
  opts: OpenStoreOptions = {},
): Promise<Store> {
  const file = join(config.dataDir, 'leanctx.db');
  if (config.store.kind === 'sqlite') return createSqliteStore(file);
  const { kind: _, ...pool } = config.store;
  let local: ReturnType<typeof openPrivateDatabase> | undefined;
  const sharedSessions =
    opts.sharedSessions ??
    pgSharedSessions ??
    (() => {
      opts.warn?.('the shared-session stores (sessions, agents, tasks, workflows, handoffs) stay in SQLite');
      local = openPrivateDatabase(file);
      local.pragma('busy_timeout = 5000');
      return createSqliteSharedSessionStores(local);
    });
  const store = await createPostgresStore({ ...pool, sharedSessions });
  return {
    ...store,
    async close() {
      await store.close();
      local?.close();
    },
  };
}
