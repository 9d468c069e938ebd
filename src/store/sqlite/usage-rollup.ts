import Database from 'better-sqlite3';
import type {
  PathReads,
  PathReadsFilter,
  UsageRollup,
  UsageRollupFilter,
  UsageTotals,
  UsageTotalsFilter,
} from '../types.ts';

/** `workspace_id IN (…)` (and the agent) as a WHERE clause with its parameters; undefined = matches nothing. */
export function scopeOf(filter: { workspaceIds: readonly string[] | undefined; agentId?: string }) {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.workspaceIds !== undefined) {
    if (filter.workspaceIds.length === 0) return undefined;
    const names = filter.workspaceIds.map((id, i) => {
      params[`ws${i}`] = id;
      return `@ws${i}`;
    });
    where.push(`workspace_id IN (${names.join(', ')})`);
  }
  if (filter.agentId !== undefined) {
    params.agentId = filter.agentId;
    where.push('agent_id = @agentId');
  }
  return { where, params };
}

const whereOf = (where: readonly string[]) => (where.length > 0 ? `WHERE ${where.join(' AND ')}` : '');

/**
 * The savings reports' aggregation, over the roll-up tables (usage-rollup-tables.ts); the
 * store runs it on an engine worker (usageRollupInFile) for a file database.
 */
export function usageRollupRows(db: Database.Database, filter: UsageRollupFilter): UsageRollup {
  const scope = scopeOf(filter);
  if (!scope) return { byAgentTool: [], byDay: [] };
  const byAgentTool = db
    .prepare<Record<string, string | number>, UsageRollup['byAgentTool'][number]>(
      `SELECT agent_id AS agentId, tool, SUM(calls) AS calls, SUM(tokens_saved) AS tokensSaved, MAX(last_ts) AS lastTs
       FROM usage_total ${whereOf(scope.where)} GROUP BY agent_id, tool ORDER BY agent_id, tool`,
    )
    .all(scope.params);
  const byDay = db
    .prepare<Record<string, string | number>, UsageRollup['byDay'][number]>(
      `SELECT day, agent_id AS agentId, SUM(calls) AS calls, SUM(tokens_saved) AS tokensSaved
       FROM usage_day_agent ${whereOf([...scope.where, 'day >= @sinceDay'])} GROUP BY day, agent_id ORDER BY day, agent_id`,
    )
    .all({ ...scope.params, sinceDay: filter.sinceDay });
  return { byAgentTool, byDay };
}

const FIGURES = `SUM(calls) AS calls, SUM(errors) AS errors, SUM(tokens_sent) AS tokensSent,
  SUM(tokens_raw) AS tokensRaw, SUM(net_saved) AS tokensSaved, SUM(duration_ms) AS durationMs`;

/** Usage per agent and tool, and per day, for the gain and cost reports. */
export function usageTotalsRows(db: Database.Database, filter: UsageTotalsFilter): UsageTotals {
  const scope = scopeOf(filter);
  if (!scope) return { byAgentTool: [], byDay: [] };
  const since = filter.sinceDay === undefined ? [] : ['day >= @sinceDay'];
  const params =
    filter.sinceDay === undefined ? scope.params : { ...scope.params, sinceDay: filter.sinceDay };
  // all time comes from the totals table; a window from the daily one
  const byAgentTool = db
    .prepare<Record<string, string | number>, UsageTotals['byAgentTool'][number]>(
      `SELECT agent_id AS agentId, tool, ${FIGURES}, MAX(last_ts) AS lastTs
       FROM ${since.length > 0 ? 'usage_daily' : 'usage_total'} ${whereOf([...scope.where, ...since])}
       GROUP BY agent_id, tool ORDER BY agent_id, tool`,
    )
    .all(params);
  const byDay = db
    .prepare<Record<string, string | number>, UsageTotals['byDay'][number]>(
      `SELECT day, ${FIGURES} FROM usage_day_agent ${whereOf([...scope.where, ...since])} GROUP BY day ORDER BY day`,
    )
    .all(params);
  return { byAgentTool, byDay };
}

/** Reads per file, most read first. */
export function pathReadsRows(db: Database.Database, filter: PathReadsFilter): PathReads[] {
  const scope = scopeOf(filter);
  if (!scope) return [];
  const since = filter.sinceDay === undefined ? [] : ['day >= @sinceDay'];
  return db
    .prepare<Record<string, string | number>, PathReads>(
      `SELECT path, SUM(reads) AS reads, SUM(tokens_sent) AS tokensSent, SUM(tokens_raw) AS tokensRaw, MAX(last_ts) AS lastTs
       FROM ${since.length > 0 ? 'usage_path_daily' : 'usage_path_total'} ${whereOf([...scope.where, ...since])}
       GROUP BY path ORDER BY reads DESC, path LIMIT @limit`,
    )
    .all({
      ...scope.params,
      limit: filter.limit,
      ...(filter.sinceDay !== undefined ? { sinceDay: filter.sinceDay } : {}),
    });
}

const readers = new Map<string, Database.Database>();

/** This thread's own read-only connection to a store file (an engine worker's; WAL sees every commit). */
function readerOf(file: string): Database.Database {
  let db = readers.get(file);
  if (!db) {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    readers.set(file, db);
  }
  return db;
}

export function usageRollupInFile(input: UsageRollupFilter & { file: string }): UsageRollup {
  const { file, ...filter } = input;
  return usageRollupRows(readerOf(file), filter);
}

export function usageTotalsInFile(input: UsageTotalsFilter & { file: string }): UsageTotals {
  const { file, ...filter } = input;
  return usageTotalsRows(readerOf(file), filter);
}

export function pathReadsInFile(input: PathReadsFilter & { file: string }): PathReads[] {
  const { file, ...filter } = input;
  return pathReadsRows(readerOf(file), filter);
}
