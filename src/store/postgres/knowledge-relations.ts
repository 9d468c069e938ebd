import type { FactRef, Relation, RelationKind } from '../knowledge.ts';
import { type RelationRow, toRelation } from '../sqlite/knowledge-rows.ts';
import type { PgQuery } from './pool.ts';

export type NewRelation = Omit<Relation, 'createdAt' | 'lastSeen' | 'count'>;

const ORDER = 'ORDER BY from_category, from_key, kind, to_category, to_key';

/** Relations between knowledge keys: counted edges, one row per from, to and kind; run on a given connection. */
export function createPgRelations() {
  return {
    async relate(query: PgQuery, r: NewRelation, now: string, count = 1): Promise<Relation> {
      const rows = await query<RelationRow>(
        `INSERT INTO knowledge_relations (workspace_id, from_category, from_key, to_category, to_key, kind, source,
           created_at, last_seen, count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
         ON CONFLICT (workspace_id, from_category, from_key, to_category, to_key, kind) DO UPDATE
           SET count = knowledge_relations.count + EXCLUDED.count, last_seen = EXCLUDED.last_seen
         RETURNING *`,
        [r.workspaceId, r.from.category, r.from.key, r.to.category, r.to.key, r.kind, r.source, now, count],
      );
      return toRelation(rows[0] as RelationRow);
    },
    async unrelate(
      query: PgQuery,
      ws: string,
      from: FactRef,
      to?: FactRef,
      kind?: RelationKind,
    ): Promise<number> {
      const rows = await query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM knowledge_relations WHERE workspace_id = $1 AND from_category = $2 AND from_key = $3
             AND ($4::text IS NULL OR (to_category = $4 AND to_key = $5)) AND ($6::text IS NULL OR kind = $6)
           RETURNING 1)
         SELECT COUNT(*) AS n FROM gone`,
        [ws, from.category, from.key, to?.category ?? null, to?.key ?? null, kind ?? null],
      );
      return rows[0]?.n ?? 0;
    },
    async of(query: PgQuery, ws: string, about?: FactRef): Promise<Relation[]> {
      const rows = await query<RelationRow>(
        `SELECT * FROM knowledge_relations WHERE workspace_id = $1 AND ($2::text IS NULL
           OR (from_category = $2 AND from_key = $3) OR (to_category = $2 AND to_key = $3)) ${ORDER}`,
        [ws, about?.category ?? null, about?.key ?? null],
      );
      return rows.map(toRelation);
    },
    /** Relations touching a category (all of the workspace without one), for an export. */
    async inCategory(query: PgQuery, ws: string, category: string | undefined): Promise<Relation[]> {
      const rows = await query<RelationRow>(
        `SELECT * FROM knowledge_relations WHERE workspace_id = $1
           AND ($2::text IS NULL OR from_category = $2 OR to_category = $2)
         ORDER BY from_category, from_key, to_category, to_key, kind`,
        [ws, category ?? null],
      );
      return rows.map(toRelation);
    },
  };
}
