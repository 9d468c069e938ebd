import type Database from 'better-sqlite3';
import type { FactRef, Relation, RelationKind } from '../knowledge.ts';
import { type RelationRow, toRelation } from './knowledge-rows.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS knowledge_relations (
  workspace_id TEXT NOT NULL,
  from_category TEXT NOT NULL,
  from_key TEXT NOT NULL,
  to_category TEXT NOT NULL,
  to_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, from_category, from_key, to_category, to_key, kind)
) WITHOUT ROWID;
`;

export type NewRelation = Omit<Relation, 'createdAt' | 'lastSeen' | 'count'>;

/** Relations between knowledge keys: counted edges, one row per from, to and kind. */
export function createRelationTable(db: Database.Database) {
  db.exec(SCHEMA);
  const upsertRelation = db.prepare<Record<string, unknown>, RelationRow>(
    `INSERT INTO knowledge_relations (workspace_id, from_category, from_key, to_category, to_key, kind, source,
       created_at, last_seen, count)
     VALUES (@ws, @fromCategory, @fromKey, @toCategory, @toKey, @kind, @source, @now, @now, @count)
     ON CONFLICT DO UPDATE SET count = count + excluded.count, last_seen = excluded.last_seen
     RETURNING *`,
  );
  const relate = (r: NewRelation, now: string, count = 1): Relation =>
    toRelation(
      upsertRelation.get({
        ws: r.workspaceId,
        fromCategory: r.from.category,
        fromKey: r.from.key,
        toCategory: r.to.category,
        toKey: r.to.key,
        kind: r.kind,
        source: r.source,
        now,
        count,
      }) as RelationRow,
    );

  const deleteRelations = db.prepare<Record<string, unknown>>(
    `DELETE FROM knowledge_relations WHERE workspace_id = @ws AND from_category = @fromCategory
       AND from_key = @fromKey AND (@toCategory IS NULL OR (to_category = @toCategory AND to_key = @toKey))
       AND (@kind IS NULL OR kind = @kind)`,
  );
  const relationsOf = db.prepare<Record<string, unknown>, RelationRow>(
    `SELECT * FROM knowledge_relations WHERE workspace_id = @ws AND (@category IS NULL
       OR (from_category = @category AND from_key = @key) OR (to_category = @category AND to_key = @key))
     ORDER BY from_category, from_key, kind, to_category, to_key`,
  );

  return {
    relate,
    unrelate(ws: string, from: FactRef, to?: FactRef, kind?: RelationKind): number {
      return deleteRelations.run({
        ws,
        fromCategory: from.category,
        fromKey: from.key,
        toCategory: to?.category ?? null,
        toKey: to?.key ?? null,
        kind: kind ?? null,
      }).changes;
    },
    of(ws: string, about?: FactRef): Relation[] {
      return relationsOf
        .all({ ws, category: about?.category ?? null, key: about?.key ?? null })
        .map(toRelation);
    },
    /** Relations touching a category (all of the workspace without one), for an export. */
    inCategory(ws: string, category: string | undefined): Relation[] {
      return db
        .prepare<Record<string, unknown>, RelationRow>(
          `SELECT * FROM knowledge_relations WHERE workspace_id = @ws
             AND (@category IS NULL OR from_category = @category OR to_category = @category)`,
        )
        .all({ ws, category: category ?? null })
        .map(toRelation);
    },
  };
}
