import type pg from 'pg';
import type { TaskMessage, TaskRecord, TaskState, TaskStore } from '../tasks.ts';
import { num, writeInTransaction } from './write-transaction.ts';

interface TaskRow {
  workspace_id: string;
  id: string;
  channel_id: string;
  sender: string;
  recipient: string | null;
  description: string;
  state: TaskState;
  revision: string | number;
  created_at: string;
  updated_at: string;
  messages: TaskMessage[];
}

const toTask = (r: TaskRow): TaskRecord => ({
  id: r.id,
  workspaceId: r.workspace_id,
  channelId: r.channel_id,
  from: r.sender,
  to: r.recipient ?? undefined,
  description: r.description,
  state: r.state,
  revision: num(r.revision),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  messages: r.messages,
});

export function createPgTaskStore(pool: pg.Pool): TaskStore {
  return {
    async create(task) {
      await pool.query(
        `INSERT INTO tasks (workspace_id, id, channel_id, sender, recipient, description, state, revision, created_at, updated_at, messages)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8, $9)`,
        [
          task.workspaceId,
          task.id,
          task.channelId,
          task.from,
          task.to ?? null,
          task.description,
          task.state,
          task.createdAt,
          JSON.stringify(task.messages),
        ],
      );
      return { ...task, revision: 1, updatedAt: task.createdAt };
    },

    async get(ws, id) {
      const { rows } = await pool.query<TaskRow>('SELECT * FROM tasks WHERE workspace_id = $1 AND id = $2', [
        ws,
        id,
      ]);
      return rows[0] ? toTask(rows[0]) : undefined;
    },

    async list(ws, ch, filter) {
      const { rows } = await pool.query<TaskRow>(
        `SELECT * FROM tasks WHERE workspace_id = $1 AND channel_id = $2 AND ($3::text IS NULL OR recipient = $3)
         AND (NOT $4::boolean OR state IN ('working', 'input-required')) ORDER BY created_at DESC, id LIMIT $5`,
        [ws, ch, filter.to ?? null, filter.open === true, filter.limit],
      );
      return rows.map(toTask);
    },

    async update(ws, id, change) {
      return writeInTransaction(pool, async (sql) => {
        // the row lock holds every other writer of the task until COMMIT: none of their changes is lost
        const { rows } = await sql.query<TaskRow>(
          'SELECT * FROM tasks WHERE workspace_id = $1 AND id = $2 FOR UPDATE',
          [ws, id],
        );
        if (!rows[0]) return undefined;
        const current = toTask(rows[0]);
        const next = change(current);
        const ts = new Date().toISOString();
        const written = await sql.query<{ revision: string | number }>(
          `UPDATE tasks SET state = $3, messages = $4, revision = revision + 1, updated_at = $5
           WHERE workspace_id = $1 AND id = $2 RETURNING revision`,
          [ws, id, next.state, JSON.stringify(next.messages), ts],
        );
        return { ...current, ...next, revision: num(written.rows[0]?.revision ?? 0), updatedAt: ts };
      });
    },
  };
}
