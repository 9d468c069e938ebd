import type { TaskMessage, TaskRecord, TaskState, TaskStore } from '../tasks.ts';
import { RevisionConflict, type SqliteDb, writeWithRetries } from './compare-and-set.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT,
  description TEXT NOT NULL,
  state TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  messages TEXT NOT NULL,
  PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tasks_by_channel ON tasks (workspace_id, channel_id, created_at);
`;

interface TaskRow {
  workspace_id: string;
  id: string;
  channel_id: string;
  sender: string;
  recipient: string | null;
  description: string;
  state: TaskState;
  revision: number;
  created_at: string;
  updated_at: string;
  messages: string;
}

const toTask = (r: TaskRow): TaskRecord => ({
  id: r.id,
  workspaceId: r.workspace_id,
  channelId: r.channel_id,
  from: r.sender,
  to: r.recipient ?? undefined,
  description: r.description,
  state: r.state,
  revision: r.revision,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  messages: JSON.parse(r.messages) as TaskMessage[],
});

export function createSqliteTaskStore(db: SqliteDb): TaskStore {
  db.exec(SCHEMA);
  const insert = db.prepare(
    `INSERT INTO tasks (workspace_id, id, channel_id, sender, recipient, description, state, revision, created_at, updated_at, messages)
     VALUES (@workspaceId, @id, @channelId, @from, @to, @description, @state, 1, @createdAt, @createdAt, @messages)`,
  );
  const select = db.prepare<[string, string], TaskRow>(
    'SELECT * FROM tasks WHERE workspace_id = ? AND id = ?',
  );
  const selectChannel = db.prepare<
    { ws: string; ch: string; to: string | null; open: number; limit: number },
    TaskRow
  >(
    `SELECT * FROM tasks WHERE workspace_id = @ws AND channel_id = @ch AND (@to IS NULL OR recipient = @to)
     AND (@open = 0 OR state IN ('working', 'input-required')) ORDER BY created_at DESC, id LIMIT @limit`,
  );
  const compareAndSet = db.prepare(
    `UPDATE tasks SET state = @state, messages = @messages, revision = @next, updated_at = @ts
     WHERE workspace_id = @ws AND id = @id AND revision = @revision`,
  );

  return {
    async create(task) {
      insert.run({ ...task, to: task.to ?? null, messages: JSON.stringify(task.messages) });
      return { ...task, revision: 1, updatedAt: task.createdAt };
    },

    async get(ws, id) {
      const row = select.get(ws, id);
      return row ? toTask(row) : undefined;
    },

    async list(ws, ch, filter) {
      return selectChannel
        .all({ ws, ch, to: filter.to ?? null, open: filter.open ? 1 : 0, limit: filter.limit })
        .map(toTask);
    },

    async update(ws, id, change) {
      return writeWithRetries(db, () => {
        const row = select.get(ws, id);
        if (!row) return undefined;
        const current = toTask(row);
        const next = change(current);
        const ts = new Date().toISOString();
        const written = compareAndSet.run({
          ws,
          id,
          state: next.state,
          messages: JSON.stringify(next.messages),
          next: current.revision + 1,
          revision: current.revision,
          ts,
        });
        if (written.changes !== 1) throw new RevisionConflict();
        return { ...current, ...next, revision: current.revision + 1, updatedAt: ts };
      });
    },
  };
}
