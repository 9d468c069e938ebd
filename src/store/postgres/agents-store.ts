import type pg from 'pg';
import {
  type AgentArrival,
  type AgentMessage,
  type AgentRecord,
  type AgentStatus,
  type AgentStore,
  DIARY_KEPT,
  type DiaryEntry,
  MESSAGES_KEPT,
  type MessageCategory,
} from '../agents.ts';
import { num, type Sql, writeInTransaction } from './write-transaction.ts';

interface AgentRow {
  workspace_id: string;
  channel_id: string;
  name: string;
  token_id: string;
  agent_type: string | null;
  role: string | null;
  status: AgentStatus;
  joined_at: string;
  last_active: string;
}

interface MessageRow {
  id: string | number;
  channel_id: string;
  sender: string;
  recipient: string | null;
  category: MessageCategory;
  text: string;
  ts: string;
}

const AGENT_COLUMNS =
  'workspace_id, channel_id, name, token_id, agent_type, role, status, joined_at, last_active';

/**
 * The second key of the advisory lock that orders a channel's messages (the first is the
 * channel's hash): see `post`.
 */
const MESSAGE_LOCK_CLASS = 0x6c63_6d73; // "lcms"

const toAgent = (r: AgentRow): AgentRecord => ({
  workspaceId: r.workspace_id,
  channelId: r.channel_id,
  name: r.name,
  tokenId: r.token_id,
  agentType: r.agent_type ?? undefined,
  role: r.role ?? undefined,
  status: r.status,
  joinedAt: r.joined_at,
  lastActive: r.last_active,
});

const toMessage = (r: MessageRow): AgentMessage => ({
  id: num(r.id),
  channelId: r.channel_id,
  from: r.sender,
  to: r.recipient ?? undefined,
  category: r.category,
  text: r.text,
  ts: r.ts,
});

const gone = (status: AgentStatus | undefined) =>
  status === undefined || status === 'left' || status === 'finished';

/**
 * Marks the agent active inside the caller's transaction and tells whether it joined. The
 * insert waits for a concurrent one of the same agent, and FOR UPDATE holds the row, so of
 * any number of racing callers exactly one sees the agent new or gone.
 */
async function arriveIn(sql: Sql, a: AgentArrival): Promise<boolean> {
  const key = [a.workspaceId, a.channelId, a.name];
  const inserted = await sql.query(
    `INSERT INTO agents (workspace_id, channel_id, name, token_id, status, joined_at, last_active)
     VALUES ($1, $2, $3, $4, 'active', $5, $5) ON CONFLICT DO NOTHING`,
    [...key, a.tokenId, a.ts],
  );
  if (inserted.rowCount === 1) return true;
  const before = (
    await sql.query<{ status: AgentStatus }>(
      'SELECT status FROM agents WHERE workspace_id = $1 AND channel_id = $2 AND name = $3 FOR UPDATE',
      key,
    )
  ).rows[0]?.status;
  // a returning agent joins again: its join time moves, so listings show arrival order
  await sql.query(
    `UPDATE agents SET token_id = $4, last_active = $5,
       joined_at = CASE WHEN status IN ('left', 'finished') THEN $5 ELSE joined_at END,
       status = CASE WHEN status IN ('left', 'finished') THEN 'active' ELSE status END
     WHERE workspace_id = $1 AND channel_id = $2 AND name = $3`,
    [...key, a.tokenId, a.ts],
  );
  return gone(before);
}

export function createPgAgentStore(pool: pg.Pool): AgentStore {
  const selectAgent = async (sql: Sql, ws: string, ch: string, name: string) =>
    (
      await sql.query<AgentRow>(
        `SELECT ${AGENT_COLUMNS} FROM agents WHERE workspace_id = $1 AND channel_id = $2 AND name = $3`,
        [ws, ch, name],
      )
    ).rows[0];

  return {
    async arrive(a) {
      return { joined: await writeInTransaction(pool, (sql) => arriveIn(sql, a)) };
    },

    async update(a, patch) {
      return writeInTransaction(pool, async (sql) => {
        const joined = await arriveIn(sql, a);
        const { rows } = await sql.query<AgentRow>(
          `UPDATE agents SET agent_type = coalesce($4, agent_type), role = coalesce($5, role),
             status = coalesce($6, status), last_active = $7
           WHERE workspace_id = $1 AND channel_id = $2 AND name = $3 RETURNING ${AGENT_COLUMNS}`,
          [
            a.workspaceId,
            a.channelId,
            a.name,
            patch.agentType ?? null,
            patch.role ?? null,
            patch.status ?? null,
            a.ts,
          ],
        );
        const agent = toAgent(rows[0] as AgentRow);
        return { agent, joined, left: agent.status === 'finished' };
      });
    },

    async get(ws, ch, name) {
      const row = await selectAgent(pool, ws, ch, name);
      return row ? toAgent(row) : undefined;
    },

    async list(ws, ch, opts = {}) {
      const { rows } = await pool.query<AgentRow>(
        `SELECT ${AGENT_COLUMNS} FROM agents WHERE workspace_id = $1 AND channel_id = $2 ORDER BY joined_at, name`,
        [ws, ch],
      );
      const all = rows.map(toAgent);
      return opts.present ? all.filter((a) => !gone(a.status)) : all;
    },

    async expire(cutoffTs) {
      // a racing sweep waits on the row lock, then finds the status changed: each leaves once
      const { rows } = await writeInTransaction(pool, (sql) =>
        sql.query<AgentRow>(
          `UPDATE agents SET status = 'left' WHERE status IN ('active', 'idle') AND last_active < $1
           RETURNING ${AGENT_COLUMNS}`,
          [cutoffTs],
        ),
      );
      return rows.map(toAgent);
    },

    async post(ws, m) {
      return writeInTransaction(pool, async (sql) => {
        // Inbox cursors assume a channel's ids commit in order; a per-channel lock taken
        // before the id is drawn makes them, where concurrent inserts could commit 11 before 10.
        await sql.query(
          'SELECT pg_advisory_xact_lock($1::integer, hashtext($2::text || chr(31) || $3::text))',
          [MESSAGE_LOCK_CLASS, ws, m.channelId],
        );
        const { rows } = await sql.query<{ id: string | number }>(
          `INSERT INTO agent_messages (workspace_id, channel_id, sender, recipient, category, text, ts)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [ws, m.channelId, m.from, m.to ?? null, m.category, m.text, m.ts],
        );
        await sql.query(
          `DELETE FROM agent_messages WHERE workspace_id = $1 AND channel_id = $2 AND id <= (
             SELECT id FROM agent_messages WHERE workspace_id = $1 AND channel_id = $2 ORDER BY id DESC LIMIT 1 OFFSET $3)`,
          [ws, m.channelId, MESSAGES_KEPT],
        );
        return { ...m, id: num(rows[0]?.id ?? 0) };
      });
    },

    async inbox(ws, ch, name, limit) {
      return writeInTransaction(pool, async (sql) => {
        const cursor = (
          await sql.query<{ read_cursor: string | number }>(
            'SELECT read_cursor FROM agents WHERE workspace_id = $1 AND channel_id = $2 AND name = $3 FOR UPDATE',
            [ws, ch, name],
          )
        ).rows[0]?.read_cursor;
        const { rows } = await sql.query<MessageRow>(
          `SELECT id, channel_id, sender, recipient, category, text, ts FROM agent_messages
           WHERE workspace_id = $1 AND channel_id = $2 AND id > $3 AND sender <> $4
             AND (recipient IS NULL OR recipient = $4) ORDER BY id LIMIT $5`,
          [ws, ch, cursor ?? 0, name, limit],
        );
        const last = rows.at(-1);
        if (last) {
          await sql.query(
            'UPDATE agents SET read_cursor = $4 WHERE workspace_id = $1 AND channel_id = $2 AND name = $3',
            [ws, ch, name, last.id],
          );
        }
        return rows.map(toMessage);
      });
    },

    async addDiary(ws, entry) {
      await writeInTransaction(pool, async (sql) => {
        await sql.query(
          'INSERT INTO agent_diaries (workspace_id, agent, category, text, ts) VALUES ($1, $2, $3, $4, $5)',
          [ws, entry.agent, entry.category, entry.text, entry.ts],
        );
        await sql.query(
          `DELETE FROM agent_diaries WHERE workspace_id = $1 AND agent = $2 AND id <= (
             SELECT id FROM agent_diaries WHERE workspace_id = $1 AND agent = $2 ORDER BY id DESC LIMIT 1 OFFSET $3)`,
          [ws, entry.agent, DIARY_KEPT],
        );
      });
    },

    async diary(ws, agent, limit) {
      const { rows } = await pool.query<DiaryEntry>(
        'SELECT agent, category, text, ts FROM agent_diaries WHERE workspace_id = $1 AND agent = $2 ORDER BY id DESC LIMIT $3',
        [ws, agent, limit],
      );
      return rows;
    },
  };
}
