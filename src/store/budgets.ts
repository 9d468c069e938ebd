/**
 * Budget counters: tokens served and their cost per token, per UTC day, split by workspace,
 * agent and role for reporting. A charge and the totals it returns are one atomic step in
 * the store, so replicas sharing a database never overrun a budget by losing a charge.
 */

export interface BudgetTotals {
  tokens: number;
  costUsd: number;
  calls: number;
}

export interface BudgetCharge {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  tokenId: string;
  workspaceId: string;
  agent: string;
  /** '' when the token has no role. */
  role: string;
  tokens: number;
  costUsd: number;
}

export interface BudgetUsage extends BudgetTotals {
  tokenId: string;
  workspaceId: string;
  agent: string;
  role: string;
}

export interface BudgetStore {
  /**
   * Adds a charge and returns the token's totals over the days from `sinceDay` just
   * before and just after it, in one atomic step.
   */
  charge(charge: BudgetCharge, sinceDay: string): Promise<{ before: BudgetTotals; after: BudgetTotals }>;
  /**
   * Adds a charge nobody waits on (a caller without limits): it may be written together with
   * others a moment later; reads see it at once.
   */
  record(charge: BudgetCharge): void;
  /** A token's totals over the days from `sinceDay`. */
  totals(tokenId: string, sinceDay: string): Promise<BudgetTotals>;
  /** Every token, workspace, agent and role with usage since `sinceDay`. */
  usage(sinceDay: string): Promise<BudgetUsage[]>;
  /** Writes what `record` still holds. */
  flush(): void;
}

/** The UTC day of a time, as budget rows key it. */
export const dayOf = (at: Date | number): string => new Date(at).toISOString().slice(0, 10);
