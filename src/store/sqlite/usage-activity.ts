import type Database from 'better-sqlite3';
import type { UsageActivity, UsageActivityFilter } from '../types.ts';

/**
 * Usage per minute, tool and agent over a recent window: a range of the `usage_ts` index,
 * so it reads only the window's rows however large the table grows.
 */
export function usageActivityRows(db: Database.Database, filter: UsageActivityFilter): UsageActivity[] {
  const params: Record<string, string> = { sinceTs: filter.sinceTs };
  let scope = '';
  if (filter.workspaceIds !== undefined) {
    if (filter.workspaceIds.length === 0) return [];
    const names = filter.workspaceIds.map((id, i) => {
      params[`ws${i}`] = id;
      return `@ws${i}`;
    });
    scope = `AND workspace_id IN (${names.join(', ')})`;
  }
  return db
    .prepare<Record<string, string>, UsageActivity>(
      `SELECT substr(ts, 1, 16) AS minute, tool, agent_id AS agentId, COUNT(*) AS calls,
              SUM(is_error) AS errors, SUM(tokens_sent) AS tokensSent, SUM(tokens_saved) AS tokensSaved
       FROM usage INDEXED BY usage_ts WHERE ts >= @sinceTs ${scope}
       GROUP BY minute, tool, agent_id ORDER BY minute, tool, agent_id`,
    )
    .all(params);
}
