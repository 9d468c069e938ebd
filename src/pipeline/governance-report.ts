import type { Budget } from '../governance/budget.ts';
import { budgetWindowStart } from '../governance/budget.ts';
import { budgetOf } from './budget.ts';
import type { ServerDeps } from './deps.ts';
import type { Caller } from './team-state.ts';

/** What ctx_session role and budget answer: the caller's role and scopes, its budget and today's use. */
export interface GovernanceReport {
  role: string | undefined;
  scopes: string[];
  budget: Budget | undefined;
  /** o200k tokens this token received in the workspace since `since`. */
  usedTokens: number;
  calls: number;
  since: string;
  resetsAt: string;
}

export async function governanceReport(
  deps: ServerDeps,
  caller: Caller,
  workspaceId: string,
): Promise<GovernanceReport> {
  const since = budgetWindowStart(deps.now());
  const used = await deps.store.usage.summary({ workspaceId, agentId: caller.tokenId, sinceTs: since });
  const token = deps.state.config().tokens.find((t) => t.id === caller.tokenId);
  return {
    role: token?.role,
    scopes: [...caller.scopes],
    budget: budgetOf(deps),
    usedTokens: used.tokensSent,
    calls: used.calls,
    since,
    resetsAt: new Date(Date.parse(since) + 86_400_000).toISOString(),
  };
}
