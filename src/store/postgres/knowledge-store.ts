import type pg from 'pg';
import {
  type Fact,
  type FactQuery,
  type FactRef,
  type FactTerms,
  factTerms,
  firstVersion,
  type ImportReport,
  type KnowledgeStats,
  type KnowledgeStore,
  type NewFact,
  type RememberResult,
  valuesAgree,
} from '../knowledge.ts';
import { type FactRow, toFact } from '../sqlite/knowledge-rows.ts';
import { createPgRelations } from './knowledge-relations.ts';
import type { PgDatabase, PgQuery } from './pool.ts';

/** Every column but the search vector, for rows read back as facts. */
const FACT = `id, workspace_id, kind, category, key, value, examples, confidence, valid_from, valid_until,
  recorded_at, closed_at, removed_at, supersedes, superseded_by, source, confirmations, last_confirmed,
  feedback_up, feedback_down, retrievals`;
const LATEST = 'superseded_by IS NULL AND removed_at IS NULL';
/** The most distinct query terms one search uses. */
const MAX_QUERY_TERMS = 64;
/** Name terms weigh twice the body's ({D, C, B, A}), as the SQLite index's BM25 weights do. */
const WEIGHTS = '{0, 0, 0.5, 1}';

/** The advisory lock id of workspace $1, and of key ($2, $3) in it (exported for the lock tests). */
export const WORKSPACE_LOCK = "hashtextextended('leanctx.knowledge:' || $1, 0)";
export const KEY_LOCK =
  "hashtextextended('leanctx.knowledge.key:' || json_build_array($1::text, $2::text, $3::text)::text, 0)";
/** The most tries of a write that lost a race (a deadlock, a serialization failure, a twin latest row). */
const MAX_ATTEMPTS = 8;
const RETRYABLE = new Set(['40P01', '40001', '23505']);
const lostRace = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
};

/** FACT, each column of alias k (an UPDATE … FROM joins a CTE with its own id). */
const FACT_OF_K = FACT.split(',')
  .map((c) => `k.${c.trim()}`)
  .join(', ');

/** A row's INSERT without its RETURNING; parameters $1..$22 from factParams. */
const INSERT_FACT = `INSERT INTO knowledge_facts (workspace_id, kind, category, key, value, examples, confidence,
    valid_from, valid_until, recorded_at, closed_at, removed_at, supersedes, superseded_by, source, confirmations,
    last_confirmed, feedback_up, feedback_down, retrievals, search)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
    CASE WHEN $21::text IS NULL THEN NULL
      ELSE setweight(to_tsvector('english', $21), 'A') || setweight(to_tsvector('english', $22::text), 'B') END)`;

/** INSERT_FACT's parameters for a fact; a fact out of search (its key removed) gets no vector. */
function factParams(f: Omit<Fact, 'id'>, searchable: boolean, terms?: FactTerms): unknown[] {
  const { head, body } = searchable ? (terms ?? factTerms(f)) : { head: null, body: null };
  return [
    f.workspaceId,
    f.kind,
    f.category,
    f.key,
    f.value,
    JSON.stringify(f.examples),
    f.confidence,
    f.validFrom,
    f.validUntil,
    f.recordedAt,
    f.closedAt,
    f.removedAt,
    f.supersedes,
    f.supersededBy,
    f.source,
    f.confirmations,
    f.lastConfirmed,
    f.feedbackUp,
    f.feedbackDown,
    f.retrievals,
    head,
    body,
  ];
}

const on =
  (client: pg.PoolClient): PgQuery =>
  async (sql, params) =>
    (await client.query(sql, params)).rows;

/** A FactQuery's filter, its parameters numbered after `offset` taken ones. */
function validity(q: FactQuery, offset: number): { sql: string; params: unknown[] } {
  const parts = ['workspace_id = $1', 'removed_at IS NULL'];
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${offset + params.length}`;
  };
  if (!q.history) {
    const asOf = param(q.asOf ?? new Date().toISOString());
    parts.push(`valid_from <= ${asOf}`, `(valid_until IS NULL OR valid_until > ${asOf})`);
  }
  if (q.category !== undefined) parts.push(`category = ${param(q.category)}`);
  return { sql: parts.join(' AND '), params };
}

/** Query words as the index holds them: letters, digits and underscores, deduplicated. */
const queryWords = (terms: readonly string[]) =>
  [
    ...new Set(terms.map((t) => t.replace(/[^\p{L}\p{N}_]+/gu, ' ').trim()).filter((t) => t.length > 0)),
  ].slice(0, MAX_QUERY_TERMS);

/**
 * Knowledge in PostgreSQL: the same bi-temporal rows as the SQLite store, full-text search
 * over a weighted tsvector (GIN) instead of FTS5. A write to one key (remember, remove) holds
 * that key's advisory lock and the workspace's lock in shared mode, so writers of different keys
 * never wait on each other and writers of one key queue inside PostgreSQL; a write spanning keys
 * (retire, load) holds the workspace's lock exclusively. Replicas never fork a key's history.
 */
export function createPgKnowledgeStore(db: PgDatabase): KnowledgeStore {
  const relations = createPgRelations();

  const lockWorkspace = (query: PgQuery, ws: string) =>
    query(`SELECT pg_advisory_xact_lock(${WORKSPACE_LOCK})`, [ws]);
  // one statement, one round trip: the workspace shared first (the order every writer takes)
  const lockKey = (query: PgQuery, ws: string, ref: FactRef) =>
    query(`SELECT pg_advisory_xact_lock_shared(${WORKSPACE_LOCK}), pg_advisory_xact_lock(${KEY_LOCK})`, [
      ws,
      ref.category,
      ref.key,
    ]);
  const latest = async (query: PgQuery, ws: string, ref: FactRef) =>
    (
      await query<FactRow>(
        `SELECT ${FACT} FROM knowledge_facts WHERE workspace_id = $1 AND category = $2 AND key = $3 AND ${LATEST}`,
        [ws, ref.category, ref.key],
      )
    )[0];
  const close = (query: PgQuery, validUntil: string, now: string, by: number, id: number) =>
    query('UPDATE knowledge_facts SET valid_until = $1, closed_at = $2, superseded_by = $3 WHERE id = $4', [
      validUntil,
      now,
      by,
      id,
    ]);

  /** Inserts a whole row (ids of other rows as given), searchable unless its key was removed. */
  const insert = async (
    query: PgQuery,
    f: Omit<Fact, 'id'>,
    searchable: boolean,
    terms?: FactTerms,
  ): Promise<Fact> => {
    const rows = await query<{ id: number }>(`${INSERT_FACT} RETURNING id`, factParams(f, searchable, terms));
    return { ...f, id: (rows[0] as { id: number }).id };
  };

  /**
   * Inserts the successor of the parked version `prev` and points `prev` at it, in one statement
   * (one round trip fewer while the key's lock is held); returns the new fact and `prev` as updated.
   */
  const insertSuccessor = async (
    query: PgQuery,
    f: Omit<Fact, 'id'>,
    terms: FactTerms | undefined,
    prev: number,
  ): Promise<{ fact: Fact; previous: Fact }> => {
    const rows = await query<FactRow & { successor: number }>(
      `WITH added AS (${INSERT_FACT} RETURNING id)
       UPDATE knowledge_facts k SET superseded_by = added.id FROM added WHERE k.id = $23
       RETURNING ${FACT_OF_K}, added.id AS successor`,
      [...factParams(f, true, terms), prev],
    );
    const row = rows[0] as FactRow & { successor: number };
    return { fact: { ...f, id: row.successor }, previous: toFact(row) };
  };

  const rememberIn = async (query: PgQuery, n: NewFact): Promise<RememberResult> => {
    const cur = await latest(query, n.workspaceId, n);
    // record time never runs backwards for a key, whatever the writers' clocks say
    const now = cur && cur.recorded_at > n.now ? cur.recorded_at : n.now;
    if (cur && cur.kind === n.kind && valuesAgree(cur.value, n.value)) {
      const rows = await query<FactRow>(
        `UPDATE knowledge_facts SET confirmations = confirmations + 1, confidence = (confidence + $1) / 2,
           last_confirmed = $2 WHERE id = $3 RETURNING ${FACT}`,
        [n.confidence, now, cur.id],
      );
      return { outcome: 'confirmed', fact: toFact(rows[0] as FactRow) };
    }
    let validFrom = n.validFrom ?? now;
    if (cur && validFrom <= cur.valid_from) {
      // a valid time the writer chose must follow the current one; an implicit one just does
      if (n.validFrom !== undefined) return { outcome: 'refused', current: toFact(cur) };
      validFrom = new Date(Date.parse(cur.valid_from) + 1).toISOString();
    }
    const base = { ...firstVersion(n, now, validFrom), supersededBy: null };
    if (!cur)
      return { outcome: 'created', fact: await insert(query, { ...base, supersedes: null }, true, n.terms) };
    // the unique "latest" index allows one open version per key: park the old one first
    await close(query, validFrom, now, 0, cur.id);
    const { fact, previous } = await insertSuccessor(query, { ...base, supersedes: cur.id }, n.terms, cur.id);
    return { outcome: 'superseded', fact, previous };
  };

  /** Removes a key's current fact and takes every version of it out of search. */
  const removeIn = async (
    query: PgQuery,
    ws: string,
    ref: FactRef,
    now: string,
  ): Promise<Fact | undefined> => {
    const cur = await latest(query, ws, ref);
    if (!cur) return undefined;
    // one statement: every version leaves search, the current one is marked removed
    const rows = await query<FactRow>(
      `UPDATE knowledge_facts SET search = NULL, removed_at = CASE WHEN id = $4 THEN $5 ELSE removed_at END
       WHERE workspace_id = $1 AND category = $2 AND key = $3 RETURNING ${FACT}`,
      [ws, ref.category, ref.key, cur.id, now],
    );
    return toFact(rows.find((r) => Number(r.id) === Number(cur.id)) as FactRow);
  };

  /** Runs `fn` in a transaction after `lock`, again from the start when it lost a race (see RETRYABLE). */
  const retried = async <T>(
    lock: (query: PgQuery) => Promise<unknown>,
    fn: (query: PgQuery) => Promise<T>,
  ) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction(async (client) => {
          const query = on(client);
          await lock(query);
          return fn(query);
        });
      } catch (err) {
        if (!lostRace(err) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  };
  /** A write across keys: the workspace's lock, exclusive. */
  const locked = <T>(ws: string, fn: (query: PgQuery) => Promise<T>) =>
    retried((query) => lockWorkspace(query, ws), fn);
  /** A write to one key: that key's lock, and the workspace's shared with every other key's writer. */
  const lockedKey = <T>(ws: string, ref: FactRef, fn: (query: PgQuery) => Promise<T>) =>
    retried((query) => lockKey(query, ws, ref), fn);

  const vote = async (ws: string, ref: FactRef, column: 'feedback_up' | 'feedback_down') => {
    const rows = await db.query<FactRow>(
      `UPDATE knowledge_facts SET ${column} = ${column} + 1
       WHERE workspace_id = $1 AND category = $2 AND key = $3 AND ${LATEST} RETURNING ${FACT}`,
      [ws, ref.category, ref.key],
    );
    return rows[0] && toFact(rows[0]);
  };

  return {
    remember: (fact) => lockedKey(fact.workspaceId, fact, (query) => rememberIn(query, fact)),
    async current(ws, ref) {
      const row = await latest(db.query, ws, ref);
      return row && toFact(row);
    },
    async search(ws, terms, q) {
      const words = queryWords(terms);
      if (words.length === 0) return [];
      const where = validity(q, 2 + words.length);
      const tsquery = words.map((_, i) => `plainto_tsquery('english', $${i + 3})`).join(' || ');
      const rows = await db.query<FactRow & { score: number }>(
        `SELECT ${FACT}, ts_rank('${WEIGHTS}', search, q) AS score
         FROM knowledge_facts, (SELECT ${tsquery} AS q) asked
         WHERE search @@ q AND ${where.sql}
         ORDER BY score DESC, id DESC LIMIT $2`,
        [ws, q.limit, ...words, ...where.params],
      );
      return rows.map((r) => ({ fact: toFact(r), bm25: r.score }));
    },
    async list(ws, q) {
      const where = validity(q, 2);
      const kind = q.kind === undefined ? '' : ` AND kind = $${3 + where.params.length}`;
      const rows = await db.query<FactRow>(
        `SELECT ${FACT} FROM knowledge_facts WHERE ${where.sql}${kind} ORDER BY id DESC LIMIT $2`,
        [ws, q.limit, ...where.params, ...(q.kind === undefined ? [] : [q.kind])],
      );
      return rows.map(toFact);
    },
    async history(ws, ref, limit) {
      const rows = await db.query<FactRow>(
        `SELECT ${FACT} FROM knowledge_facts
         WHERE workspace_id = $1 AND ($2::text IS NULL OR (category = $2 AND key = $3))
         ORDER BY id DESC LIMIT $4`,
        [ws, ref?.category ?? null, ref?.key ?? null, limit],
      );
      return rows.map(toFact);
    },
    feedback: (ws, ref, v) => vote(ws, ref, v === 'up' ? 'feedback_up' : 'feedback_down'),
    remove: (ws, ref, now) => lockedKey(ws, ref, (query) => removeIn(query, ws, ref, now)),
    async retrieved(ids) {
      if (ids.length === 0) return;
      await db.query(
        `UPDATE knowledge_facts f SET retrievals = retrievals + c.n
         FROM (SELECT id, COUNT(*) AS n FROM unnest($1::bigint[]) id GROUP BY id) c WHERE f.id = c.id`,
        [ids],
      );
    },
    retire: (ws, pairs, source, now) =>
      locked(ws, async (query) => {
        const done: { keep: Fact; drop: Fact }[] = [];
        const isLatest = (f: FactRow | undefined): f is FactRow =>
          f !== undefined && f.superseded_by === null && f.removed_at === null && f.workspace_id === ws;
        for (const { keep, drop } of pairs) {
          const k = (await query<FactRow>(`SELECT ${FACT} FROM knowledge_facts WHERE id = $1`, [keep]))[0];
          const d = (await query<FactRow>(`SELECT ${FACT} FROM knowledge_facts WHERE id = $1`, [drop]))[0];
          if (!isLatest(k) || !isLatest(d)) continue;
          const dropped = (await removeIn(query, ws, { category: d.category, key: d.key }, now)) as Fact;
          await relations.relate(
            query,
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
      }),
    relate: async (r, now) => relations.relate(db.query, r, now),
    unrelate: async (ws, from, to, kind) => relations.unrelate(db.query, ws, from, to, kind),
    relations: async (ws, about) => relations.of(db.query, ws, about),
    async count(ws) {
      const rows = await db.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM knowledge_facts WHERE workspace_id = $1',
        [ws],
      );
      return rows[0]?.n ?? 0;
    },
    async stats(ws): Promise<KnowledgeStats> {
      const count = async (sql: string) => (await db.query<{ n: number }>(sql, [ws]))[0]?.n ?? 0;
      const categories = await db.query<{ category: string; facts: number; patterns: number }>(
        `SELECT category, COUNT(*) AS facts, SUM((kind = 'pattern')::int) AS patterns FROM knowledge_facts
         WHERE workspace_id = $1 AND ${LATEST} GROUP BY category ORDER BY facts DESC, category`,
        [ws],
      );
      const last = await db.query<{ at: string; source: string }>(
        'SELECT recorded_at AS at, source FROM knowledge_facts WHERE workspace_id = $1 ORDER BY id DESC LIMIT 1',
        [ws],
      );
      return {
        versions: await count('SELECT COUNT(*) AS n FROM knowledge_facts WHERE workspace_id = $1'),
        current: categories.reduce((sum, c) => sum + c.facts, 0),
        removed: await count(
          'SELECT COUNT(*) AS n FROM knowledge_facts WHERE workspace_id = $1 AND removed_at IS NOT NULL',
        ),
        patterns: categories.reduce((sum, c) => sum + c.patterns, 0),
        relations: await count('SELECT COUNT(*) AS n FROM knowledge_relations WHERE workspace_id = $1'),
        categories: categories.map(({ category, facts }) => ({ category, facts })),
        lastChange: last[0],
      };
    },
    async dump(ws, category) {
      const facts = await db.query<FactRow>(
        `SELECT ${FACT} FROM knowledge_facts WHERE workspace_id = $1 AND ($2::text IS NULL OR category = $2)
         ORDER BY id`,
        [ws, category ?? null],
      );
      return { facts: facts.map(toFact), relations: await relations.inCategory(db.query, ws, category) };
    },
    load: (ws, dump, source, now) =>
      locked(ws, async (query) => {
        const report: ImportReport = {
          mode: 'merged',
          facts: 0,
          superseded: 0,
          confirmed: 0,
          skipped: 0,
          relations: 0,
        };
        const [{ n }] = (await query<{ n: number }>(
          'SELECT COUNT(*) AS n FROM knowledge_facts WHERE workspace_id = $1',
          [ws],
        )) as [{ n: number }];
        if (n === 0) {
          // an empty workspace gets the whole history, ids renumbered
          report.mode = 'restored';
          const ids = new Map<number, number>();
          const sorted = [...dump.facts].sort((a, b) => a.id - b.id);
          const byOldId = new Map(sorted.map((f) => [f.id, f]));
          // a version is searchable unless the last version of its chain was removed
          const chainEnd = (f: Fact): Fact => {
            let at = f;
            for (
              let next = byOldId.get(at.supersededBy ?? -1);
              next;
              next = byOldId.get(at.supersededBy ?? -1)
            ) {
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
            const fresh = await insert(query, parked, chainEnd(f).removedAt === null, termsOf.get(f.id));
            ids.set(f.id, fresh.id);
            report.facts++;
          }
          for (const f of sorted) {
            const prev = f.supersedes === null ? null : (ids.get(f.supersedes) ?? null);
            const next = f.supersededBy === null ? null : (ids.get(f.supersededBy) ?? null);
            if (f.supersedes !== null || f.supersededBy !== null) {
              await query('UPDATE knowledge_facts SET supersedes = $1, superseded_by = $2 WHERE id = $3', [
                prev,
                next,
                ids.get(f.id),
              ]);
            }
            if (next !== null) report.superseded++;
          }
        } else {
          for (const [i, f] of dump.facts.entries()) {
            if (f.supersededBy !== null || f.removedAt !== null) continue;
            const r = await rememberIn(query, {
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
          await relations.relate(query, { ...r, workspaceId: ws }, r.lastSeen, r.count);
          report.relations++;
        }
        return report;
      }),
  };
}
