import type { TeamProfile } from '../config/team-profile.ts';
import { type BudgetStore, dayOf } from '../store/budgets.ts';
import { periodEnd, periodStart } from './budget.ts';
import { type BudgetHolder, type BudgetName, formatUse, limitsFor, usesOf, whose } from './budget-status.ts';
import { costOf } from './prices.ts';

/** What a call was served, and by whom, for the counters. */
export interface ServedCall extends BudgetHolder {
  workspaceId: string;
  agent: string;
  tokens: number;
}

/** A budget this call took past the alert threshold or past its limit. */
export interface BudgetAlert {
  budget: BudgetName;
  level: 'alert' | 'exhausted';
  used: number;
  limit: number;
  fraction: number;
  resetsAt: string;
}

export interface ChargeResult {
  costUsd: number;
  /** Budgets this very call crossed a line of; exactly one call crosses each. */
  alerts: BudgetAlert[];
  /** One line for the result while any budget is at or past its alert threshold. */
  warning: string | undefined;
}

const chargeOf = (profile: TeamProfile, call: ServedCall, now: number) => ({
  day: dayOf(now),
  tokenId: call.tokenId,
  workspaceId: call.workspaceId,
  agent: call.agent,
  role: call.role ?? '',
  tokens: call.tokens,
  costUsd: costOf(call.tokens, profile.usdPerMillionTokens),
});

/** Counts a call of a caller without limits: nothing to warn about, so nothing to wait for. */
export function recordServed(store: BudgetStore, profile: TeamProfile, call: ServedCall, now: number): void {
  store.record(chargeOf(profile, call, now));
}

/** Charges a call's served tokens (priced at the profile's model) and says which lines it crossed. */
export async function chargeBudget(
  store: BudgetStore,
  profile: TeamProfile,
  call: ServedCall,
  now: number,
): Promise<ChargeResult> {
  const limits = limitsFor(profile, call.role);
  const charge = chargeOf(profile, call, now);
  const { before, after } = await store.charge(charge, dayOf(periodStart(limits.period, now)));
  const resetsAt = periodEnd(limits.period, now).toISOString();
  const was = usesOf(limits, before);
  const alerts: BudgetAlert[] = [];
  for (const [i, u] of usesOf(limits, after).entries()) {
    const prior = was[i]?.fraction ?? 0;
    const level =
      prior < 1 && u.fraction >= 1
        ? 'exhausted'
        : prior < limits.alertThreshold && u.fraction >= limits.alertThreshold
          ? 'alert'
          : undefined;
    if (level) alerts.push({ ...u, level, resetsAt });
  }
  const worst = usesOf(limits, after).sort((a, b) => b.fraction - a.fraction)[0];
  const warning =
    worst && worst.fraction >= limits.alertThreshold
      ? `⚠ budget: ${whose(call)} has used ${Math.round(worst.fraction * 100)}% of ${worst.budget} (${formatUse(worst)}) this ${limits.period}; it resets at ${resetsAt}`
      : undefined;
  return { costUsd: charge.costUsd, alerts, warning };
}
