import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { openPrivateDatabase } from '../../src/store/sqlite/open-database.ts';
import { createSqliteSharedSessionStores } from '../../src/store/sqlite/shared-session-stores.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { withTestDatabase } from '../helpers/postgres.ts';
import { describeStoreContract } from '../helpers/store-contract.ts';

describeStoreContract('SQLite', async () => {
  const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'store-contract-')), 'leanctx.db'));
  return { store, close: () => store.close() };
});

describeStoreContract('PostgreSQL', async () => {
  const db = await withTestDatabase();
  // the shared-session stores are not under this contract yet: an in-memory SQLite stands in
  const sessions = openPrivateDatabase(':memory:');
  const store = await createPostgresStore({
    url: db.url,
    sharedSessions: () => createSqliteSharedSessionStores(sessions),
  });
  return {
    store,
    async close() {
      await store.close();
      sessions.close();
      await db.drop();
    },
  };
});
