import { z } from 'zod';

export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** The `[budget]` table of a team profile (seed 000/001); limits are per token per period. */
export const budgetSchema = z.strictObject({
  max_context_tokens: z.number().int().positive().optional(),
  max_cost_usd: z.number().positive().optional(),
  alert_threshold: z.number().gt(0).max(1).default(0.8),
  period: z.enum(BUDGET_PERIODS).default('day'),
});

export type Budget = z.output<typeof budgetSchema>;

/** The limits that apply to one caller: its role's where set, else the profile's `[budget]`. */
export interface BudgetLimits {
  maxContextTokens: number | undefined;
  maxCostUsd: number | undefined;
  alertThreshold: number;
  period: BudgetPeriod;
}

export const hasLimits = (l: BudgetLimits): boolean =>
  l.maxContextTokens !== undefined || l.maxCostUsd !== undefined;

/** The UTC start of the budget period holding `now`: the day, the ISO week (Monday), the month. */
export function periodStart(period: BudgetPeriod, now: number): Date {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'day') return new Date(day);
  if (period === 'week') return new Date(day - ((d.getUTCDay() + 6) % 7) * 86_400_000);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

/** When the budget period holding `now` ends and counting starts from zero. */
export function periodEnd(period: BudgetPeriod, now: number): Date {
  const start = periodStart(period, now);
  if (period === 'day') return new Date(start.getTime() + 86_400_000);
  if (period === 'week') return new Date(start.getTime() + 7 * 86_400_000);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}
