import type Database from 'better-sqlite3';
import type { UsageRecord } from '../types.ts';

/**
 * Roll-ups of the usage table, kept in the transaction that inserts its rows, so a report
 * reads a few thousand sums instead of scanning a million calls. Every table holds the same
 * figures; `net_saved` is raw − sent of each call that measured a raw size (never below 0),
 * `tokens_saved` what the tools claimed.
 */
const FIGURES = `calls INTEGER NOT NULL, errors INTEGER NOT NULL, tokens_sent INTEGER NOT NULL,
  tokens_raw INTEGER NOT NULL, tokens_saved INTEGER NOT NULL, net_saved INTEGER NOT NULL,
  duration_ms REAL NOT NULL, last_ts TEXT NOT NULL`;
const PATH_FIGURES =
  'reads INTEGER NOT NULL, tokens_sent INTEGER NOT NULL, tokens_raw INTEGER NOT NULL, last_ts TEXT NOT NULL';

const ROLLUP_SCHEMA = `
CREATE TABLE IF NOT EXISTS usage_total (workspace_id TEXT NOT NULL, agent_id TEXT NOT NULL, tool TEXT NOT NULL,
  ${FIGURES}, PRIMARY KEY (workspace_id, agent_id, tool)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage_day (workspace_id TEXT NOT NULL, day TEXT NOT NULL,
  ${FIGURES}, PRIMARY KEY (day, workspace_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage_day_agent (workspace_id TEXT NOT NULL, day TEXT NOT NULL, agent_id TEXT NOT NULL,
  ${FIGURES}, PRIMARY KEY (day, workspace_id, agent_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage_day_tool (workspace_id TEXT NOT NULL, day TEXT NOT NULL, tool TEXT NOT NULL,
  ${FIGURES}, PRIMARY KEY (day, workspace_id, tool)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage_path_total (workspace_id TEXT NOT NULL, path TEXT NOT NULL,
  ${PATH_FIGURES}, PRIMARY KEY (workspace_id, path)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS usage_path_total_reads ON usage_path_total (reads DESC);
CREATE INDEX IF NOT EXISTS usage_path_total_ws_reads ON usage_path_total (workspace_id, reads DESC);
CREATE TABLE IF NOT EXISTS usage_path_daily (workspace_id TEXT NOT NULL, day TEXT NOT NULL, path TEXT NOT NULL,
  ${PATH_FIGURES}, PRIMARY KEY (day, workspace_id, path)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage_dir_total (workspace_id TEXT NOT NULL, path TEXT NOT NULL,
  ${PATH_FIGURES}, PRIMARY KEY (workspace_id, path)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS usage_dir_total_reads ON usage_dir_total (reads DESC);
CREATE INDEX IF NOT EXISTS usage_dir_total_ws_reads ON usage_dir_total (workspace_id, reads DESC);
CREATE TABLE IF NOT EXISTS usage_dir_daily (workspace_id TEXT NOT NULL, day TEXT NOT NULL, path TEXT NOT NULL,
  ${PATH_FIGURES}, PRIMARY KEY (day, workspace_id, path)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS usage_cost_baseline (workspace_id TEXT NOT NULL, agent_id TEXT NOT NULL, tool TEXT NOT NULL,
  ${FIGURES}, reset_at TEXT NOT NULL, reset_by TEXT NOT NULL, PRIMARY KEY (workspace_id, agent_id, tool)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS llm_feedback (
  id INTEGER PRIMARY KEY,
  ts TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  context_id TEXT,
  model TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  latency_ms REAL,
  intent TEXT,
  note TEXT
);
CREATE INDEX IF NOT EXISTS llm_feedback_ws_ts ON llm_feedback (workspace_id, ts);
`;

const NET_SAVED = 'CASE WHEN tokens_raw > tokens_sent THEN tokens_raw - tokens_sent ELSE 0 END';
const SUMS = `COUNT(*), SUM(is_error), SUM(tokens_sent), SUM(tokens_raw), SUM(tokens_saved), SUM(${NET_SAVED}), SUM(duration_ms), MAX(ts)`;

/** Builds the roll-ups of the rows a database already holds (a database from before them). */
const BACKFILL = `
INSERT INTO usage_total SELECT workspace_id, agent_id, tool, ${SUMS} FROM usage GROUP BY 1, 2, 3;
INSERT INTO usage_day SELECT workspace_id, substr(ts, 1, 10), ${SUMS} FROM usage GROUP BY 1, 2;
INSERT INTO usage_day_agent SELECT workspace_id, substr(ts, 1, 10), agent_id, ${SUMS} FROM usage GROUP BY 1, 2, 3;
INSERT INTO usage_day_tool SELECT workspace_id, substr(ts, 1, 10), tool, ${SUMS} FROM usage GROUP BY 1, 2, 3;
`;

/**
 * Brings a usage table of any earlier version up to date: the raw-size and path columns,
 * then the roll-up tables, filled from the rows already there. Idempotent; one transaction.
 */
export function migrateUsageTables(db: Database.Database): void {
  const migrate = db.transaction(() => {
    const columns = new Set(
      db
        .prepare<[], { name: string }>('PRAGMA table_info(usage)')
        .all()
        .map((c) => c.name),
    );
    if (!columns.has('tokens_raw'))
      db.exec('ALTER TABLE usage ADD COLUMN tokens_raw INTEGER NOT NULL DEFAULT 0');
    if (!columns.has('path')) db.exec('ALTER TABLE usage ADD COLUMN path TEXT');
    const hadRollups = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage_total'")
      .get();
    db.exec(ROLLUP_SCHEMA);
    // a database from before the path column has read no paths: nothing to add for the heatmap
    if (!hadRollups) db.exec(BACKFILL);
  });
  migrate.immediate();
}

interface Figures {
  calls: number;
  errors: number;
  sent: number;
  raw: number;
  saved: number;
  net: number;
  ms: number;
  last: string;
}

const UPDATE_FIGURES = `calls = calls + excluded.calls, errors = errors + excluded.errors,
  tokens_sent = tokens_sent + excluded.tokens_sent, tokens_raw = tokens_raw + excluded.tokens_raw,
  tokens_saved = tokens_saved + excluded.tokens_saved, net_saved = net_saved + excluded.net_saved,
  duration_ms = duration_ms + excluded.duration_ms, last_ts = max(last_ts, excluded.last_ts)`;
const UPDATE_PATH = `reads = reads + excluded.reads, tokens_sent = tokens_sent + excluded.tokens_sent,
  tokens_raw = tokens_raw + excluded.tokens_raw, last_ts = max(last_ts, excluded.last_ts)`;

function add(map: Map<string, Figures>, key: string, u: UsageRecord & { ts: string }) {
  const f = map.get(key) ?? { calls: 0, errors: 0, sent: 0, raw: 0, saved: 0, net: 0, ms: 0, last: '' };
  const raw = u.tokensRaw ?? 0;
  f.calls++;
  f.errors += u.isError ? 1 : 0;
  f.sent += u.tokensSent;
  f.raw += raw;
  f.saved += u.tokensSaved;
  f.net += Math.max(0, raw - u.tokensSent);
  f.ms += u.durationMs;
  if (u.ts > f.last) f.last = u.ts;
  map.set(key, f);
}

const SEP = '\u0000';

/** Every ancestor directory of a workspace-relative file ("a/b/c.ts" → "a", "a/b"). */
function parentsOf(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * Adds a batch of usage rows to the roll-ups; call it inside the transaction that inserts
 * them. A burst is summed here first, so it costs one upsert per group, not per call.
 */
export function createRollupWriter(
  db: Database.Database,
): (rows: readonly (UsageRecord & { ts: string })[]) => void {
  const figures = (f: Figures) => [f.calls, f.errors, f.sent, f.raw, f.saved, f.net, f.ms, f.last];
  const upsert = (table: string, keys: readonly string[]) =>
    db.prepare(
      `INSERT INTO ${table} VALUES (${[...keys, ...Array(8).fill('')].map(() => '?').join(', ')})
       ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${UPDATE_FIGURES}`,
    );
  const upsertPath = (table: string, keys: readonly string[]) =>
    db.prepare(
      `INSERT INTO ${table} VALUES (${[...keys, ...Array(4).fill('')].map(() => '?').join(', ')})
       ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${UPDATE_PATH}`,
    );
  const usageTables = [
    {
      stmt: upsert('usage_total', ['workspace_id', 'agent_id', 'tool']),
      key: (u: Row) => [u.workspaceId, u.agentId, u.tool],
    },
    {
      stmt: upsert('usage_day', ['workspace_id', 'day']),
      key: (u: Row) => [u.workspaceId, u.ts.slice(0, 10)],
    },
    {
      stmt: upsert('usage_day_agent', ['workspace_id', 'day', 'agent_id']),
      key: (u: Row) => [u.workspaceId, u.ts.slice(0, 10), u.agentId],
    },
    {
      stmt: upsert('usage_day_tool', ['workspace_id', 'day', 'tool']),
      key: (u: Row) => [u.workspaceId, u.ts.slice(0, 10), u.tool],
    },
  ];
  const pathTables = [
    { stmt: upsertPath('usage_path_total', ['workspace_id', 'path']), day: false, dirs: false },
    { stmt: upsertPath('usage_path_daily', ['workspace_id', 'day', 'path']), day: true, dirs: false },
    { stmt: upsertPath('usage_dir_total', ['workspace_id', 'path']), day: false, dirs: true },
    { stmt: upsertPath('usage_dir_daily', ['workspace_id', 'day', 'path']), day: true, dirs: true },
  ];
  return (rows) => {
    const groups = usageTables.map(() => new Map<string, Figures>());
    const pathGroups = pathTables.map(() => new Map<string, Figures>());
    for (const u of rows) {
      usageTables.forEach((t, i) => {
        add(groups[i] as Map<string, Figures>, t.key(u).join(SEP), u);
      });
      if (u.path === undefined || u.isError) continue;
      const day = u.ts.slice(0, 10);
      const dirs = parentsOf(u.path);
      pathTables.forEach((t, i) => {
        const into = pathGroups[i] as Map<string, Figures>;
        for (const p of t.dirs ? dirs : [u.path as string]) {
          add(into, (t.day ? [u.workspaceId, day, p] : [u.workspaceId, p]).join(SEP), u);
        }
      });
    }
    usageTables.forEach((t, i) => {
      for (const [k, f] of groups[i] as Map<string, Figures>) t.stmt.run(...k.split(SEP), ...figures(f));
    });
    pathTables.forEach((t, i) => {
      for (const [k, f] of pathGroups[i] as Map<string, Figures>)
        t.stmt.run(...k.split(SEP), f.calls, f.sent, f.raw, f.last);
    });
  };
}

type Row = UsageRecord & { ts: string };
