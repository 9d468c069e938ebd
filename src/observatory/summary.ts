import type { Gateway } from '../gateway/gateway.ts';
import { periodEnd } from '../governance/budget.ts';
import { type BudgetUse, budgetUsage, limitsFor, usesOf } from '../governance/budget-status.ts';
import type { RefusalCount } from '../metrics/refusal-window.ts';
import type { ServerDeps } from '../pipeline/deps.ts';
import type { Caller } from '../pipeline/team-state.ts';
import type { UsageActivity } from '../store/types.ts';

export const DEFAULT_SUMMARY_MINUTES = 30;
export const MAX_SUMMARY_MINUTES = 60;

export interface BudgetRow {
  tokenId: string;
  role: string | null;
  agents: string[];
  tokens: number;
  costUsd: number;
  calls: number;
  uses: BudgetUse[];
  /** The highest level any of its budgets reached: ok, alert (past the threshold) or exhausted. */
  level: 'ok' | 'alert' | 'exhausted';
}

export interface ObservatorySummary {
  generatedAt: string;
  minutes: number;
  /** Workspaces the numbers cover (the caller's). */
  workspaces: string[];
  totals: { calls: number; errors: number; tokensSent: number; tokensSaved: number; savedPct: number };
  /** Per minute, tool and agent (token id), oldest first. */
  activity: UsageActivity[];
  /** Refusals and failed calls by error_code: `recent` over `minutes`, `total` since start. */
  errors: RefusalCount[];
  channels: {
    workspaceId: string;
    channelId: string;
    revision: number;
    agents: string[];
    lastActivity: string;
  }[];
  agents: { agentId: string; calls: number; lastMinute: string }[];
  budget: {
    period: string;
    resetsAt: string;
    alertThreshold: number;
    model: string;
    source: string;
    rows: BudgetRow[];
  };
  gateway: {
    configured: boolean;
    servers: {
      name: string;
      type: string;
      health: string;
      running: boolean;
      toolCount: number | null;
      lastError: string | null;
    }[];
  };
}

const savedPct = (sent: number, saved: number) =>
  sent + saved === 0 ? 0 : Math.round((saved / (sent + saved)) * 1000) / 10;

function levelOf(uses: readonly BudgetUse[], threshold: number): BudgetRow['level'] {
  if (uses.some((u) => u.fraction >= 1)) return 'exhausted';
  if (uses.some((u) => u.fraction >= threshold)) return 'alert';
  return 'ok';
}

function gatewayServers(gateway: Gateway | undefined, caller: Caller): ObservatorySummary['gateway'] {
  if (!gateway) return { configured: false, servers: [] };
  const servers = gateway.visible({ servers: caller.servers, showProcess: false }).map((u) => {
    const s = u.status();
    return {
      name: u.name,
      type: u.config.type,
      health: s.health,
      running: s.running,
      toolCount: s.toolCount ?? null,
      lastError: s.lastError ?? null,
    };
  });
  return { configured: true, servers };
}

/** A workspace's channels with events: their heads and the agents present (index seeks only). */
async function channelsOf(deps: ServerDeps, workspaceId: string): Promise<ObservatorySummary['channels']> {
  const heads = await deps.store.events.heads(workspaceId);
  return Promise.all(
    heads.map(async (h) => ({
      workspaceId,
      channelId: h.channelId,
      revision: h.revision,
      agents: (await deps.store.agents.list(workspaceId, h.channelId, { present: true })).map((a) => a.name),
      lastActivity: h.ts,
    })),
  );
}

/**
 * What the observatory shows, for a caller with the `audit` scope, from cheap sources only:
 * an index range of the usage table, the in-memory refusal window, the budget counters of the
 * current period, the channel heads and the gateway's live status.
 */
export async function observatorySummary(
  deps: ServerDeps,
  caller: Caller,
  minutes: number,
): Promise<ObservatorySummary> {
  const now = deps.now();
  const workspaces = deps.state
    .workspaces()
    .map((w) => w.id)
    .filter((id) => !caller.workspaces || caller.workspaces.includes(id));
  const sinceTs = new Date(Math.floor(now / 60_000) * 60_000 - (minutes - 1) * 60_000).toISOString();
  const profile = deps.state.config().governance;
  // Channel heads first: a call queues its usage row before its event is stored, so every
  // event up to a head read here is counted in the activity read after it.
  const channelLists = await Promise.all(workspaces.map((ws) => channelsOf(deps, ws)));
  const [activity, usage] = await Promise.all([
    deps.store.usage.activity({ workspaceIds: caller.workspaces ? workspaces : undefined, sinceTs }),
    budgetUsage(deps.store.budgets, profile, now),
  ]);

  const totals = { calls: 0, errors: 0, tokensSent: 0, tokensSaved: 0, savedPct: 0 };
  const agents = new Map<string, { agentId: string; calls: number; lastMinute: string }>();
  for (const a of activity) {
    totals.calls += a.calls;
    totals.errors += a.errors;
    totals.tokensSent += a.tokensSent;
    totals.tokensSaved += a.tokensSaved;
    const seen = agents.get(a.agentId) ?? { agentId: a.agentId, calls: 0, lastMinute: a.minute };
    seen.calls += a.calls;
    if (a.minute > seen.lastMinute) seen.lastMinute = a.minute;
    agents.set(a.agentId, seen);
  }
  totals.savedPct = savedPct(totals.tokensSent, totals.tokensSaved);

  const byToken = new Map<string, BudgetRow>();
  for (const u of usage) {
    if (caller.workspaces && !caller.workspaces.includes(u.workspaceId)) continue;
    const key = `${u.tokenId}\u0000${u.role}`;
    const row = byToken.get(key) ?? {
      tokenId: u.tokenId,
      role: u.role === '' ? null : u.role,
      agents: [],
      tokens: 0,
      costUsd: 0,
      calls: 0,
      uses: [],
      level: 'ok' as const,
    };
    row.tokens += u.tokens;
    row.costUsd += u.costUsd;
    row.calls += u.calls;
    if (!row.agents.includes(u.agent)) row.agents.push(u.agent);
    byToken.set(key, row);
  }
  const rows = [...byToken.values()].map((row) => {
    const limits = limitsFor(profile, row.role ?? undefined);
    const uses = usesOf(limits, { tokens: row.tokens, costUsd: row.costUsd, calls: row.calls });
    return { ...row, uses, level: levelOf(uses, limits.alertThreshold) };
  });
  rows.sort(
    (a, b) =>
      Math.max(0, ...b.uses.map((u) => u.fraction)) - Math.max(0, ...a.uses.map((u) => u.fraction)) ||
      b.tokens - a.tokens,
  );

  return {
    generatedAt: new Date(now).toISOString(),
    minutes,
    workspaces,
    totals,
    activity,
    errors: deps.metrics.refusals.counts(minutes),
    channels: channelLists.flat(),
    agents: [...agents.values()].sort((a, b) => b.calls - a.calls),
    budget: {
      period: profile.budget.period,
      resetsAt: periodEnd(profile.budget.period, now).toISOString(),
      alertThreshold: profile.budget.alertThreshold,
      model: profile.model,
      source: profile.source,
      rows,
    },
    gateway: gatewayServers(deps.gateway, caller),
  };
}
