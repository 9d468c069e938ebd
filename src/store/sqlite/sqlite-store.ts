import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import {
  type AppendOptions,
  type ChannelInfo,
  type EventRecord,
  type EventStore,
  MAX_EVENT_SEARCH_TERMS,
  type NewEvent,
  type Store,
  type UsageActivity,
  type UsageActivityFilter,
  type UsageFilter,
  type UsageRecord,
  type UsageRollup,
  type UsageRollupFilter,
  type UsageStore,
  type UsageSummary,
} from '../types.ts';
import { createSqliteBudgetStore } from './budget-store.ts';
import { createSqliteEvidenceStore } from './evidence-store.ts';
import { createSqliteKnowledgeStore } from './knowledge-store.ts';
import { openPrivateDatabase } from './open-database.ts';
import { createSqliteSharedSessionStores } from './shared-session-stores.ts';
import { usageActivityRows } from './usage-activity.ts';
import { createSqliteEconomics } from './usage-economics-store.ts';
import { usageRollupRows } from './usage-rollup.ts';
import { createRollupWriter, migrateUsageTables } from './usage-rollup-tables.ts';

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
  is_error INTEGER NOT NULL,
  tokens_raw INTEGER NOT NULL DEFAULT 0,
  path TEXT
);
CREATE INDEX IF NOT EXISTS usage_ws_ctx ON usage (workspace_id, context_id);
CREATE INDEX IF NOT EXISTS usage_ws_agent ON usage (workspace_id, agent_id);
CREATE INDEX IF NOT EXISTS usage_ts ON usage (ts);
`;

/** How long writes wait to share a transaction: commits cost more than the rows. */
const FLUSH_EVERY_MS = 10;

interface WriteBatch<T> {
  /**
   * Queues a row; resolves once it is committed, rejects when the commit failed. `soon`: a
   * caller waits for it, so the batch commits after this turn of the event loop, not the timer.
   */
  add(row: T, soon?: boolean): Promise<void>;
  /** Commits what is queued now (reads call it first, so they see every write). Never throws. */
  flush(): void;
}

/**
 * Rows written in one transaction every FLUSH_EVERY_MS. The flush runs from a timer, so a
 * failed commit (disk full, a locked or corrupt file) must reach the callers, not the process.
 * The rows of a batch share one promise: a call costs a push, not a promise of its own.
 */
function createWriteBatch<T>(write: (rows: T[]) => void, isOpen: () => boolean): WriteBatch<T> {
  let rows: T[] = [];
  let settle: { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (immediate) clearImmediate(immediate);
    immediate = undefined;
    const batch = rows;
    const done = settle;
    rows = [];
    settle = undefined;
    if (!done) return;
    try {
      if (!isOpen()) throw new Error('the store is closed');
      write(batch);
      done.resolve();
    } catch (err) {
      done.reject(err);
    }
  };
  return {
    add(row, soon = false) {
      // Kept referenced: callers await the commit, and it fires within FLUSH_EVERY_MS.
      if (soon) immediate ??= setImmediate(flush);
      else timer ??= setTimeout(flush, FLUSH_EVERY_MS);
      if (!settle) {
        let resolve!: () => void;
        let reject!: (err: unknown) => void;
        const promise = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        settle = { promise, resolve, reject };
      }
      rows.push(row);
      return settle.promise;
    },
    flush,
  };
}

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

/** The embedded store: one SQLite file (WAL) in the data dir, readable by its owner only. */
export function createSqliteStore(file: string): Store {
  const db = openPrivateDatabase(file);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  migrateUsageTables(db);

  const maxRevision = db.prepare<[string, string], { rev: number }>(
    'SELECT COALESCE(MAX(revision), 0) AS rev FROM events WHERE workspace_id = ? AND channel_id = ?',
  );
  const insertEvent = db.prepare(
    'INSERT INTO events (workspace_id, channel_id, revision, kind, actor, ts, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // Rows are inserted in one transaction every FLUSH_EVERY_MS. Revisions are counted there,
  // under the write lock, from the table: another process (a second `lean-ctx mcp` on the
  // same project) may append to the same channel. An append resolves once its row is
  // committed, so no subscriber sees an event a crash could lose.
  const insertEvents = db.transaction((rows: EventRecord[]) => {
    const last = new Map<string, number>();
    for (const e of rows) {
      const key = `${e.workspaceId}\u0000${e.channelId}`;
      e.revision = (last.get(key) ?? maxRevision.get(e.workspaceId, e.channelId)?.rev ?? 0) + 1;
      last.set(key, e.revision);
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
  const eventBatch = createWriteBatch<EventRecord>(
    (rows) => insertEvents.immediate(rows),
    () => db.open,
  );
  const flushEvents = eventBatch.flush;
  const append = (e: NewEvent, opts?: AppendOptions): Promise<EventRecord> => {
    const record = { ...e, revision: 0, ts: e.ts ?? new Date().toISOString() };
    return eventBatch.add(record, opts?.awaited === true).then(() => record);
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

  // A skip-scan over the primary key: one seek per channel, then one for its newest event.
  const selectNextChannel = db.prepare<[string, string], { channel_id: string }>(
    'SELECT channel_id FROM events WHERE workspace_id = ? AND channel_id > ? ORDER BY channel_id LIMIT 1',
  );
  const selectHead = db.prepare<[string, string], { revision: number; ts: string }>(
    'SELECT revision, ts FROM events WHERE workspace_id = ? AND channel_id = ? ORDER BY revision DESC LIMIT 1',
  );
  const selectHeads = db.prepare<[], { workspace_id: string; channel_id: string; rev: number }>(
    'SELECT workspace_id, channel_id, MAX(revision) AS rev FROM events GROUP BY workspace_id, channel_id',
  );
  const deleteUpTo = db.prepare<[string, string, number]>(
    'DELETE FROM events WHERE workspace_id = ? AND channel_id = ? AND revision <= ?',
  );
  const deleteOlder = db.prepare<[string, string, number, string]>(
    'DELETE FROM events WHERE workspace_id = ? AND channel_id = ? AND revision < ? AND ts < ?',
  );
  const prune = db.transaction((olderThan: string, keepPerChannel: number) => {
    let deleted = 0;
    for (const head of selectHeads.all()) {
      deleted += deleteUpTo.run(head.workspace_id, head.channel_id, head.rev - keepPerChannel).changes;
      deleted += deleteOlder.run(head.workspace_id, head.channel_id, head.rev, olderThan).changes;
    }
    return deleted;
  });

  // Eight term slots; an unused slot is '' and instr(x, '') is 1, so it matches everything.
  const selectSearch = db.prepare<(string | number | null)[], EventRow>(
    `SELECT * FROM (SELECT * FROM events WHERE workspace_id = ? AND (? IS NULL OR channel_id = ?)
       ORDER BY ts DESC, revision DESC LIMIT ?)
     WHERE ${Array.from({ length: MAX_EVENT_SEARCH_TERMS }, () => 'instr(lower(payload), ?) > 0').join(' AND ')}
     ORDER BY ts DESC, revision DESC LIMIT ?`,
  );
  const events: EventStore = {
    append,
    search: async (ws, ch, terms, { limit, scan }) => {
      if (terms.length > MAX_EVENT_SEARCH_TERMS)
        throw new RangeError(`at most ${MAX_EVENT_SEARCH_TERMS} search terms`);
      flushEvents();
      const slots = Array.from({ length: MAX_EVENT_SEARCH_TERMS }, (_, i) => terms[i]?.toLowerCase() ?? '');
      return selectSearch.all(ws, ch ?? null, ch ?? null, scan, ...slots, limit).map(toEvent);
    },
    latestRevision: async (ws, ch) => {
      flushEvents();
      return maxRevision.get(ws, ch)?.rev ?? 0;
    },
    prune: async ({ olderThan, keepPerChannel }) => {
      flushEvents();
      return prune(olderThan, Math.max(1, keepPerChannel));
    },
    since: async (ws, ch, after, limit) => {
      flushEvents();
      return selectSince.all(ws, ch, after, limit).map(toEvent);
    },
    heads: async (ws) => {
      flushEvents();
      const heads: { channelId: string; revision: number; ts: string }[] = [];
      for (
        let next = selectNextChannel.get(ws, '');
        next;
        next = selectNextChannel.get(ws, next.channel_id)
      ) {
        const head = selectHead.get(ws, next.channel_id);
        if (head) heads.push({ channelId: next.channel_id, revision: head.revision, ts: head.ts });
      }
      return heads;
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
    `INSERT INTO usage (ts, workspace_id, agent_id, context_id, tool, tokens_sent, tokens_saved, duration_ms, is_error, tokens_raw, path)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const addToRollups = createRollupWriter(db);
  // bumped by a row dated before today: the heatmap keeps past days' sums until it changes
  const backdated = { generation: 0 };
  // Usage rows are written in one transaction every FLUSH_EVERY_MS: one commit for a burst
  // of calls instead of one each. Reads flush first, so they always see every call.
  const insertUsageRows = db.transaction((rows: (UsageRecord & { ts: string })[]) => {
    for (const u of rows) {
      insertUsage.run(
        u.ts,
        u.workspaceId,
        u.agentId,
        u.contextId ?? null,
        u.tool,
        u.tokensSent,
        u.tokensSaved,
        u.durationMs,
        u.isError ? 1 : 0,
        u.tokensRaw ?? 0,
        u.path ?? null,
      );
    }
    addToRollups(rows);
    const today = new Date().toISOString().slice(0, 10);
    if (rows.some((u) => u.ts.slice(0, 10) < today)) backdated.generation++;
  });
  const usageBatch = createWriteBatch<UsageRecord & { ts: string }>(
    (rows) => insertUsageRows(rows),
    () => db.open,
  );
  const flush = usageBatch.flush;
  const deleteUsageBefore = db.prepare<[string]>('DELETE FROM usage WHERE ts < ?');
  const usage: UsageStore = {
    record: (u: UsageRecord) => usageBatch.add({ ...u, ts: u.ts ?? new Date().toISOString() }),
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
    async prune(olderThan) {
      flush();
      return deleteUsageBefore.run(olderThan).changes;
    },
    async activity(filter: UsageActivityFilter): Promise<UsageActivity[]> {
      flush();
      return usageActivityRows(db, filter);
    },
    async rollup(filter: UsageRollupFilter): Promise<UsageRollup> {
      flush();
      return file === ':memory:'
        ? usageRollupRows(db, filter)
        : runEngineTask('usageRollup', { ...filter, file });
    },
    ...createSqliteEconomics(db, file, flush, backdated),
  };

  const budgets = createSqliteBudgetStore(db);
  const evidence = createSqliteEvidenceStore(db);
  return {
    events,
    usage,
    ...createSqliteSharedSessionStores(db),
    knowledge: createSqliteKnowledgeStore(db, { file: file === ':memory:' ? undefined : file }),
    budgets,
    evidence,
    async close() {
      flush();
      budgets.flush();
      evidence.flush();
      flushEvents();
      if (db.open) db.close();
    },
  };
}
