import type Database from 'better-sqlite3';
import type { BudgetCharge, BudgetStore, BudgetTotals, BudgetUsage } from '../budgets.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS budget_usage (
  token_id TEXT NOT NULL,
  day TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  role TEXT NOT NULL,
  tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  calls INTEGER NOT NULL,
  PRIMARY KEY (token_id, day, workspace_id, agent, role)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS budget_usage_day ON budget_usage (day);
`;

const FLUSH_EVERY_MS = 10;
/** Unwritten charges kept while writes fail; older ones are dropped past it. */
const MAX_PENDING = 10_000;

/** Budget counters in the server's SQLite file: one row per token, day, workspace, agent and role. */
export function createSqliteBudgetStore(db: Database.Database): BudgetStore {
  db.exec(SCHEMA);
  const totalsOf = db.prepare<[string, string], BudgetTotals>(
    `SELECT COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(cost_usd), 0) AS costUsd,
       COALESCE(SUM(calls), 0) AS calls
     FROM budget_usage WHERE token_id = ? AND day >= ?`,
  );
  const add = db.prepare<BudgetCharge>(
    `INSERT INTO budget_usage (token_id, day, workspace_id, agent, role, tokens, cost_usd, calls)
     VALUES (@tokenId, @day, @workspaceId, @agent, @role, @tokens, @costUsd, 1)
     ON CONFLICT DO UPDATE SET tokens = tokens + excluded.tokens, cost_usd = cost_usd + excluded.cost_usd,
       calls = calls + 1`,
  );
  // charges of callers without limits share one transaction every FLUSH_EVERY_MS
  let pending: BudgetCharge[] = [];
  const writeAll = db.transaction((rows: BudgetCharge[]) => {
    for (const c of rows) add.run(c);
  });
  const flush = () => {
    const rows = pending;
    pending = [];
    if (rows.length > 0 && db.open) writeAll(rows);
  };
  /** The timer's flush: a failed write (disk full, locked too long) keeps its rows for the next one. */
  const flushLater = () => {
    const rows = pending;
    try {
      flush();
    } catch {
      pending = [...rows, ...pending].slice(-MAX_PENDING);
    }
  };
  const charge = db.transaction((c: BudgetCharge, sinceDay: string) => {
    flush();
    const before = totalsOf.get(c.tokenId, sinceDay) as BudgetTotals;
    add.run(c);
    const after = {
      tokens: before.tokens + c.tokens,
      costUsd: before.costUsd + c.costUsd,
      calls: before.calls + 1,
    };
    return { before, after };
  });
  const usageSince = db.prepare<[string], BudgetUsage>(
    `SELECT token_id AS tokenId, workspace_id AS workspaceId, agent, role, SUM(tokens) AS tokens,
       SUM(cost_usd) AS costUsd, SUM(calls) AS calls
     FROM budget_usage WHERE day >= ? GROUP BY token_id, workspace_id, agent, role
     ORDER BY token_id, workspace_id, agent, role`,
  );
  return {
    // IMMEDIATE takes the write lock before reading, so two processes cannot both read "before"
    charge: async (c, sinceDay) => charge.immediate(c, sinceDay),
    record(c) {
      if (pending.length === 0) setTimeout(flushLater, FLUSH_EVERY_MS).unref();
      pending.push(c);
    },
    async totals(tokenId, sinceDay) {
      flush();
      return totalsOf.get(tokenId, sinceDay) as BudgetTotals;
    },
    async usage(sinceDay) {
      flush();
      return usageSince.all(sinceDay);
    },
    flush,
  };
}
