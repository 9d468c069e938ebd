import { z } from 'zod';

/**
 * The `[budget]` block of a team profile (seed 000/001), as team.json's `governance.budget`.
 * Only what is enforced is accepted: there is no cost model, so no `max_cost_usd`.
 */
export const budgetSchema = z.strictObject({
  max_context_tokens: z.number().int().positive(),
});

export type Budget = z.output<typeof budgetSchema>;

/** Start of the current UTC day: budgets are per token per day. */
export function budgetWindowStart(now: number): string {
  const d = new Date(now);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())).toISOString();
}
