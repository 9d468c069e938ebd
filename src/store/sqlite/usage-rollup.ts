import Database from 'better-sqlite3';
import type { UsageRollup, UsageRollupFilter } from '../types.ts';

/**
 * The savings reports' aggregation over the usage table: a scan of every row the filter
 * matches, so the store runs it on an engine worker (usageRollupInFile) for a file database.
 */
export function usageRollupRows(db: Database.Database, filter: UsageRollupFilter): UsageRollup {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (filter.workspaceIds !== undefined) {
    if (filter.workspaceIds.length === 0) return { byAgentTool: [], byDay: [] };
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
  const scope = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const byAgentTool = db
    .prepare<Record<string, string>, UsageRollup['byAgentTool'][number]>(
      `SELECT agent_id AS agentId, tool, COUNT(*) AS calls, SUM(tokens_saved) AS tokensSaved, MAX(ts) AS lastTs
       FROM usage ${scope} GROUP BY agent_id, tool ORDER BY agent_id, tool`,
    )
    .all(params);
  const byDay = db
    .prepare<Record<string, string>, UsageRollup['byDay'][number]>(
      `SELECT substr(ts, 1, 10) AS day, agent_id AS agentId, COUNT(*) AS calls, SUM(tokens_saved) AS tokensSaved
       FROM usage ${scope ? `${scope} AND` : 'WHERE'} ts >= @sinceDay GROUP BY day, agent_id ORDER BY day, agent_id`,
    )
    .all({ ...params, sinceDay: filter.sinceDay });
  return { byAgentTool, byDay };
}

const readers = new Map<string, Database.Database>();

/** The same on a read-only connection of this thread's own (an engine worker's; WAL sees every commit). */
export function usageRollupInFile(input: UsageRollupFilter & { file: string }): UsageRollup {
  let db = readers.get(input.file);
  if (!db) {
    db = new Database(input.file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    readers.set(input.file, db);
  }
  const { file: _, ...filter } = input;
  return usageRollupRows(db, filter);
}
