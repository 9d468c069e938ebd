import type Database from 'better-sqlite3';
import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import {
  type Fact,
  type FactRef,
  type FactTerms,
  factTerms,
  firstVersion,
  type ImportReport,
  type KnowledgeDump,
  type KnowledgeStats,
  type KnowledgeStore,
  type NewFact,
  type RememberResult,
  valuesAgree,
} from '../knowledge.ts';
import { createRelationTable } from './knowledge-relations.ts';
import { type FactRow, searchFactRows, toFact, validity } from './knowledge-rows.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS knowledge_facts (
  id INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  category TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  examples TEXT NOT NULL,
  confidence REAL NOT NULL,
  valid_from TEXT NOT NULL,
  valid_until TEXT,
  recorded_at TEXT NOT NULL,
  closed_at TEXT,
  removed_at TEXT,
  supersedes INTEGER,
  superseded_by INTEGER,
  source TEXT NOT NULL,
  confirmations INTEGER NOT NULL,
  last_confirmed TEXT NOT NULL,
  feedback_up INTEGER NOT NULL DEFAULT 0,
  feedback_down INTEGER NOT NULL DEFAULT 0,
  retrievals INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS knowledge_latest
  ON knowledge_facts (workspace_id, category, key) WHERE superseded_by IS NULL AND removed_at IS NULL;
CREATE INDEX IF NOT EXISTS knowledge_versions ON knowledge_facts (workspace_id, category, key, id);
CREATE INDEX IF NOT EXISTS knowledge_recent ON knowledge_facts (workspace_id, id);
CREATE INDEX IF NOT EXISTS knowledge_removed ON knowledge_facts (workspace_id) WHERE removed_at IS NOT NULL;
CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5(head, body, tokenize = 'porter unicode61');
`;

/** Workspaces with more fact versions than this are searched on a worker thread. */
const INLINE_SEARCH_MAX_FACTS = 5000;
const COUNT_TTL_MS = 10_000;

/** Knowledge in the server's SQLite file: facts, their FTS5 index (BM25) and relations. */
export function createSqliteKnowledgeStore(
  db: Database.Database,
  opts: { file?: string | undefined } = {},
): KnowledgeStore {
  db.exec(SCHEMA);
  const relations = createRelationTable(db);
  const countVersions = db.prepare<[string], { n: number }>(
    'SELECT COUNT(*) AS n FROM knowledge_facts WHERE workspace_id = ?',
  );
  // how many versions a workspace holds, re-counted at most every COUNT_TTL_MS (it only picks a thread)
  const counted = new Map<string, { n: number; at: number }>();
  const versionCount = (ws: string): number => {
    const hit = counted.get(ws);
    if (hit && Date.now() - hit.at < COUNT_TTL_MS) return hit.n;
    const n = countVersions.get(ws)?.n ?? 0;
    counted.set(ws, { n, at: Date.now() });
    return n;
  };
  const latest = db.prepare<[string, string, string], FactRow>(
    `SELECT * FROM knowledge_facts
     WHERE workspace_id = ? AND category = ? AND key = ? AND superseded_by IS NULL AND removed_at IS NULL`,
  );
  const byId = db.prepare<[number], FactRow>('SELECT * FROM knowledge_facts WHERE id = ?');
  const insertFact = db.prepare<Record<string, unknown>>(
    `INSERT INTO knowledge_facts (workspace_id, kind, category, key, value, examples, confidence, valid_from,
       valid_until, recorded_at, closed_at, removed_at, supersedes, superseded_by, source, confirmations,
       last_confirmed, feedback_up, feedback_down, retrievals)
     VALUES (@workspaceId, @kind, @category, @key, @value, @examples, @confidence, @validFrom, @validUntil,
       @recordedAt, @closedAt, @removedAt, @supersedes, @supersededBy, @source, @confirmations,
       @lastConfirmed, @feedbackUp, @feedbackDown, @retrievals)`,
  );
  const insertFts = db.prepare<[number, string, string]>(
    'INSERT INTO knowledge_fts (rowid, head, body) VALUES (?, ?, ?)',
  );
  const deleteFts = db.prepare<[number]>('DELETE FROM knowledge_fts WHERE rowid = ?');
  const confirm = db.prepare<[number, string, number]>(
    `UPDATE knowledge_facts SET confirmations = confirmations + 1, confidence = (confidence + ?) / 2,
       last_confirmed = ? WHERE id = ?`,
  );
  const close = db.prepare<[string, string, number, number]>(
    'UPDATE knowledge_facts SET valid_until = ?, closed_at = ?, superseded_by = ? WHERE id = ?',
  );

  /** Inserts a whole row (ids of other rows as given), searchable unless its key was removed. */
  const insert = (f: Omit<Fact, 'id'>, searchable: boolean, terms?: FactTerms): Fact => {
    const id = Number(insertFact.run({ ...f, examples: JSON.stringify(f.examples) }).lastInsertRowid);
    if (searchable) {
      const { head, body } = terms ?? factTerms(f);
      insertFts.run(id, head, body);
    }
    return { ...f, id };
  };

  const rememberNow = (n: NewFact): RememberResult => {
    const cur = latest.get(n.workspaceId, n.category, n.key);
    // record time never runs backwards for a key, whatever the writers' clocks say
    const now = cur && cur.recorded_at > n.now ? cur.recorded_at : n.now;
    if (cur && cur.kind === n.kind && valuesAgree(cur.value, n.value)) {
      confirm.run(n.confidence, now, cur.id);
      return { outcome: 'confirmed', fact: toFact(byId.get(cur.id) as FactRow) };
    }
    let validFrom = n.validFrom ?? now;
    if (cur && validFrom <= cur.valid_from) {
      // a valid time the writer chose must follow the current one; an implicit one just does
      if (n.validFrom !== undefined) return { outcome: 'refused', current: toFact(cur) };
      validFrom = new Date(Date.parse(cur.valid_from) + 1).toISOString();
    }
    const base = { ...firstVersion(n, now, validFrom), supersededBy: null };
    if (!cur) return { outcome: 'created', fact: insert({ ...base, supersedes: null }, true, n.terms) };
    // the unique "latest" index allows one open version per key: park the old one first
    close.run(validFrom, now, 0, cur.id);
    const fact = insert({ ...base, supersedes: cur.id }, true, n.terms);
    close.run(validFrom, now, fact.id, cur.id);
    return { outcome: 'superseded', fact, previous: toFact(byId.get(cur.id) as FactRow) };
  };
  const remember = db.transaction(rememberNow);

  const feedbackUp = db.prepare<[string, string, string], FactRow>(
    `UPDATE knowledge_facts SET feedback_up = feedback_up + 1
     WHERE workspace_id = ? AND category = ? AND key = ? AND superseded_by IS NULL AND removed_at IS NULL
     RETURNING *`,
  );
  const feedbackDown = db.prepare<[string, string, string], FactRow>(
    `UPDATE knowledge_facts SET feedback_down = feedback_down + 1
     WHERE workspace_id = ? AND category = ? AND key = ? AND superseded_by IS NULL AND removed_at IS NULL
     RETURNING *`,
  );

  const versionsOf = db.prepare<[string, string, string], { id: number }>(
    'SELECT id FROM knowledge_facts WHERE workspace_id = ? AND category = ? AND key = ?',
  );
  const markRemoved = db.prepare<[string, number], FactRow>(
    'UPDATE knowledge_facts SET removed_at = ? WHERE id = ? RETURNING *',
  );
  const removeNow = (ws: string, ref: FactRef, now: string): Fact | undefined => {
    const cur = latest.get(ws, ref.category, ref.key);
    if (!cur) return undefined;
    for (const v of versionsOf.all(ws, ref.category, ref.key)) deleteFts.run(v.id);
    return toFact(markRemoved.get(now, cur.id) as FactRow);
  };
  const remove = db.transaction(removeNow);

  const bumpRetrievals = db.prepare<[number]>(
    'UPDATE knowledge_facts SET retrievals = retrievals + 1 WHERE id = ?',
  );
  const retrieved = db.transaction((ids: readonly number[]) => {
    for (const id of ids) bumpRetrievals.run(id);
  });

  const isLatest = (f: FactRow | undefined): f is FactRow =>
    f !== undefined && f.superseded_by === null && f.removed_at === null;
  const retire = db.transaction(
    (ws: string, pairs: readonly { keep: number; drop: number }[], source: string, now: string) => {
      const done: { keep: Fact; drop: Fact }[] = [];
      for (const { keep, drop } of pairs) {
        const k = byId.get(keep);
        const d = byId.get(drop);
        if (!isLatest(k) || !isLatest(d) || k.workspace_id !== ws || d.workspace_id !== ws) continue;
        const dropped = removeNow(ws, { category: d.category, key: d.key }, now) as Fact;
        relations.relate(
          {
            workspaceId: ws,
            from: { category: k.category, key: k.key },
            to: { category: d.category, key: d.key },
            kind: 'supersedes',
            source,
          },
          now,
        );
        done.push({ keep: toFact(k), drop: dropped });
      }
      return done;
    },
  );

  const countFacts = db.prepare<[string], { n: number }>(
    'SELECT COUNT(*) AS n FROM knowledge_facts WHERE workspace_id = ?',
  );
  const load = db.transaction((ws: string, dump: KnowledgeDump, source: string, now: string) => {
    const report: ImportReport = {
      mode: 'merged',
      facts: 0,
      superseded: 0,
      confirmed: 0,
      skipped: 0,
      relations: 0,
    };
    if (countFacts.get(ws)?.n === 0) {
      // an empty workspace gets the whole history, ids renumbered
      report.mode = 'restored';
      const ids = new Map<number, number>();
      const sorted = [...dump.facts].sort((a, b) => a.id - b.id);
      const byOldId = new Map(sorted.map((f) => [f.id, f]));
      // a version is searchable unless the last version of its chain was removed
      const chainEnd = (f: Fact): Fact => {
        let at = f;
        for (let next = byOldId.get(at.supersededBy ?? -1); next; next = byOldId.get(at.supersededBy ?? -1)) {
          at = next;
        }
        return at;
      };
      const termsOf = new Map(dump.facts.map((f, i) => [f.id, dump.terms?.[i]]));
      for (const f of sorted) {
        const { id: _, ...rest } = f;
        // a closed version is parked (superseded_by 0) until its successor has an id
        const parked = {
          ...rest,
          workspaceId: ws,
          supersedes: null,
          supersededBy: f.supersededBy === null ? null : 0,
        };
        const fresh = insert(parked, chainEnd(f).removedAt === null, termsOf.get(f.id));
        ids.set(f.id, fresh.id);
        report.facts++;
      }
      const link = db.prepare<[number | null, number | null, number]>(
        'UPDATE knowledge_facts SET supersedes = ?, superseded_by = ? WHERE id = ?',
      );
      for (const f of sorted) {
        const own = ids.get(f.id) as number;
        const prev = f.supersedes === null ? null : (ids.get(f.supersedes) ?? null);
        const next = f.supersededBy === null ? null : (ids.get(f.supersededBy) ?? null);
        if (f.supersedes !== null || f.supersededBy !== null) link.run(prev, next, own);
        if (next !== null) report.superseded++;
      }
    } else {
      for (const [i, f] of dump.facts.entries()) {
        if (f.supersededBy !== null || f.removedAt !== null) continue;
        const r = rememberNow({
          ...f,
          workspaceId: ws,
          source: f.source || source,
          now,
          terms: dump.terms?.[i],
        });
        if (r.outcome === 'created' || r.outcome === 'superseded') report.facts++;
        if (r.outcome === 'superseded') report.superseded++;
        if (r.outcome === 'confirmed') report.confirmed++;
        if (r.outcome === 'refused') report.skipped++;
      }
    }
    for (const r of dump.relations) {
      relations.relate({ ...r, workspaceId: ws }, r.lastSeen, r.count);
      report.relations++;
    }
    return report;
  });

  return {
    async remember(fact) {
      return remember.immediate(fact);
    },
    async current(ws, ref) {
      const row = latest.get(ws, ref.category, ref.key);
      return row && toFact(row);
    },
    async search(ws, terms, query) {
      if (terms.length === 0) return [];
      const search = { workspaceId: ws, terms, query };
      // a large workspace is searched on a worker's own read-only connection (WAL: it sees every commit)
      const rows =
        opts.file !== undefined && versionCount(ws) >= INLINE_SEARCH_MAX_FACTS
          ? await runEngineTask('knowledgeSearch', { ...search, file: opts.file })
          : searchFactRows(db, search);
      return rows.map((r) => ({ fact: toFact(r), bm25: r.score }));
    },
    async list(ws, q) {
      const where = validity(q);
      const kind = q.kind === undefined ? '' : ' AND f.kind = @kind';
      return db
        .prepare<Record<string, unknown>, FactRow>(
          `SELECT f.* FROM knowledge_facts f WHERE ${where.sql}${kind} ORDER BY f.id DESC LIMIT @limit`,
        )
        .all({ ...where.params, ws, kind: q.kind, limit: q.limit })
        .map(toFact);
    },
    async history(ws, ref, limit) {
      const rows = ref
        ? db
            .prepare<[string, string, string, number], FactRow>(
              'SELECT * FROM knowledge_facts WHERE workspace_id = ? AND category = ? AND key = ? ORDER BY id DESC LIMIT ?',
            )
            .all(ws, ref.category, ref.key, limit)
        : db
            .prepare<[string, number], FactRow>(
              'SELECT * FROM knowledge_facts WHERE workspace_id = ? ORDER BY id DESC LIMIT ?',
            )
            .all(ws, limit);
      return rows.map(toFact);
    },
    async feedback(ws, ref, vote) {
      const row = (vote === 'up' ? feedbackUp : feedbackDown).get(ws, ref.category, ref.key);
      return row && toFact(row);
    },
    async remove(ws, ref, now) {
      return remove.immediate(ws, ref, now);
    },
    async retrieved(ids) {
      if (ids.length > 0) retrieved(ids);
    },
    async retire(ws, pairs, source, now) {
      return retire.immediate(ws, pairs, source, now);
    },
    async relate(r, now) {
      return relations.relate(r, now);
    },
    async unrelate(ws, from, to, kind) {
      return relations.unrelate(ws, from, to, kind);
    },
    async relations(ws, about) {
      return relations.of(ws, about);
    },
    async count(ws) {
      return countVersions.get(ws)?.n ?? 0;
    },
    async stats(ws): Promise<KnowledgeStats> {
      // each figure from an index: the latest-version index, the removed index, the id order
      const n = (sql: string) => db.prepare<[string], { n: number }>(sql).get(ws)?.n ?? 0;
      const categories = db
        .prepare<[string], { category: string; facts: number; patterns: number }>(
          `SELECT category, COUNT(*) AS facts, SUM(kind = 'pattern') AS patterns FROM knowledge_facts
           WHERE workspace_id = ? AND superseded_by IS NULL AND removed_at IS NULL
           GROUP BY category ORDER BY facts DESC, category`,
        )
        .all(ws);
      const last = db
        .prepare<[string], { at: string; source: string }>(
          'SELECT recorded_at AS at, source FROM knowledge_facts WHERE workspace_id = ? ORDER BY id DESC LIMIT 1',
        )
        .get(ws);
      return {
        versions: countVersions.get(ws)?.n ?? 0,
        current: categories.reduce((sum, c) => sum + c.facts, 0),
        removed: n(
          'SELECT COUNT(*) AS n FROM knowledge_facts WHERE workspace_id = ? AND removed_at IS NOT NULL',
        ),
        patterns: categories.reduce((sum, c) => sum + c.patterns, 0),
        relations: n('SELECT COUNT(*) AS n FROM knowledge_relations WHERE workspace_id = ?'),
        categories: categories.map(({ category, facts }) => ({ category, facts })),
        lastChange: last,
      };
    },
    async dump(ws, category) {
      const facts = db
        .prepare<Record<string, unknown>, FactRow>(
          'SELECT * FROM knowledge_facts WHERE workspace_id = @ws AND (@category IS NULL OR category = @category) ORDER BY id',
        )
        .all({ ws, category: category ?? null })
        .map(toFact);
      return { facts, relations: relations.inCategory(ws, category) };
    },
    async load(ws, dump, source, now) {
      return load.immediate(ws, dump, source, now);
    },
  };
}
