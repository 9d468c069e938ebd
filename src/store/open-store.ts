import { join } from 'node:path';
import type { StoreConfig } from '../config/store-config.ts';
import { describeTarget, toStoreError } from './postgres/pool.ts';
import { createPostgresStore, type SharedSessionFactory } from './postgres/postgres-store.ts';
import { createPgSharedSessionStores } from './postgres/shared-session-stores.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './types.ts';

export interface OpenStoreOptions {
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
  const target = describeTarget(pool.url);
  const sharedSessions: SharedSessionFactory =
    opts.sharedSessions ??
    ((p) => createPgSharedSessionStores(p, { mapError: (err) => toStoreError(err, target) }));
  return createPostgresStore({ ...pool, sharedSessions });
}
