// A separate process writing to a shared SQLite store: `node --import tsx session-writer.ts DB NAME N TASK`.
// Appends N findings to channel "multi" and N messages to task TASK, then prints "done".
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const [file, name, count, taskId] = process.argv.slice(2) as [string, string, string, string];
const store = createSqliteStore(file);
for (let i = 0; i < Number(count); i++) {
  await store.sessions.apply('main', 'multi', name, { kind: 'finding', text: `${name} ${i}` });
  await store.tasks.update('main', taskId, (t) => ({
    state: t.state,
    messages: [...t.messages, { agent: name, text: `${name} ${i}`, ts: new Date().toISOString() }].slice(
      -1000,
    ),
  }));
}
await store.close();
process.stdout.write('done\n');
