import type { UsageRecord } from '../types.ts';

/**
 * The usage roll-ups (migration 003), added to in the statement that inserts the calls. Each
 * is an `INSERT … ON CONFLICT DO UPDATE` of increments, so replicas writing at once never lose
 * a count; a batch is summed per key first (one statement cannot touch a row twice) and its
 * keys go in sorted order, so two batches lock shared rows in the same order and never deadlock.
 */

type Row = UsageRecord & { ts: string };

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

const SEP = '\u0000';

const FIGURE_COLUMNS = [
  ['calls', 'bigint'],
  ['errors', 'bigint'],
  ['tokens_sent', 'bigint'],
  ['tokens_raw', 'bigint'],
  ['tokens_saved', 'bigint'],
  ['net_saved', 'bigint'],
  ['duration_ms', 'float8'],
  ['last_ts', 'text'],
] as const;
const PATH_COLUMNS = [
  ['reads', 'bigint'],
  ['tokens_sent', 'bigint'],
  ['tokens_raw', 'bigint'],
  ['last_ts', 'text'],
] as const;

/** The upsert of one roll-up whose parameters start at `$first`. */
function upsertSql(
  table: string,
  keys: readonly string[],
  columns: readonly (readonly [string, string])[],
  first: number,
) {
  const all = [...keys.map((k) => [k, 'text'] as const), ...columns];
  const update = columns.map(([c]) =>
    c === 'last_ts'
      ? `last_ts = GREATEST(${table}.last_ts, EXCLUDED.last_ts)`
      : `${c} = ${table}.${c} + EXCLUDED.${c}`,
  );
  return `INSERT INTO ${table} (${all.map(([c]) => c).join(', ')})
    SELECT * FROM unnest(${all.map(([, type], i) => `$${first + i}::${type}[]`).join(', ')})
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${update.join(', ')}`;
}

const USAGE_TABLES = [
  {
    table: 'usage_total',
    keys: ['workspace_id', 'agent_id', 'tool'],
    key: (u: Row) => [u.workspaceId, u.agentId, u.tool],
  },
  { table: 'usage_day', keys: ['workspace_id', 'day'], key: (u: Row) => [u.workspaceId, u.ts.slice(0, 10)] },
  {
    table: 'usage_day_agent',
    keys: ['workspace_id', 'day', 'agent_id'],
    key: (u: Row) => [u.workspaceId, u.ts.slice(0, 10), u.agentId],
  },
  {
    table: 'usage_day_tool',
    keys: ['workspace_id', 'day', 'tool'],
    key: (u: Row) => [u.workspaceId, u.ts.slice(0, 10), u.tool],
  },
];

const PATH_TABLES = [
  { table: 'usage_path_total', daily: false, dirs: false },
  { table: 'usage_path_daily', daily: true, dirs: false },
  { table: 'usage_dir_total', daily: false, dirs: true },
  { table: 'usage_dir_daily', daily: true, dirs: true },
].map((t) => ({ ...t, keys: t.daily ? ['workspace_id', 'day', 'path'] : ['workspace_id', 'path'] }));

function add(map: Map<string, Figures>, key: string, u: Row) {
  const f = map.get(key) ?? { calls: 0, errors: 0, sent: 0, raw: 0, saved: 0, net: 0, ms: 0, last: '' };
  const raw = Math.round(u.tokensRaw ?? 0);
  const sent = Math.round(u.tokensSent);
  f.calls++;
  f.errors += u.isError ? 1 : 0;
  f.sent += sent;
  f.raw += raw;
  f.saved += Math.round(u.tokensSaved);
  f.net += Math.max(0, raw - sent);
  f.ms += u.durationMs;
  if (u.ts > f.last) f.last = u.ts;
  map.set(key, f);
}

/** Every ancestor directory of a workspace-relative file ("a/b/c.ts" → "a", "a/b"). */
function parentsOf(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Key columns then figure columns, one array each, keys in byte order; undefined when there are none. */
function toColumns(map: Map<string, Figures>, width: number, figures: (f: Figures) => (number | string)[]) {
  if (map.size === 0) return undefined;
  const entries = [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const columns: (number | string)[][] = Array.from({ length: width }, () => []);
  for (const [key, f] of entries) {
    const values = [...key.split(SEP), ...figures(f)];
    for (let i = 0; i < width; i++) columns[i]?.push(values[i] as number | string);
  }
  return columns;
}

/**
 * The upserts that add a batch of calls to every roll-up, numbered from parameter `$first`:
 * each is meant for a `WITH` of the statement that inserts the calls, so a batch is one round
 * trip and all of it commits or none does.
 */
export function rollupUpserts(rows: readonly Row[], first: number): { sql: string[]; params: unknown[][] } {
  const sql: string[] = [];
  const params: unknown[][] = [];
  const push = (
    table: string,
    keys: readonly string[],
    figureColumns: readonly (readonly [string, string])[],
    columns: unknown[][] | undefined,
  ) => {
    if (!columns) return;
    sql.push(upsertSql(table, keys, figureColumns, first + params.length));
    params.push(...columns);
  };
  for (const t of USAGE_TABLES) {
    const map = new Map<string, Figures>();
    for (const u of rows) add(map, t.key(u).join(SEP), u);
    const columns = toColumns(map, t.keys.length + FIGURE_COLUMNS.length, (f) => [
      f.calls,
      f.errors,
      f.sent,
      f.raw,
      f.saved,
      f.net,
      f.ms,
      f.last,
    ]);
    push(t.table, t.keys, FIGURE_COLUMNS, columns);
  }
  for (const t of PATH_TABLES) {
    const map = new Map<string, Figures>();
    for (const u of rows) {
      // the heatmap counts reads that answered
      if (u.path === undefined || u.isError) continue;
      const day = u.ts.slice(0, 10);
      for (const p of t.dirs ? parentsOf(u.path) : [u.path]) {
        add(map, (t.daily ? [u.workspaceId, day, p] : [u.workspaceId, p]).join(SEP), u);
      }
    }
    const columns = toColumns(map, t.keys.length + PATH_COLUMNS.length, (f) => [
      f.calls,
      f.sent,
      f.raw,
      f.last,
    ]);
    push(t.table, t.keys, PATH_COLUMNS, columns);
  }
  return { sql, params };
}
