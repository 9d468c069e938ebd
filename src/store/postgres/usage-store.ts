import type { UsageActivity, UsageRecord, UsageRollup, UsageStore, UsageSummary } from '../types.ts';
import { createGroupCommit } from './group-commit.ts';
import type { PgDatabase } from './pool.ts';
import { createPgEconomics } from './usage-economics-store.ts';
import { rollupUpserts } from './usage-rollups.ts';

/**
 * Usage rows in PostgreSQL: a batch of calls and what it adds to the roll-ups (usage-rollups.ts)
 * are one statement, one round trip, atomic; reads wait for what is queued.
 */
export function createPgUsageStore(db: PgDatabase): UsageStore & { settled(): Promise<void> } {
  const writes = createGroupCommit<UsageRecord & { ts: string }>(async (rows) => {
    const insert = `INSERT INTO usage (ts, workspace_id, agent_id, context_id, tool, tokens_sent, tokens_saved,
        duration_ms, is_error, tokens_raw, path)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
        $8::float8[], $9::boolean[], $10::bigint[], $11::text[])`;
    const columns = [
      rows.map((u) => u.ts),
      rows.map((u) => u.workspaceId),
      rows.map((u) => u.agentId),
      rows.map((u) => u.contextId ?? null),
      rows.map((u) => u.tool),
      rows.map((u) => Math.round(u.tokensSent)),
      rows.map((u) => Math.round(u.tokensSaved)),
      rows.map((u) => u.durationMs),
      rows.map((u) => u.isError),
      rows.map((u) => Math.round(u.tokensRaw ?? 0)),
      rows.map((u) => u.path ?? null),
    ];
    const rollups = rollupUpserts(rows, columns.length + 1);
    const steps = [insert, ...rollups.sql].map((sql, i) => `s${i} AS (${sql})`);
    await db.write(`WITH ${steps.join(',\n')}\nSELECT 1`, [...columns, ...rollups.params]);
  });
  const settled = writes.settled;

  return {
    settled,
    // written after the call's answer: it waits for company (group-commit.ts LINGER_MS)
    record: (u) => writes.add({ ...u, ts: u.ts ?? new Date().toISOString() }, { lazy: true }),
    async activity(filter): Promise<UsageActivity[]> {
      await settled();
      if (filter.workspaceIds !== undefined && filter.workspaceIds.length === 0) return [];
      // a range of the usage_ts index: only the window's rows are read
      const scope = filter.workspaceIds === undefined ? '' : 'AND workspace_id = ANY($2::text[])';
      return db.query<UsageActivity>(
        `SELECT substr(ts, 1, 16) AS minute, tool, agent_id AS "agentId", COUNT(*) AS calls,
                SUM(is_error::int) AS errors, SUM(tokens_sent) AS "tokensSent", SUM(tokens_saved) AS "tokensSaved"
         FROM usage WHERE ts >= $1 ${scope}
         GROUP BY minute, tool, agent_id ORDER BY minute, tool, agent_id`,
        filter.workspaceIds === undefined ? [filter.sinceTs] : [filter.sinceTs, [...filter.workspaceIds]],
      );
    },
    async summary(filter): Promise<UsageSummary> {
      await settled();
      const params: unknown[] = [filter.workspaceId];
      const where = ['workspace_id = $1'];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(`${sql} $${params.length}`);
      };
      if (filter.agentId !== undefined) add('agent_id =', filter.agentId);
      if (filter.contextId !== undefined) add('context_id =', filter.contextId);
      if (filter.sinceTs !== undefined) add('ts >=', filter.sinceTs);
      const rows = await db.query<{
        tool: string;
        calls: number;
        sent: number;
        saved: number;
        errors: number;
      }>(
        `SELECT tool, COUNT(*) AS calls, SUM(tokens_sent) AS sent, SUM(tokens_saved) AS saved,
           SUM(is_error::int) AS errors
         FROM usage WHERE ${where.join(' AND ')} GROUP BY tool ORDER BY calls DESC, tool`,
        params,
      );
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
    async rollup(filter): Promise<UsageRollup> {
      await settled();
      if (filter.workspaceIds !== undefined && filter.workspaceIds.length === 0)
        return { byAgentTool: [], byDay: [] };
      // the roll-ups, as in SQLite: all time per agent and tool, and per day and agent
      const scope = '($1::text[] IS NULL OR workspace_id = ANY($1)) AND ($2::text IS NULL OR agent_id = $2)';
      const params = [filter.workspaceIds ?? null, filter.agentId ?? null];
      const byAgentTool = await db.query<UsageRollup['byAgentTool'][number]>(
        `SELECT agent_id AS "agentId", tool, SUM(calls) AS calls, SUM(tokens_saved) AS "tokensSaved",
           MAX(last_ts) AS "lastTs"
         FROM usage_total WHERE ${scope} GROUP BY agent_id, tool ORDER BY agent_id, tool`,
        params,
      );
      // per day across agents (one agent's days when the filter names one), as in SQLite
      const byDay =
        filter.agentId === undefined
          ? await db.query<UsageRollup['byDay'][number]>(
              `SELECT day, SUM(calls) AS calls, SUM(tokens_saved) AS "tokensSaved"
               FROM usage_day WHERE ($1::text[] IS NULL OR workspace_id = ANY($1)) AND day >= $2
               GROUP BY day ORDER BY day`,
              [filter.workspaceIds ?? null, filter.sinceDay],
            )
          : await db.query<UsageRollup['byDay'][number]>(
              `SELECT day, SUM(calls) AS calls, SUM(tokens_saved) AS "tokensSaved"
               FROM usage_day_agent WHERE ${scope} AND day >= $3 GROUP BY day ORDER BY day`,
              [...params, filter.sinceDay],
            );
      return { byAgentTool, byDay };
    },
    // the roll-ups keep what pruned rows added, as in SQLite: reports count every call ever made
    async prune(olderThan) {
      await settled();
      const rows = await db.query<{ n: number }>(
        'WITH gone AS (DELETE FROM usage WHERE ts < $1 RETURNING 1) SELECT COUNT(*) AS n FROM gone',
        [olderThan],
      );
      return rows[0]?.n ?? 0;
    },
    ...createPgEconomics(db, settled),
  };
}
