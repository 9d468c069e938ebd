import type { BudgetCharge, BudgetStore, BudgetTotals, BudgetUsage } from '../budgets.ts';
import { LINGER_MS } from './group-commit.ts';
import type { PgDatabase } from './pool.ts';

/** Unwritten charges kept while PostgreSQL is away; older ones are dropped past it. */
const MAX_PENDING = 10_000;
const RETRY_EVERY_MS = 1000;

const UPSERT = `INSERT INTO budget_usage (token_id, day, workspace_id, agent, role, tokens, cost_usd, calls)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::float8[],
    $8::bigint[])
  ON CONFLICT (token_id, day, workspace_id, agent, role) DO UPDATE SET tokens = budget_usage.tokens + EXCLUDED.tokens,
    cost_usd = budget_usage.cost_usd + EXCLUDED.cost_usd, calls = budget_usage.calls + EXCLUDED.calls`;
const TOTALS = `SELECT COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(cost_usd), 0) AS "costUsd",
    COALESCE(SUM(calls), 0) AS calls
  FROM budget_usage WHERE token_id = $1 AND day >= $2`;

/** One budget row's increments: the charges of a batch that share its key, added up. */
type Increment = BudgetCharge & { calls: number };

const columns = (rows: readonly Increment[]) => [
  rows.map((c) => c.tokenId),
  rows.map((c) => c.day),
  rows.map((c) => c.workspaceId),
  rows.map((c) => c.agent),
  rows.map((c) => c.role),
  rows.map((c) => Math.round(c.tokens)),
  rows.map((c) => c.costUsd),
  rows.map((c) => c.calls),
];

/**
 * Charges summed per row key, so a batch is one statement (an upsert cannot touch a row twice,
 * and the calls of one agent nearly always share their key); keys in sorted order, so two
 * replicas' batches lock shared rows in the same order.
 */
function incrementsOf(charges: readonly BudgetCharge[]): Increment[] {
  const byKey = new Map<string, Increment>();
  for (const c of charges) {
    const key = [c.tokenId, c.day, c.workspaceId, c.agent, c.role].join('\u0000');
    const row = byKey.get(key);
    if (row) {
      row.tokens += Math.round(c.tokens);
      row.costUsd += c.costUsd;
      row.calls++;
    } else byKey.set(key, { ...c, tokens: Math.round(c.tokens), calls: 1 });
  }
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/**
 * Budget counters in PostgreSQL. A charge takes the token's advisory lock for its transaction,
 * so charges from every replica to one token are serialized and none reads a stale "before".
 */
export function createPgBudgetStore(db: PgDatabase): BudgetStore & { settled(): Promise<void> } {
  let pending: BudgetCharge[] = [];
  let writing: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  /** Charges wait this long for others (one upsert for many calls), as group commits' lazy rows do. */
  let lingering: NodeJS.Timeout | undefined;

  /** Writes what `record` holds; a failed write keeps its rows for the next try. */
  const writePending = (): Promise<void> => {
    clearTimeout(lingering);
    lingering = undefined;
    if (writing || pending.length === 0) return writing ?? Promise.resolve();
    const rows = pending;
    pending = [];
    const run = async () => {
      await db.query(UPSERT, columns(incrementsOf(rows)));
    };
    writing = run()
      .catch(() => {
        pending = [...rows, ...pending].slice(-MAX_PENDING);
        clearTimeout(retry);
        retry = setTimeout(() => {
          retry = undefined;
          void writePending();
        }, RETRY_EVERY_MS);
        retry.unref();
      })
      .finally(() => {
        writing = undefined;
        if (pending.length > 0 && !retry) void writePending();
      });
    return writing;
  };
  /** Reads see every recorded charge: whatever is queued or waiting to retry is written first. */
  const settled = async () => {
    if (writing) await writing;
    clearTimeout(retry);
    retry = undefined;
    await writePending();
  };

  return {
    settled,
    async charge(c, sinceDay) {
      await settled();
      return db.transaction(async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended('leanctx.budget:' || $1, 0))", [
          c.tokenId,
        ]);
        const { rows } = await client.query<BudgetTotals>(TOTALS, [c.tokenId, sinceDay]);
        const before = rows[0] as BudgetTotals;
        await client.query(UPSERT, columns([{ ...c, calls: 1 }]));
        const after = {
          tokens: before.tokens + c.tokens,
          costUsd: before.costUsd + c.costUsd,
          calls: before.calls + 1,
        };
        return { before, after };
      });
    },
    record(c) {
      pending.push(c);
      if (writing || retry || lingering) return;
      lingering = setTimeout(() => void writePending(), LINGER_MS);
    },
    async totals(tokenId, sinceDay) {
      await settled();
      const rows = await db.query<BudgetTotals>(TOTALS, [tokenId, sinceDay]);
      return rows[0] as BudgetTotals;
    },
    async usage(sinceDay) {
      await settled();
      return db.query<BudgetUsage>(
        `SELECT token_id AS "tokenId", workspace_id AS "workspaceId", agent, role, SUM(tokens) AS tokens,
           SUM(cost_usd) AS "costUsd", SUM(calls) AS calls
         FROM budget_usage WHERE day >= $1 GROUP BY token_id, workspace_id, agent, role
         ORDER BY token_id, workspace_id, agent, role`,
        [sinceDay],
      );
    },
    flush() {
      void writePending();
    },
  };
}
