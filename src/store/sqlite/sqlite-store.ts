import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  ChannelInfo,
  EventRecord,
  EventStore,
  NewEvent,
  Store,
  UsageFilter,
  UsageRecord,
  UsageStore,
  UsageSummary,
} from '../types.ts';
import { createSqliteBudgetStore } from './budget-store.ts';
import { createSqliteKnowledgeStore } from './knowledge-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  ts TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (workspace_id, channel_id, revision)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage (
  id INTEGER PRIMARY KEY,
  ts TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  context_id TEXT,
  tool TEXT NOT NULL,
  tokens_sent INTEGER NOT NULL,
  tokens_saved INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  is_error INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_ws_ctx ON usage (workspace_id, context_id);
CREATE INDEX IF NOT EXISTS usage_ws_agent ON usage (workspace_id, agent_id);
`;

/** How long writes wait to share a transaction: commits cost more than the rows. */
const FLUSH_EVERY_MS = 10;

interface EventRow {
  workspace_id: string;
  channel_id: string;
  revision: number;
  kind: string;
  actor: string;
  ts: string;
  payload: string;
}

const toEvent = (row: EventRow): EventRecord => ({
  workspaceId: row.workspace_id,
  channelId: row.channel_id,
  revision: row.revision,
  kind: row.kind,
  actor: row.actor,
  ts: row.ts,
  payload: JSON.parse(row.payload) as Record<string, unknown>,
});

/** The embedded store: one SQLite file (WAL) in the data dir. */
export function createSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const maxRevision = db.prepare<[string, string], { rev: number }>(
    'SELECT COALESCE(MAX(revision), 0) AS rev FROM events WHERE workspace_id = ? AND channel_id = ?',
  );
  const insertEvent = db.prepare(
    'INSERT INTO events (workspace_id, channel_id, revision, kind, actor, ts, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // This process is the file's only writer, so revisions are counted in memory (seeded from
  // the table) and rows are inserted in one transaction every FLUSH_EVERY_MS. An append
  // resolves once its row is committed, so no subscriber sees an event a crash could lose.
  const revisions = new Map<string, number>();
  let queuedEvents: EventRecord[] = [];
  let committed: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  const insertEvents = db.transaction((rows: EventRecord[]) => {
    for (const e of rows) {
      insertEvent.run(
        e.workspaceId,
        e.channelId,
        e.revision,
        e.kind,
        e.actor,
        e.ts,
        JSON.stringify(e.payload),
      );
    }
  });
  const flushEvents = () => {
    const rows = queuedEvents;
    const done = committed;
    queuedEvents = [];
    committed = [];
    try {
      if (rows.length > 0 && db.open) insertEvents(rows);
      for (const d of done) d.resolve();
    } catch (err) {
      for (const d of done) d.reject(err);
    }
  };
  const append = (e: NewEvent): Promise<EventRecord> => {
    const key = `${e.workspaceId}\u0000${e.channelId}`;
    const revision = (revisions.get(key) ?? maxRevision.get(e.workspaceId, e.channelId)?.rev ?? 0) + 1;
    revisions.set(key, revision);
    const record = { ...e, revision, ts: e.ts ?? new Date().toISOString() };
    if (queuedEvents.length === 0) setTimeout(flushEvents, FLUSH_EVERY_MS);
    queuedEvents.push(record);
    return new Promise((resolve, reject) => committed.push({ resolve: () => resolve(record), reject }));
  };
  const selectSince = db.prepare<[string, string, number, number], EventRow>(
    'SELECT * FROM events WHERE workspace_id = ? AND channel_id = ? AND revision > ? ORDER BY revision LIMIT ?',
  );
  const selectChannels = db.prepare<[string], { channel_id: string; revision: number; last: string }>(
    'SELECT channel_id, MAX(revision) AS revision, MAX(ts) AS last FROM events WHERE workspace_id = ? GROUP BY channel_id ORDER BY channel_id',
  );
  const selectAgents = db.prepare<[string, string], { actor: string }>(
    'SELECT DISTINCT actor FROM events WHERE workspace_id = ? AND channel_id = ? ORDER BY actor',
  );

  const events: EventStore = {
    append,
    since: async (ws, ch, after, limit) => {
      flushEvents();
      return selectSince.all(ws, ch, after, limit).map(toEvent);
    },
    channels: async (ws): Promise<ChannelInfo[]> => {
      flushEvents();
      return selectChannels.all(ws).map((row) => ({
        channelId: row.channel_id,
        revision: row.revision,
        lastActivity: row.last,
        agents: selectAgents.all(ws, row.channel_id).map((a) => a.actor),
      }));
    },
  };

  const insertUsage = db.prepare(
    `INSERT INTO usage (ts, workspace_id, agent_id, context_id, tool, tokens_sent, tokens_saved, duration_ms, is_error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Usage rows are written in one transaction every FLUSH_EVERY_MS: one commit for a burst
  // of calls instead of one each. Reads flush first, so they always see every call.
  let pending: UsageRecord[] = [];
  const flushUsage = db.transaction((rows: UsageRecord[]) => {
    for (const u of rows) {
      insertUsage.run(
        u.ts ?? new Date().toISOString(),
        u.workspaceId,
        u.agentId,
        u.contextId ?? null,
        u.tool,
        u.tokensSent,
        u.tokensSaved,
        u.durationMs,
        u.isError ? 1 : 0,
      );
    }
  });
  const flush = () => {
    const rows = pending;
    pending = [];
    if (rows.length > 0 && db.open) flushUsage(rows);
  };
  const usage: UsageStore = {
    async record(u: UsageRecord) {
      if (pending.length === 0) setTimeout(flush, FLUSH_EVERY_MS);
      pending.push({ ...u, ts: u.ts ?? new Date().toISOString() });
    },
    async summary(filter: UsageFilter): Promise<UsageSummary> {
      flush();
      const where = ['workspace_id = @workspaceId'];
      if (filter.agentId !== undefined) where.push('agent_id = @agentId');
      if (filter.contextId !== undefined) where.push('context_id = @contextId');
      if (filter.sinceTs !== undefined) where.push('ts >= @sinceTs');
      const rows = db
        .prepare<
          Record<string, string>,
          { tool: string; calls: number; sent: number; saved: number; errors: number }
        >(
          `SELECT tool, COUNT(*) AS calls, SUM(tokens_sent) AS sent, SUM(tokens_saved) AS saved, SUM(is_error) AS errors
           FROM usage WHERE ${where.join(' AND ')} GROUP BY tool ORDER BY calls DESC, tool`,
        )
        .all(filter as unknown as Record<string, string>);
      const byTool = rows.map((r) => ({
        tool: r.tool,
        calls: r.calls,
        tokensSent: r.sent,
        tokensSaved: r.saved,
        errors: r.errors,
      }));
      return {
        calls: byTool.reduce((n, t) => n + t.calls, 0),
        tokensSent: byTool.reduce((n, t) => n + t.tokensSent, 0),
        tokensSaved: byTool.reduce((n, t) => n + t.tokensSaved, 0),
        byTool,
      };
    },
  };

  const budgets = createSqliteBudgetStore(db);
  return {
    events,
    usage,
    knowledge: createSqliteKnowledgeStore(db, { file: file === ':memory:' ? undefined : file }),
    budgets,
    async close() {
      flush();
      budgets.flush();
      flushEvents();
      if (db.open) db.close();
    },
  };
}
