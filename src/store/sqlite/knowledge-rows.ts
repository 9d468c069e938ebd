import Database from 'better-sqlite3';
import type { Fact, FactQuery, Relation, RelationKind } from '../knowledge.ts';

/** Rows of the knowledge tables, and the search both the store and a worker thread run. */

export interface FactRow {
  id: number;
  workspace_id: string;
  kind: string;
  category: string;
  key: string;
  value: string;
  examples: string;
  confidence: number;
  valid_from: string;
  valid_until: string | null;
  recorded_at: string;
  closed_at: string | null;
  removed_at: string | null;
  supersedes: number | null;
  superseded_by: number | null;
  source: string;
  confirmations: number;
  last_confirmed: string;
  feedback_up: number;
  feedback_down: number;
  retrievals: number;
}

export interface RelationRow {
  workspace_id: string;
  from_category: string;
  from_key: string;
  to_category: string;
  to_key: string;
  kind: string;
  source: string;
  created_at: string;
  last_seen: string;
  count: number;
}

export const toFact = (r: FactRow): Fact => ({
  id: r.id,
  workspaceId: r.workspace_id,
  kind: r.kind as Fact['kind'],
  category: r.category,
  key: r.key,
  value: r.value,
  examples: JSON.parse(r.examples) as string[],
  confidence: r.confidence,
  validFrom: r.valid_from,
  validUntil: r.valid_until,
  recordedAt: r.recorded_at,
  closedAt: r.closed_at,
  removedAt: r.removed_at,
  supersedes: r.supersedes,
  supersededBy: r.superseded_by,
  source: r.source,
  confirmations: r.confirmations,
  lastConfirmed: r.last_confirmed,
  feedbackUp: r.feedback_up,
  feedbackDown: r.feedback_down,
  retrievals: r.retrievals,
});

export const toRelation = (r: RelationRow): Relation => ({
  workspaceId: r.workspace_id,
  from: { category: r.from_category, key: r.from_key },
  to: { category: r.to_category, key: r.to_key },
  kind: r.kind as RelationKind,
  source: r.source,
  createdAt: r.created_at,
  lastSeen: r.last_seen,
  count: r.count,
});

/** Query terms as an FTS5 expression: each a quoted phrase, any of them. */
export const matchExpression = (terms: readonly string[]) =>
  [...new Set(terms)].map((t) => `"${t.replaceAll('"', '""')}"`).join(' OR ');

/** The filter of a FactQuery, for facts aliased `f`. */
export function validity(q: FactQuery): { sql: string; params: Record<string, unknown> } {
  const parts = ['f.workspace_id = @ws', 'f.removed_at IS NULL'];
  const params: Record<string, unknown> = {};
  if (!q.history) {
    parts.push('f.valid_from <= @asOf', '(f.valid_until IS NULL OR f.valid_until > @asOf)');
    params.asOf = q.asOf ?? new Date().toISOString();
  }
  if (q.category !== undefined) {
    parts.push('f.category = @category');
    params.category = q.category;
  }
  return { sql: parts.join(' AND '), params };
}

export interface FactSearch {
  workspaceId: string;
  terms: readonly string[];
  query: FactQuery;
}

export type ScoredRow = FactRow & { score: number };

/** BM25 over the FTS5 index (name terms weigh twice the body's), best first. */
export function searchFactRows(db: Database.Database, s: FactSearch): ScoredRow[] {
  const where = validity(s.query);
  return db
    .prepare<Record<string, unknown>, ScoredRow>(
      `SELECT f.*, -bm25(knowledge_fts, 2.0, 1.0) AS score
       FROM knowledge_fts JOIN knowledge_facts f ON f.id = knowledge_fts.rowid
       WHERE knowledge_fts MATCH @match AND ${where.sql}
       ORDER BY score DESC, f.id DESC LIMIT @limit`,
    )
    .all({ ...where.params, ws: s.workspaceId, match: matchExpression(s.terms), limit: s.query.limit });
}

const readers = new Map<string, Database.Database>();

/** The same search on a read-only connection of this thread's own (an engine worker's). */
export function searchFactsInFile(input: FactSearch & { file: string }): ScoredRow[] {
  let db = readers.get(input.file);
  if (!db) {
    db = new Database(input.file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    readers.set(input.file, db);
  }
  return searchFactRows(db, input);
}
