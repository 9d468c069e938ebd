import { countTokensAsync, estimateTokens } from '../engine/tokens.ts';
import { hasLimits } from '../governance/budget.ts';
import { chargeBudget, recordServed, type ServedCall } from '../governance/budget-charge.ts';
import {
  assertWithinBudget,
  type BudgetStatus,
  budgetStatus,
  limitsFor,
} from '../governance/budget-status.ts';
import type { CallToolResult } from '../tools/define-tool.ts';
import type { ServerDeps } from './deps.ts';
import type { Caller } from './team-state.ts';

/** Whether a caller has limits: its calls are charged before the answer, which can then warn it. */
export const chargedBeforeAnswer = (deps: ServerDeps, caller: Caller): boolean =>
  hasLimits(limitsFor(deps.state.config().governance, caller.role));

/** Calls that tell an agent where its budget stands keep working once it is used up. */
const answersAboutBudget = (tool: string, args: Record<string, unknown>) =>
  tool === 'ctx_metrics' ||
  (tool === 'ctx_session' && (args.action === 'budget' || args.action === 'status'));

export function statusOf(deps: ServerDeps, caller: Caller): Promise<BudgetStatus> {
  const profile = deps.state.config().governance;
  return budgetStatus(
    deps.store.budgets,
    profile,
    { tokenId: caller.tokenId, role: caller.role },
    deps.now(),
  );
}

/** Refuses a call with 429 `budget_exhausted` once one of the caller's budgets is used up. */
export async function checkBudget(
  deps: ServerDeps,
  caller: Caller,
  tool: string,
  args: Record<string, unknown>,
): Promise<void> {
  if (!chargedBeforeAnswer(deps, caller) || answersAboutBudget(tool, args)) return;
  assertWithinBudget(await statusOf(deps, caller), deps.now());
}

const textOf = (result: CallToolResult): string =>
  result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** o200k tokens of what the client receives; a text that cannot be counted is estimated. */
export const servedTokens = (result: CallToolResult): Promise<number> => {
  const text = textOf(result);
  return countTokensAsync(text).catch(() => estimateTokens(text));
};

// the agent is the token until a client name is known to the pipeline
const servedCall = (caller: Caller, workspaceId: string, tokens: number): ServedCall => ({
  tokenId: caller.tokenId,
  role: caller.role,
  workspaceId,
  agent: caller.tokenId,
  tokens,
});

/** Counts what a call of a caller without limits served, for usage per token, agent, role and workspace. */
export function recordServedCall(
  deps: ServerDeps,
  caller: Caller,
  workspaceId: string,
  tokens: number,
): void {
  const profile = deps.state.config().governance;
  recordServed(deps.store.budgets, profile, servedCall(caller, workspaceId, tokens), deps.now());
}

/**
 * Charges what a call served to its token's budget counters, publishes `budget_alert` when
 * this call crossed the alert threshold or the limit (before the answer leaves, so a
 * subscriber sees the alert before any 429), and returns the warning line, if any.
 */
export async function chargeServed(
  deps: ServerDeps,
  caller: Caller,
  where: { workspaceId: string; channelId: string },
  tokens: number,
): Promise<string | undefined> {
  const profile = deps.state.config().governance;
  const charged = await chargeBudget(
    deps.store.budgets,
    profile,
    servedCall(caller, where.workspaceId, tokens),
    deps.now(),
  );
  for (const alert of charged.alerts) {
    deps.metrics.budgetAlerts.inc({ budget: alert.budget, level: alert.level });
    await deps.hub
      .publish({
        ...where,
        kind: 'budget_alert',
        actor: caller.tokenId,
        payload: {
          token: caller.tokenId,
          role: caller.role ?? null,
          period: profile.budget.period,
          ...alert,
        },
      })
      .catch((err: unknown) => deps.logger.error('event append failed', { error: String(err) }));
  }
  return charged.warning;
}
