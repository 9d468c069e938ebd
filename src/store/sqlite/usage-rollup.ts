import Database from 'better-sqlite3';
import type {
  PathReads,
  PathReadsFilter,
  UsageRollup,
  UsageRollupFilter,
  UsageTotals,
  UsageTotalsFilter,
} from '../types.ts';
import { windowedPathReads } from './path-reads-window.ts';

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
      `SELECT day, SUM(calls) AS calls, SUM(tokens_saved) AS tokensSaved
       FROM ${filter.agentId !== undefined ? 'usage_day_agent' : 'usage_day'} ${whereOf([...scope.where, 'day >= @sinceDay'])}
       GROUP BY day ORDER BY day`,
    )
    .all({ ...scope.params, sinceDay: filter.sinceDay });
  return { byAgentTool, byDay };
}

const FIGURES = `SUM(calls) AS calls, SUM(errors) AS errors, SUM(tokens_sent) AS tokensSent,
  SUM(tokens_raw) AS tokensRaw, SUM(net_saved) AS tokensSaved, SUM(duration_ms) AS durationMs`;

/** Usage per agent, per tool and per day, for the gain and cost reports. */
export function usageTotalsRows(db: Database.Database, filter: UsageTotalsFilter): UsageTotals {
  const scope = scopeOf(filter);
  if (!scope) return { byAgent: [], byTool: [], byDay: [] };
  const windowed = filter.sinceDay !== undefined;
  if (windowed && filter.agentId !== undefined) {
    throw new RangeError('usage totals of one agent are kept for all time only; ask without sinceDay');
  }
  const where = whereOf(windowed ? [...scope.where, 'day >= @sinceDay'] : scope.where);
  const params = windowed ? { ...scope.params, sinceDay: filter.sinceDay as string } : scope.params;
  const query = <T>(sql: string) => db.prepare<Record<string, string | number>, T>(sql).all(params);
  // all time comes from the totals per agent and tool; a window from the daily tables
  const byAgent = query<UsageTotals['byAgent'][number]>(
    `SELECT agent_id AS agentId, ${FIGURES}, MAX(last_ts) AS lastTs
     FROM ${windowed ? 'usage_day_agent' : 'usage_total'} ${where} GROUP BY agent_id ORDER BY agent_id`,
  );
  const byTool = query<UsageTotals['byTool'][number]>(
    `SELECT tool, ${FIGURES} FROM ${windowed ? 'usage_day_tool' : 'usage_total'} ${where} GROUP BY tool ORDER BY tool`,
  );
  const byDay = query<UsageTotals['byDay'][number]>(
    `SELECT day, ${FIGURES} FROM ${filter.agentId !== undefined ? 'usage_day_agent' : 'usage_day'} ${where}
     GROUP BY day ORDER BY day`,
  );
  return { byAgent, byTool, byDay };
}

/** Reads per file (or directory) of each workspace, most read first. */
export function pathReadsRows(
  db: Database.Database,
  filter: PathReadsFilter,
  cache: { id: string; generation: number } = { id: 'memory', generation: 0 },
): PathReads[] {
  const scope = scopeOf(filter);
  if (!scope) return [];
  const where = [...scope.where];
  const params: Record<string, string | number> = { ...scope.params, limit: filter.limit };
  const under = filter.under?.replace(/\/+$/, '');
  if (under) {
    // below "a/b": from "a/b/" up to "a/b0" ('0' follows '/')
    where.push('path > @below AND path < @above');
    params.below = `${under}/`;
    params.above = `${under}0`;
  }
  const kind = filter.dirs ? 'dir' : 'path';
  if (filter.sinceDay !== undefined) {
    const { limit: _, ...windowParams } = params;
    const sql = `SELECT workspace_id AS workspaceId, path, SUM(reads) AS reads, SUM(tokens_sent) AS tokensSent,
        SUM(tokens_raw) AS tokensRaw, MAX(last_ts) AS lastTs
      FROM usage_${kind}_daily ${whereOf([...where, 'day >= @from AND day < @to'])} GROUP BY workspace_id, path`;
    return windowedPathReads(
      db,
      { ...filter, sinceDay: filter.sinceDay },
      { sql, params: windowParams },
      cache,
    );
  }
  // over every workspace, walk the reads index from the top rather than sort the table
  const hint = filter.workspaceIds === undefined ? `INDEXED BY usage_${kind}_total_reads` : '';
  return db
    .prepare<Record<string, string | number>, PathReads>(
      `SELECT workspace_id AS workspaceId, path, reads, tokens_sent AS tokensSent, tokens_raw AS tokensRaw, last_ts AS lastTs
       FROM usage_${kind}_total ${hint} ${whereOf(where)} ORDER BY reads DESC, path, workspace_id LIMIT @limit`,
    )
    .all(params);
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

export function pathReadsInFile(input: PathReadsFilter & { file: string; generation: number }): PathReads[] {
  const { file, generation, ...filter } = input;
  return pathReadsRows(readerOf(file), filter, { id: file, generation });
}
