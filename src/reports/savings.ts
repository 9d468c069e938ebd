import type { UsageRollup } from '../store/types.ts';

/** Days of the cumulative daily series, as in the original team server. */
export const SERIES_WINDOW_DAYS = 90;
/** Rows of the per-tool and per-model breakdowns. */
const MAX_BREAKDOWN_ROWS = 10;

export interface Pricing {
  model: string;
  usdPerMillionTokens: number;
}

interface Totals {
  saved_tokens: number;
  net_saved_tokens: number;
  saved_usd: number;
  total_events: number;
}

interface SeriesPoint {
  date: string;
  net_saved_tokens: number;
  saved_usd: number;
  total_events: number;
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const usd = (tokens: number, p: Pricing) => Math.round(tokens * p.usdPerMillionTokens * 100) / 1e8;

/** The first day of the series window ending today (UTC). */
export function windowStart(nowMs: number): string {
  return dayOf(nowMs - (SERIES_WINDOW_DAYS - 1) * DAY_MS);
}

function totalsOf(tokens: number, calls: number, p: Pricing): Totals {
  // We measure no re-reads of compressed answers, so net equals gross.
  return { saved_tokens: tokens, net_saved_tokens: tokens, saved_usd: usd(tokens, p), total_events: calls };
}

/**
 * The cumulative daily series: what was saved before the window, then each day's savings
 * added; it starts on the first day with data (or the window's first day) and ends today.
 */
function seriesOf(rollup: UsageRollup, nowMs: number, p: Pricing): SeriesPoint[] {
  const total = rollup.byAgentTool.reduce((n, r) => n + r.tokensSaved, 0);
  const calls = rollup.byAgentTool.reduce((n, r) => n + r.calls, 0);
  if (calls === 0) return [];
  const perDay = new Map<string, { saved: number; calls: number }>();
  for (const d of rollup.byDay) {
    const cur = perDay.get(d.day) ?? { saved: 0, calls: 0 };
    perDay.set(d.day, { saved: cur.saved + d.tokensSaved, calls: cur.calls + d.calls });
  }
  const inWindow = [...perDay.values()];
  let saved = total - inWindow.reduce((n, d) => n + d.saved, 0);
  let events = calls - inWindow.reduce((n, d) => n + d.calls, 0);
  const first = events > 0 ? windowStart(nowMs) : ([...perDay.keys()].sort()[0] ?? dayOf(nowMs));
  const points: SeriesPoint[] = [];
  for (let ms = Date.parse(`${first}T00:00:00Z`); dayOf(ms) <= dayOf(nowMs); ms += DAY_MS) {
    const day = perDay.get(dayOf(ms));
    saved += day?.saved ?? 0;
    events += day?.calls ?? 0;
    points.push({ date: dayOf(ms), net_saved_tokens: saved, saved_usd: usd(saved, p), total_events: events });
  }
  return points;
}

function byTool(rollup: UsageRollup) {
  const tools = new Map<string, number>();
  for (const r of rollup.byAgentTool) tools.set(r.tool, (tools.get(r.tool) ?? 0) + r.tokensSaved);
  return [...tools]
    .map(([tool, saved_tokens]) => ({ tool, saved_tokens }))
    .sort((a, b) => b.saved_tokens - a.saved_tokens || a.tool.localeCompare(b.tool))
    .slice(0, MAX_BREAKDOWN_ROWS);
}

function byModel(tokens: number, p: Pricing) {
  return tokens > 0 ? [{ model: p.model, saved_tokens: tokens, saved_usd: usd(tokens, p) }] : [];
}

/** The team roll-up of `GET /v1/savings/summary`: every agent (token) that called a tool. */
export function savingsSummary(rollup: UsageRollup, nowMs: number, p: Pricing) {
  const members = new Map<string, { saved: number; calls: number; last: string }>();
  for (const r of rollup.byAgentTool) {
    const m = members.get(r.agentId) ?? { saved: 0, calls: 0, last: '' };
    members.set(r.agentId, {
      saved: m.saved + r.tokensSaved,
      calls: m.calls + r.calls,
      last: r.lastTs > m.last ? r.lastTs : m.last,
    });
  }
  const saved = [...members.values()].reduce((n, m) => n + m.saved, 0);
  const calls = [...members.values()].reduce((n, m) => n + m.calls, 0);
  return {
    schema_version: 1 as const,
    generated_at: new Date(nowMs).toISOString(),
    member_count: members.size,
    totals: totalsOf(saved, calls, p),
    by_member: [...members]
      .map(([id, m]) => ({
        signer: id,
        agent_id: id,
        ...totalsOf(m.saved, m.calls, p),
        last_reported: m.last,
      }))
      .sort((a, b) => b.net_saved_tokens - a.net_saved_tokens || a.agent_id.localeCompare(b.agent_id)),
    by_model: byModel(saved, p),
    by_tool: byTool(rollup),
    series: seriesOf(rollup, nowMs, p),
    window_days: SERIES_WINDOW_DAYS,
  };
}

/** One agent's drilldown (`GET /v1/savings/member/{signer}`); undefined when it never called a tool. */
export function memberSavings(agentId: string, rollup: UsageRollup, nowMs: number, p: Pricing) {
  const saved = rollup.byAgentTool.reduce((n, r) => n + r.tokensSaved, 0);
  const calls = rollup.byAgentTool.reduce((n, r) => n + r.calls, 0);
  if (calls === 0) return undefined;
  return {
    schema_version: 1 as const,
    generated_at: new Date(nowMs).toISOString(),
    signer: agentId,
    agent_id: agentId,
    last_reported: rollup.byAgentTool.reduce((last, r) => (r.lastTs > last ? r.lastTs : last), ''),
    totals: totalsOf(saved, calls, p),
    by_model: byModel(saved, p),
    by_tool: byTool(rollup),
    series: seriesOf(rollup, nowMs, p),
    window_days: SERIES_WINDOW_DAYS,
  };
}
