// A separate process writing to shared-session stores on SQLite or PostgreSQL:
// `node --import tsx shared-session-writer.ts TARGET WORKSPACE NAME N TASK`, TARGET a SQLite
// file or a postgres:// URL. Appends N findings to channel "c" and N messages to task TASK,
// then prints "done".
import pg from 'pg';
import { createPgSharedSessionStores } from '../../src/store/postgres/shared-session-stores.ts';
import type { SharedSessionStores } from '../../src/store/shared-session-stores.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const [target, ws, name, count, taskId] = process.argv.slice(2) as [string, string, string, string, string];

let stores: SharedSessionStores;
let close: () => Promise<void>;
if (target.startsWith('postgres://')) {
  const pool = new pg.Pool({ connectionString: target, max: 1 });
  stores = createPgSharedSessionStores(pool);
  close = () => pool.end();
} else {
  const store = createSqliteStore(target);
  stores = store;
  close = () => store.close();
}
for (let i = 0; i < Number(count); i++) {
  await stores.sessions.apply(ws, 'c', name, { kind: 'finding', text: `${name} ${i}` });
  await stores.tasks.update(ws, taskId, (t) => ({
    state: t.state,
    messages: [...t.messages, { agent: name, text: `${name} ${i}`, ts: new Date().toISOString() }],
  }));
}
await close();
process.stdout.write('done\n');
