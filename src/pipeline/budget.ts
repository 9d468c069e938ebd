import { AppError } from '../errors.ts';
import { budgetWindowStart } from '../governance/budget.ts';
import type { ServerDeps } from './deps.ts';
import type { Caller } from './team-state.ts';

/** The validated `governance.budget` of the live config, if any. */
export function budgetOf(deps: ServerDeps) {
  return deps.state.config().governance?.budget;
}

/** Refuses a call once the token has received its daily `max_context_tokens`. */
export async function checkBudget(deps: ServerDeps, caller: Caller, workspaceId: string): Promise<void> {
  // Validated strictly at load: a misspelled or mistyped budget refuses the config.
  const budget = deps.state.config().governance?.budget;
  if (!budget?.max_context_tokens) return;
  const since = budgetWindowStart(deps.now());
  const used = await deps.store.usage.summary({ workspaceId, agentId: caller.tokenId, sinceTs: since });
  if (used.tokensSent >= budget.max_context_tokens) {
    throw new AppError(
      'budget_exhausted',
      `token "${caller.tokenId}" used ${used.tokensSent} of its ${budget.max_context_tokens} daily context tokens; it resets at 00:00 UTC`,
      { used: used.tokensSent, limit: budget.max_context_tokens, resetsAt: 'next 00:00 UTC' },
    );
  }
}
