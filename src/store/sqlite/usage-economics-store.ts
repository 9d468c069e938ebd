import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import type { CostBaseline, FeedbackFigures, FeedbackSummary, UsageStore } from '../types.ts';
import { pathReadsRows, scopeOf, usageTotalsRows } from './usage-rollup.ts';

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

const FEEDBACK_FIGURES = `COUNT(*) AS entries, COALESCE(SUM(input_tokens), 0) AS inputTokens,
  COALESCE(SUM(output_tokens), 0) AS outputTokens, COALESCE(AVG(latency_ms), 0) AS avgLatencyMs`;

/**
 * The gain, cost, heatmap and feedback side of the SQLite usage store. `flush` commits the
 * queued usage rows first, so a report sees every call that was answered.
 */
export function createSqliteEconomics(
  db: Database.Database,
  file: string,
  flush: () => void,
  backdated: { readonly generation: number },
): EconomicsMethods {
  const inMemory = file === ':memory:';
  const memoryId = `memory:${randomUUID()}`;
  const baselineScope = (agent: boolean) =>
    `workspace_id = @workspaceId${agent ? ' AND agent_id = @agentId' : ''}`;
  const resetCost = db.transaction((p: { workspaceId: string; agentId?: string; at: string; by: string }) => {
    const where = baselineScope(p.agentId !== undefined);
    db.prepare(`DELETE FROM usage_cost_baseline WHERE ${where}`).run(p);
    db.prepare(
      `INSERT INTO usage_cost_baseline SELECT workspace_id, agent_id, tool, calls, errors, tokens_sent, tokens_raw,
         tokens_saved, net_saved, duration_ms, last_ts, @at, @by FROM usage_total WHERE ${where}`,
    ).run(p);
  });
  const insertFeedback = db.prepare(
    `INSERT INTO llm_feedback (ts, workspace_id, agent_id, context_id, model, input_tokens, output_tokens, latency_ms, intent, note)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  return {
    async totals(filter) {
      flush();
      // a one-agent window throws here: an error crossing from a worker loses its class (RangeError)
      if (inMemory || (filter.sinceDay !== undefined && filter.agentId !== undefined))
        return usageTotalsRows(db, filter);
      return runEngineTask('usageTotals', { ...filter, file });
    },
    async pathReads(filter) {
      flush();
      const { generation } = backdated;
      return inMemory
        ? pathReadsRows(db, filter, { id: memoryId, generation })
        : runEngineTask('pathReads', { ...filter, file, generation });
    },
    async resetCost({ workspaceId, agentId, by, at }) {
      flush();
      resetCost.immediate({ workspaceId, at, by, ...(agentId !== undefined ? { agentId } : {}) });
    },
    async costBaselines(workspaceIds) {
      const scope = scopeOf({ workspaceIds });
      if (!scope) return [];
      return db
        .prepare<Record<string, string | number>, CostBaseline>(
          `SELECT workspace_id AS workspaceId, agent_id AS agentId, tool, calls, errors, tokens_sent AS tokensSent,
             tokens_raw AS tokensRaw, net_saved AS tokensSaved, duration_ms AS durationMs, reset_at AS resetAt,
             reset_by AS resetBy
           FROM usage_cost_baseline ${scope.where.length > 0 ? `WHERE ${scope.where.join(' AND ')}` : ''}`,
        )
        .all(scope.params);
    },
    async recordFeedback(f) {
      insertFeedback.run(
        f.ts ?? new Date().toISOString(),
        f.workspaceId,
        f.agentId,
        f.contextId ?? null,
        f.model ?? null,
        f.inputTokens,
        f.outputTokens,
        f.latencyMs ?? null,
        f.intent ?? null,
        f.note ?? null,
      );
    },
    async feedbackSummary(filter) {
      const scope = scopeOf(filter);
      if (!scope)
        return { entries: 0, inputTokens: 0, outputTokens: 0, avgLatencyMs: 0, byModel: [], byIntent: [] };
      const where = [...scope.where];
      const params: Record<string, string | number> = { ...scope.params };
      if (filter.sinceTs !== undefined) {
        where.push('ts >= @sinceTs');
        params.sinceTs = filter.sinceTs;
      }
      const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
      const total = db
        .prepare<Record<string, string | number>, FeedbackFigures>(
          `SELECT ${FEEDBACK_FIGURES} FROM llm_feedback ${clause}`,
        )
        .get(params) as FeedbackFigures;
      const byModel = db
        .prepare<Record<string, string | number>, FeedbackSummary['byModel'][number]>(
          `SELECT COALESCE(model, '') AS model, ${FEEDBACK_FIGURES} FROM llm_feedback ${clause}
           GROUP BY 1 ORDER BY inputTokens DESC, model`,
        )
        .all(params);
      const byIntent = db
        .prepare<Record<string, string | number>, FeedbackSummary['byIntent'][number]>(
          `SELECT COALESCE(intent, '') AS intent, ${FEEDBACK_FIGURES} FROM llm_feedback ${clause}
           GROUP BY 1 ORDER BY inputTokens DESC, intent`,
        )
        .all(params);
      return { ...total, byModel, byIntent };
    },
    async deleteFeedback({ workspaceId, agentId }) {
      return db
        .prepare(`DELETE FROM llm_feedback WHERE ${baselineScope(agentId !== undefined)}`)
        .run({ workspaceId, ...(agentId !== undefined ? { agentId } : {}) }).changes;
    },
  };
}
