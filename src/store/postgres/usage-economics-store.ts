import type { FeedbackFigures, FeedbackSummary, PathReads, UsageStore, UsageTotals } from '../types.ts';
import { type PgDatabase, toStoreError } from './pool.ts';
import { writeInTransaction } from './write-transaction.ts';

type EconomicsMethods = Pick<
  UsageStore,
  | 'totals'
  | 'pathReads'
  | 'resetCost'
  | 'costBaselines'
  | 'recordFeedback'
  | 'feedbackSummary'
  | 'deleteFeedback'
>;

/** A WHERE clause being built with numbered parameters. */
function createWhere() {
  const where: string[] = [];
  const params: unknown[] = [];
  return {
    params,
    /** `sql` with `$` standing for the value's placeholder. */
    add(sql: string, value: unknown) {
      params.push(value);
      where.push(sql.replace('$', `$${params.length}`));
    },
    push(sql: string) {
      where.push(sql);
    },
    toString: () => (where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''),
  };
}

/** Workspaces (undefined = all) and the agent; undefined when the scope matches nothing. */
function scopeOf(filter: { workspaceIds: readonly string[] | undefined; agentId?: string | undefined }) {
  if (filter.workspaceIds !== undefined && filter.workspaceIds.length === 0) return undefined;
  const w = createWhere();
  if (filter.workspaceIds !== undefined) w.add('workspace_id = ANY($::text[])', filter.workspaceIds);
  if (filter.agentId !== undefined) w.add('agent_id = $', filter.agentId);
  return w;
}

const FIGURES = `SUM(calls) AS calls, SUM(errors) AS errors, SUM(tokens_sent) AS "tokensSent",
  SUM(tokens_raw) AS "tokensRaw", SUM(net_saved) AS "tokensSaved", SUM(duration_ms) AS "durationMs"`;
const FEEDBACK_FIGURES = `COUNT(*) AS entries, COALESCE(SUM(input_tokens), 0) AS "inputTokens",
  COALESCE(SUM(output_tokens), 0) AS "outputTokens", COALESCE(AVG(latency_ms), 0) AS "avgLatencyMs"`;
const NO_FEEDBACK: FeedbackSummary = {
  entries: 0,
  inputTokens: 0,
  outputTokens: 0,
  avgLatencyMs: 0,
  byModel: [],
  byIntent: [],
};

/**
 * The gain, cost, heatmap and feedback side of the PostgreSQL usage store, over the roll-ups
 * of migration 003; the same answers as src/store/sqlite/usage-economics-store.ts. `settled`
 * waits for the queued usage rows, so a report sees every call that was answered.
 */
export function createPgEconomics(db: PgDatabase, settled: () => Promise<void>): EconomicsMethods {
  return {
    async totals(filter): Promise<UsageTotals> {
      await settled();
      const w = scopeOf(filter);
      if (!w) return { byAgent: [], byTool: [], byDay: [] };
      const windowed = filter.sinceDay !== undefined;
      if (windowed && filter.agentId !== undefined) {
        throw new RangeError('usage totals of one agent are kept for all time only; ask without sinceDay');
      }
      if (windowed) w.add('day >= $', filter.sinceDay);
      // all time comes from the totals per agent and tool; a window from the daily tables
      const byAgent = await db.query<UsageTotals['byAgent'][number]>(
        `SELECT agent_id AS "agentId", ${FIGURES}, MAX(last_ts) AS "lastTs"
         FROM ${windowed ? 'usage_day_agent' : 'usage_total'} ${w} GROUP BY agent_id ORDER BY agent_id`,
        w.params,
      );
      const byTool = await db.query<UsageTotals['byTool'][number]>(
        `SELECT tool, ${FIGURES} FROM ${windowed ? 'usage_day_tool' : 'usage_total'} ${w} GROUP BY tool ORDER BY tool`,
        w.params,
      );
      const byDay = await db.query<UsageTotals['byDay'][number]>(
        `SELECT day, ${FIGURES} FROM ${filter.agentId !== undefined ? 'usage_day_agent' : 'usage_day'} ${w}
         GROUP BY day ORDER BY day`,
        w.params,
      );
      return { byAgent, byTool, byDay };
    },

    async pathReads(filter): Promise<PathReads[]> {
      await settled();
      const w = scopeOf(filter);
      if (!w) return [];
      const under = filter.under?.replace(/\/+$/, '');
      if (under) {
        // below "a/b": from "a/b/" up to "a/b0" ('0' follows '/' in byte order)
        w.add('path > $', `${under}/`);
        w.add('path < $', `${under}0`);
      }
      const kind = filter.dirs ? 'dir' : 'path';
      const limit = Math.max(0, Math.floor(filter.limit));
      if (filter.sinceDay !== undefined) {
        w.add('day >= $', filter.sinceDay);
        return db.query<PathReads>(
          `SELECT workspace_id AS "workspaceId", path, SUM(reads) AS reads, SUM(tokens_sent) AS "tokensSent",
             SUM(tokens_raw) AS "tokensRaw", MAX(last_ts) AS "lastTs"
           FROM usage_${kind}_daily ${w} GROUP BY workspace_id, path
           ORDER BY reads DESC, path, "workspaceId" LIMIT ${limit}`,
          w.params,
        );
      }
      // all time walks the (reads DESC, path, workspace) index from the top
      return db.query<PathReads>(
        `SELECT workspace_id AS "workspaceId", path, reads, tokens_sent AS "tokensSent", tokens_raw AS "tokensRaw",
           last_ts AS "lastTs"
         FROM usage_${kind}_total ${w} ORDER BY reads DESC, path, workspace_id LIMIT ${limit}`,
        w.params,
      );
    },

    async resetCost({ workspaceId, agentId, by, at }) {
      await settled();
      const agent = agentId !== undefined ? ' AND agent_id = $2' : '';
      const params = agentId !== undefined ? [workspaceId, agentId] : [workspaceId];
      const n = params.length;
      try {
        // two replicas resetting at once: the loser of the key race retries on a fresh snapshot
        await writeInTransaction(db.pool, async (sql) => {
          await sql.query(`DELETE FROM usage_cost_baseline WHERE workspace_id = $1${agent}`, params);
          await sql.query(
            `INSERT INTO usage_cost_baseline SELECT workspace_id, agent_id, tool, calls, errors, tokens_sent,
               tokens_raw, tokens_saved, net_saved, duration_ms, last_ts, $${n + 1}, $${n + 2}
             FROM usage_total WHERE workspace_id = $1${agent}`,
            [...params, at, by],
          );
        });
      } catch (err) {
        throw toStoreError(err, db.target);
      }
    },

    async costBaselines(workspaceIds) {
      const w = scopeOf({ workspaceIds });
      if (!w) return [];
      return db.query(
        `SELECT workspace_id AS "workspaceId", agent_id AS "agentId", tool, calls, errors, tokens_sent AS "tokensSent",
           tokens_raw AS "tokensRaw", net_saved AS "tokensSaved", duration_ms AS "durationMs", reset_at AS "resetAt",
           reset_by AS "resetBy"
         FROM usage_cost_baseline ${w} ORDER BY workspace_id, agent_id, tool`,
        w.params,
      );
    },

    async recordFeedback(f) {
      await db.query(
        `INSERT INTO llm_feedback (ts, workspace_id, agent_id, context_id, model, input_tokens, output_tokens,
           latency_ms, intent, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          f.ts ?? new Date().toISOString(),
          f.workspaceId,
          f.agentId,
          f.contextId ?? null,
          f.model ?? null,
          Math.round(f.inputTokens),
          Math.round(f.outputTokens),
          f.latencyMs ?? null,
          f.intent ?? null,
          f.note ?? null,
        ],
      );
    },

    async feedbackSummary(filter) {
      const w = scopeOf(filter);
      if (!w) return NO_FEEDBACK;
      if (filter.sinceTs !== undefined) w.add('ts >= $', filter.sinceTs);
      const [total] = await db.query<FeedbackFigures>(
        `SELECT ${FEEDBACK_FIGURES} FROM llm_feedback ${w}`,
        w.params,
      );
      const byModel = await db.query<FeedbackSummary['byModel'][number]>(
        `SELECT COALESCE(model, '') AS model, ${FEEDBACK_FIGURES} FROM llm_feedback ${w}
         GROUP BY 1 ORDER BY "inputTokens" DESC, 1`,
        w.params,
      );
      const byIntent = await db.query<FeedbackSummary['byIntent'][number]>(
        `SELECT COALESCE(intent, '') AS intent, ${FEEDBACK_FIGURES} FROM llm_feedback ${w}
         GROUP BY 1 ORDER BY "inputTokens" DESC, 1`,
        w.params,
      );
      return { ...(total as FeedbackFigures), byModel, byIntent };
    },

    async deleteFeedback({ workspaceId, agentId }) {
      const rows = await db.query<{ n: number }>(
        `WITH gone AS (DELETE FROM llm_feedback WHERE workspace_id = $1 AND ($2::text IS NULL OR agent_id = $2)
           RETURNING 1) SELECT COUNT(*) AS n FROM gone`,
        [workspaceId, agentId ?? null],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
