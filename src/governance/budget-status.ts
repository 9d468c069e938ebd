import type { TeamProfile } from '../config/team-profile.ts';
import { AppError } from '../errors.ts';
import { type BudgetStore, type BudgetTotals, type BudgetUsage, dayOf } from '../store/budgets.ts';
import { type BudgetLimits, periodEnd, periodStart } from './budget.ts';
import { formatUsd } from './prices.ts';

/** Whose budget: a token and the role it is counted under. */
export interface BudgetHolder {
  tokenId: string;
  role: string | undefined;
}

export type BudgetName = 'max_context_tokens' | 'max_cost_usd';

export interface BudgetUse {
  budget: BudgetName;
  used: number;
  limit: number;
  /** used / limit */
  fraction: number;
}

/** One token's budget right now: limits, what it used this period, when the period ends. */
export interface BudgetStatus extends BudgetHolder {
  limits: BudgetLimits;
  used: BudgetTotals;
  /** One entry per limit that applies. */
  uses: BudgetUse[];
  periodStart: string;
  resetsAt: string;
  model: string;
  usdPerMillionTokens: number;
  /** The profile the limits come from. */
  source: string;
}

/** The limits of a role: its own where it sets them, else the profile's `[budget]`. */
export function limitsFor(profile: TeamProfile, role: string | undefined): BudgetLimits {
  const spec = role === undefined ? undefined : profile.roles.get(role);
  return {
    maxContextTokens: spec?.maxContextTokens ?? profile.budget.maxContextTokens,
    maxCostUsd: spec?.maxCostUsd ?? profile.budget.maxCostUsd,
    alertThreshold: profile.budget.alertThreshold,
    period: profile.budget.period,
  };
}

/** How much of each limit `used` takes. */
export function usesOf(limits: BudgetLimits, used: BudgetTotals): BudgetUse[] {
  const uses: BudgetUse[] = [];
  if (limits.maxContextTokens !== undefined) {
    const limit = limits.maxContextTokens;
    uses.push({ budget: 'max_context_tokens', used: used.tokens, limit, fraction: used.tokens / limit });
  }
  if (limits.maxCostUsd !== undefined) {
    const limit = limits.maxCostUsd;
    uses.push({ budget: 'max_cost_usd', used: used.costUsd, limit, fraction: used.costUsd / limit });
  }
  return uses;
}

/** A token's budget status, from the store's counters for the current period. */
export async function budgetStatus(
  store: BudgetStore,
  profile: TeamProfile,
  holder: BudgetHolder,
  now: number,
): Promise<BudgetStatus> {
  const limits = limitsFor(profile, holder.role);
  const start = periodStart(limits.period, now);
  const used = await store.totals(holder.tokenId, dayOf(start));
  return {
    ...holder,
    limits,
    used,
    uses: usesOf(limits, used),
    periodStart: start.toISOString(),
    resetsAt: periodEnd(limits.period, now).toISOString(),
    model: profile.model,
    usdPerMillionTokens: profile.usdPerMillionTokens,
    source: profile.source,
  };
}

export const formatUse = (u: BudgetUse): string =>
  u.budget === 'max_cost_usd'
    ? `${formatUsd(u.used)} of ${formatUsd(u.limit)}`
    : `${Math.round(u.used).toLocaleString('en-US')} of ${u.limit.toLocaleString('en-US')} tokens`;

export const whose = (h: BudgetHolder) => `token "${h.tokenId}"${h.role ? ` (role ${h.role})` : ''}`;

/** The answer of `ctx_session budget`: limits, use and reset, a few lines. */
export function formatBudgetStatus(s: BudgetStatus): string {
  const lines = [
    `budget of ${whose(s)} this ${s.limits.period} (since ${s.periodStart}, resets ${s.resetsAt}):`,
    `  served ${s.used.tokens.toLocaleString('en-US')} tokens in ${s.used.calls} calls = ${formatUsd(s.used.costUsd)} at ${s.model} ($${s.usdPerMillionTokens}/M input tokens)`,
  ];
  if (s.uses.length === 0) lines.push(`  no limits apply (profile: ${s.source})`);
  for (const u of s.uses) {
    const alert = u.fraction >= 1 ? ' — used up' : u.fraction >= s.limits.alertThreshold ? ' — alert' : '';
    lines.push(`  ${u.budget}: ${formatUse(u)} (${Math.round(u.fraction * 100)}%)${alert}`);
  }
  return lines.join('\n');
}

/** 429 budget_exhausted naming the budget and when it resets, once a limit is used up. */
export function assertWithinBudget(s: BudgetStatus, now: number): void {
  const out = s.uses.find((u) => u.fraction >= 1);
  if (!out) return;
  throw new AppError(
    'budget_exhausted',
    `${out.budget} of ${whose(s)} is used up: ${formatUse(out)} this ${s.limits.period}; it resets at ${s.resetsAt}`,
    {
      budget: out.budget,
      used: out.used,
      limit: out.limit,
      period: s.limits.period,
      resetsAt: s.resetsAt,
      retryAfter: Math.max(1, Math.ceil((Date.parse(s.resetsAt) - now) / 1000)),
    },
  );
}

/** Use of the current period per token, agent, role and workspace (`/v1/metrics`). */
export function budgetUsage(store: BudgetStore, profile: TeamProfile, now: number): Promise<BudgetUsage[]> {
  return store.usage(dayOf(periodStart(profile.budget.period, now)));
}
