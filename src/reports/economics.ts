import { costOf } from '../governance/prices.ts';
import type { CostBaseline, FeedbackSummary, PathReads, UsageFigures, UsageStore } from '../store/types.ts';
import type { Pricing } from './savings.ts';

/**
 * The context-economics reports: what the server sent, what the files it stood in for
 * weighed, and what that did to the bill. Savings are raw − sent of each call that measured
 * a raw size: counted on what the client actually received, never on what it could have.
 * Everything here reads the store's roll-ups; REST, the tools and the bench call the same code.
 */

export const PERIODS = ['week', 'month', 'all'] as const;
export type Period = (typeof PERIODS)[number];

const DAY_MS = 86_400_000;
/** Most files `ctx_heatmap cold` compares with the workspace. */
export const HEATMAP_MAX_FILES = 100_000;

interface StoreLike {
  usage: UsageStore;
}

export interface ReportScope {
  /** Only these workspaces; undefined = all. */
  workspaceIds: readonly string[] | undefined;
  period: Period;
  nowMs: number;
  /** One agent (costReport over `all` only; the roll-ups keep agents per day, not per tool). */
  agentId?: string;
}

/** The first UTC day of a period: the last 7 or 30 days, today included; undefined = all time. */
export function sinceDayOf(period: Period, nowMs: number): string | undefined {
  if (period === 'all') return undefined;
  const days = period === 'week' ? 7 : 30;
  return new Date(nowMs - (days - 1) * DAY_MS).toISOString().slice(0, 10);
}

export interface Figures {
  calls: number;
  errors: number;
  tokensSent: number;
  tokensRaw: number;
  tokensSaved: number;
}

/** Saved as a share of what would have been sent without the server (sent + saved), in %. */
export const savedPercent = (f: { tokensSent: number; tokensSaved: number }): number =>
  f.tokensSaved + f.tokensSent > 0
    ? Math.round((f.tokensSaved / (f.tokensSaved + f.tokensSent)) * 1000) / 10
    : 0;

const zero = (): Figures => ({ calls: 0, errors: 0, tokensSent: 0, tokensRaw: 0, tokensSaved: 0 });
const addTo = (into: Figures, f: UsageFigures | Figures) => {
  into.calls += f.calls;
  into.errors += f.errors;
  into.tokensSent += f.tokensSent;
  into.tokensRaw += f.tokensRaw;
  into.tokensSaved += f.tokensSaved;
  return into;
};
const figuresOf = (f: UsageFigures | Figures): Figures => addTo(zero(), f);

const byFigures =
  <T extends Figures>(key: (row: T) => string) =>
  (a: T, b: T) =>
    b.tokensSaved - a.tokensSaved || b.calls - a.calls || key(a).localeCompare(key(b));

const usd = (tokens: number, p: Pricing) => Math.round(costOf(tokens, p.usdPerMillionTokens) * 1e6) / 1e6;

/** Tokens sent, raw and saved: in total, per tool, per agent and per day. */
export async function gainReport(store: StoreLike, scope: ReportScope, pricing: Pricing) {
  const sinceDay = sinceDayOf(scope.period, scope.nowMs);
  const rows = await store.usage.totals({
    workspaceIds: scope.workspaceIds,
    ...(sinceDay !== undefined ? { sinceDay } : {}),
  });
  const totals = rows.byAgent.reduce(addTo, zero());
  return {
    schemaVersion: 1 as const,
    generatedAt: new Date(scope.nowMs).toISOString(),
    period: scope.period,
    sinceDay: sinceDay ?? null,
    model: pricing.model,
    usdPerMillionTokens: pricing.usdPerMillionTokens,
    totals: {
      ...totals,
      savedPercent: savedPercent(totals),
      sentUsd: usd(totals.tokensSent, pricing),
      savedUsd: usd(totals.tokensSaved, pricing),
    },
    byTool: rows.byTool
      .map((t) => ({ tool: t.tool, ...figuresOf(t), savedPercent: savedPercent(t) }))
      .sort(byFigures((t) => t.tool)),
    byAgent: rows.byAgent
      .map((a) => ({ agentId: a.agentId, ...figuresOf(a), savedPercent: savedPercent(a), lastTs: a.lastTs }))
      .sort(byFigures((a) => a.agentId)),
    byDay: rows.byDay.map((d) => ({ day: d.day, ...figuresOf(d) })),
  };
}

export type GainReport = Awaited<ReturnType<typeof gainReport>>;

/** 0–100: the saved share, less the share of calls that failed. */
export function gainScore(report: Pick<GainReport, 'totals'>): number {
  const { totals } = report;
  const errorRate = totals.calls > 0 ? totals.errors / totals.calls : 0;
  return Math.round(savedPercent(totals) * (1 - errorRate));
}

/** What the LLM was sent and answered (ctx_feedback), beside what the server's savings took off it. */
function llmBill(feedback: FeedbackSummary, toolTokens: Figures, p: Pricing) {
  const withoutSavings = feedback.inputTokens + toolTokens.tokensSaved;
  return {
    entries: feedback.entries,
    inputTokens: feedback.inputTokens,
    outputTokens: feedback.outputTokens,
    avgLatencyMs: Math.round(feedback.avgLatencyMs * 10) / 10,
    inputUsd: usd(feedback.inputTokens, p),
    /** The input had the server's savings been sent as well. */
    inputTokensWithoutSavings: feedback.entries > 0 ? withoutSavings : 0,
    inputUsdWithoutSavings: feedback.entries > 0 ? usd(withoutSavings, p) : 0,
    /** Of that input, the share the savings took off, in %. */
    savedShareOfInput:
      feedback.entries > 0 && withoutSavings > 0
        ? Math.round((toolTokens.tokensSaved / withoutSavings) * 1000) / 10
        : 0,
  };
}

/**
 * What the tools' answers cost as model input, and what their savings kept off the bill, at
 * the profile's model price. Over `all`, counts start at each agent's last `ctx_cost reset`.
 */
export async function costReport(store: StoreLike, scope: ReportScope, pricing: Pricing) {
  const sinceDay = sinceDayOf(scope.period, scope.nowMs);
  const filter = {
    workspaceIds: scope.workspaceIds,
    ...(sinceDay !== undefined ? { sinceDay } : {}),
    ...(scope.agentId !== undefined ? { agentId: scope.agentId } : {}),
  };
  const [rows, baselines] = await Promise.all([
    store.usage.totals(filter),
    sinceDay === undefined ? store.usage.costBaselines(scope.workspaceIds) : Promise.resolve([]),
  ]);
  const counting = baselines.filter((b) => scope.agentId === undefined || b.agentId === scope.agentId);
  // a baseline is a snapshot of the same sums, so it comes off per agent and per tool alike
  const taken = (key: (b: CostBaseline) => string, k: string) =>
    counting.filter((b) => key(b) === k).reduce(addTo, zero());
  const since = (f: Figures, b: Figures): Figures => ({
    calls: Math.max(0, f.calls - b.calls),
    errors: Math.max(0, f.errors - b.errors),
    tokensSent: Math.max(0, f.tokensSent - b.tokensSent),
    tokensRaw: Math.max(0, f.tokensRaw - b.tokensRaw),
    tokensSaved: Math.max(0, f.tokensSaved - b.tokensSaved),
  });
  const byAgent = rows.byAgent.map((a) => ({
    agentId: a.agentId,
    ...since(
      figuresOf(a),
      taken((b) => b.agentId, a.agentId),
    ),
  }));
  const byTool = rows.byTool.map((t) => ({
    tool: t.tool,
    ...since(
      figuresOf(t),
      taken((b) => b.tool, t.tool),
    ),
  }));
  const priced = (f: Figures) => ({
    calls: f.calls,
    tokensSent: f.tokensSent,
    tokensSaved: f.tokensSaved,
    sentUsd: usd(f.tokensSent, pricing),
    savedUsd: usd(f.tokensSaved, pricing),
  });
  const totals = byAgent.reduce(addTo, zero());
  const sinceTs = sinceDay === undefined ? undefined : `${sinceDay}T00:00:00.000Z`;
  const feedback = await store.usage.feedbackSummary({
    workspaceIds: scope.workspaceIds,
    ...(scope.agentId !== undefined ? { agentId: scope.agentId } : {}),
    ...(sinceTs !== undefined ? { sinceTs } : {}),
  });
  return {
    schemaVersion: 1 as const,
    generatedAt: new Date(scope.nowMs).toISOString(),
    period: scope.period,
    sinceDay: sinceDay ?? null,
    model: pricing.model,
    usdPerMillionTokens: pricing.usdPerMillionTokens,
    totals: { ...priced(totals), withoutSavingsUsd: usd(totals.tokensSent + totals.tokensSaved, pricing) },
    byAgent: byAgent.sort(byFigures((a) => a.agentId)).map((a) => ({ agentId: a.agentId, ...priced(a) })),
    byTool: byTool.sort(byFigures((t) => t.tool)).map((t) => ({ tool: t.tool, ...priced(t) })),
    llm: llmBill(feedback, totals, pricing),
    resets: [...new Map(baselines.map((b) => [`${b.workspaceId}\u0000${b.agentId}`, b])).values()]
      .filter((b) => scope.agentId === undefined || b.agentId === scope.agentId)
      .map((b) => ({
        workspaceId: b.workspaceId,
        agentId: b.agentId,
        resetAt: b.resetAt,
        resetBy: b.resetBy,
      }))
      .sort((a, b) => a.agentId.localeCompare(b.agentId) || a.workspaceId.localeCompare(b.workspaceId)),
  };
}

export type CostReport = Awaited<ReturnType<typeof costReport>>;

export interface HeatRow {
  /** The workspace the path is in: the same path in two workspaces is two rows. */
  workspaceId: string;
  path: string;
  reads: number;
  tokensSent: number;
  tokensRaw: number;
}

const heatRow = (r: PathReads): HeatRow => ({
  workspaceId: r.workspaceId,
  path: r.path,
  reads: r.reads,
  tokensSent: r.tokensSent,
  tokensRaw: r.tokensRaw,
});

/**
 * The most-read files and directories (a directory counts the reads of every file below
 * it); paths are workspace-relative. `sinceTs` counts from its UTC day on.
 */
export async function heatmap(
  store: StoreLike,
  opts: {
    workspaceIds: readonly string[] | undefined;
    sinceTs?: string | undefined;
    limit: number;
    /** Only paths below this directory. */
    under?: string;
  },
): Promise<{ files: HeatRow[]; dirs: HeatRow[] }> {
  const filter = {
    workspaceIds: opts.workspaceIds,
    limit: opts.limit,
    ...(opts.sinceTs !== undefined ? { sinceDay: opts.sinceTs.slice(0, 10) } : {}),
    ...(opts.under !== undefined ? { under: opts.under } : {}),
  };
  const [files, dirs] = await Promise.all([
    store.usage.pathReads(filter),
    store.usage.pathReads({ ...filter, dirs: true }),
  ]);
  return { files: files.map(heatRow), dirs: dirs.map(heatRow) };
}

/** The start of a period as an ISO time (for `heatmap`'s sinceTs); undefined = all time. */
export function sinceTsOf(period: Period, nowMs: number): string | undefined {
  const day = sinceDayOf(period, nowMs);
  return day === undefined ? undefined : `${day}T00:00:00.000Z`;
}
