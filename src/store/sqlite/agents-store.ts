import {
  type AgentMessage,
  type AgentRecord,
  type AgentStatus,
  type AgentStore,
  DIARY_KEPT,
  type DiaryEntry,
  MESSAGES_KEPT,
  type MessageCategory,
} from '../agents.ts';
import { type SqliteDb, writeWithRetries } from './compare-and-set.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS agents (
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  name TEXT NOT NULL,
  token_id TEXT NOT NULL,
  agent_type TEXT,
  role TEXT,
  status TEXT NOT NULL,
  joined_at TEXT NOT NULL,
  last_active TEXT NOT NULL,
  read_cursor INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (workspace_id, channel_id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS agents_by_activity ON agents (status, last_active);
CREATE TABLE IF NOT EXISTS agent_messages (
  id INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT,
  category TEXT NOT NULL,
  text TEXT NOT NULL,
  ts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agent_messages_by_channel ON agent_messages (workspace_id, channel_id, id);
CREATE TABLE IF NOT EXISTS agent_diaries (
  id INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  category TEXT NOT NULL,
  text TEXT NOT NULL,
  ts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agent_diaries_by_agent ON agent_diaries (workspace_id, agent, id);
`;

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
  read_cursor: number;
}

interface MessageRow {
  id: number;
  channel_id: string;
  sender: string;
  recipient: string | null;
  category: MessageCategory;
  text: string;
  ts: string;
}

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
  id: r.id,
  channelId: r.channel_id,
  from: r.sender,
  to: r.recipient ?? undefined,
  category: r.category,
  text: r.text,
  ts: r.ts,
});

const gone = (status: AgentStatus | undefined) =>
  status === undefined || status === 'left' || status === 'finished';

export function createSqliteAgentStore(db: SqliteDb): AgentStore {
  db.exec(SCHEMA);
  const selectAgent = db.prepare<[string, string, string], AgentRow>(
    'SELECT * FROM agents WHERE workspace_id = ? AND channel_id = ? AND name = ?',
  );
  // A returning agent joins again: its join time moves, so listings show arrival order.
  const upsertArrival = db.prepare(
    `INSERT INTO agents (workspace_id, channel_id, name, token_id, status, joined_at, last_active)
     VALUES (@ws, @ch, @name, @token, 'active', @ts, @ts)
     ON CONFLICT (workspace_id, channel_id, name) DO UPDATE SET token_id = @token, last_active = @ts,
       joined_at = CASE WHEN status IN ('left', 'finished') THEN @ts ELSE joined_at END,
       status = CASE WHEN status IN ('left', 'finished') THEN 'active' ELSE status END`,
  );
  const updateAgent = db.prepare(
    `UPDATE agents SET agent_type = @agentType, role = @role, status = @status, last_active = @ts
     WHERE workspace_id = @ws AND channel_id = @ch AND name = @name`,
  );
  const selectChannelAgents = db.prepare<[string, string], AgentRow>(
    'SELECT * FROM agents WHERE workspace_id = ? AND channel_id = ? ORDER BY joined_at, name',
  );
  const selectStale = db.prepare<[string], AgentRow>(
    `SELECT * FROM agents WHERE status IN ('active', 'idle') AND last_active < ?`,
  );
  const leaveIfStale = db.prepare(
    `UPDATE agents SET status = 'left' WHERE workspace_id = ? AND channel_id = ? AND name = ?
     AND status IN ('active', 'idle') AND last_active < ?`,
  );
  const insertMessage = db.prepare(
    'INSERT INTO agent_messages (workspace_id, channel_id, sender, recipient, category, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const pruneMessages = db.prepare(
    `DELETE FROM agent_messages WHERE workspace_id = @ws AND channel_id = @ch AND id <= (
       SELECT id FROM agent_messages WHERE workspace_id = @ws AND channel_id = @ch ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
  );
  const selectInbox = db.prepare<[string, string, number, string, string, number], MessageRow>(
    `SELECT * FROM agent_messages WHERE workspace_id = ? AND channel_id = ? AND id > ?
     AND sender <> ? AND (recipient IS NULL OR recipient = ?) ORDER BY id LIMIT ?`,
  );
  const setCursor = db.prepare(
    'UPDATE agents SET read_cursor = ? WHERE workspace_id = ? AND channel_id = ? AND name = ?',
  );
  const insertDiary = db.prepare(
    'INSERT INTO agent_diaries (workspace_id, agent, category, text, ts) VALUES (?, ?, ?, ?, ?)',
  );
  const pruneDiary = db.prepare(
    `DELETE FROM agent_diaries WHERE workspace_id = @ws AND agent = @agent AND id <= (
       SELECT id FROM agent_diaries WHERE workspace_id = @ws AND agent = @agent ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
  );
  const selectDiary = db.prepare<[string, string, number], DiaryEntry>(
    'SELECT agent, category, text, ts FROM agent_diaries WHERE workspace_id = ? AND agent = ? ORDER BY id DESC LIMIT ?',
  );

  const arrive = (a: {
    workspaceId: string;
    channelId: string;
    name: string;
    tokenId: string;
    ts: string;
  }) => {
    const before = selectAgent.get(a.workspaceId, a.channelId, a.name)?.status;
    upsertArrival.run({ ws: a.workspaceId, ch: a.channelId, name: a.name, token: a.tokenId, ts: a.ts });
    return gone(before);
  };

  return {
    async arrive(a) {
      return { joined: writeWithRetries(db, () => arrive(a)) };
    },

    async update(a, patch) {
      return writeWithRetries(db, () => {
        const joined = arrive(a);
        const row = selectAgent.get(a.workspaceId, a.channelId, a.name) as AgentRow;
        const status = patch.status ?? row.status;
        updateAgent.run({
          ws: a.workspaceId,
          ch: a.channelId,
          name: a.name,
          agentType: patch.agentType ?? row.agent_type,
          role: patch.role ?? row.role,
          status,
          ts: a.ts,
        });
        const agent = toAgent(selectAgent.get(a.workspaceId, a.channelId, a.name) as AgentRow);
        return { agent, joined, left: status === 'finished' };
      });
    },

    async get(ws, ch, name) {
      const row = selectAgent.get(ws, ch, name);
      return row ? toAgent(row) : undefined;
    },

    async list(ws, ch, opts = {}) {
      const all = selectChannelAgents.all(ws, ch).map(toAgent);
      return opts.present ? all.filter((a) => !gone(a.status)) : all;
    },

    async expire(cutoffTs) {
      return writeWithRetries(db, () =>
        selectStale
          .all(cutoffTs)
          .filter((r) => leaveIfStale.run(r.workspace_id, r.channel_id, r.name, cutoffTs).changes === 1)
          .map((r) => toAgent({ ...r, status: 'left' })),
      );
    },

    async post(ws, m) {
      return writeWithRetries(db, () => {
        const id = Number(
          insertMessage.run(ws, m.channelId, m.from, m.to ?? null, m.category, m.text, m.ts).lastInsertRowid,
        );
        pruneMessages.run({ ws, ch: m.channelId, keep: MESSAGES_KEPT });
        return { ...m, id };
      });
    },

    async inbox(ws, ch, name, limit) {
      return writeWithRetries(db, () => {
        const cursor = selectAgent.get(ws, ch, name)?.read_cursor ?? 0;
        const rows = selectInbox.all(ws, ch, cursor, name, name, limit);
        const last = rows.at(-1);
        if (last) setCursor.run(last.id, ws, ch, name);
        return rows.map(toMessage);
      });
    },

    async addDiary(ws, entry) {
      writeWithRetries(db, () => {
        insertDiary.run(ws, entry.agent, entry.category, entry.text, entry.ts);
        pruneDiary.run({ ws, agent: entry.agent, keep: DIARY_KEPT });
      });
    },

    async diary(ws, agent, limit) {
      return selectDiary.all(ws, agent, limit);
    },
  };
}
