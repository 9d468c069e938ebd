import { z } from 'zod';
import {
  type GainReport,
  gainReport,
  gainScore,
  heatmap,
  PERIODS,
  type Period,
  sinceTsOf,
} from '../../reports/economics.ts';
import type { Pricing } from '../../reports/savings.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { n, PERIOD_WORDS, pricingOf, scopeOf, usdText } from './economics-context.ts';

const GAIN_ACTIONS = [
  'status',
  'report',
  'score',
  'cost',
  'tasks',
  'heatmap',
  'wrapped',
  'agents',
  'json',
] as const;

const statusLine = (r: GainReport, ws: string) => {
  const t = r.totals;
  return `gain, ${PERIOD_WORDS[r.period]}, workspace ${ws}: ${n(t.calls)} calls sent ${n(t.tokensSent)} tok in place of ${n(t.tokensRaw)} raw, saved ${n(t.tokensSaved)} tok (${t.savedPercent}%) ≈ ${usdText(t.savedUsd)} at ${r.model}`;
};

const figuresLine = (name: string, f: GainReport['byTool'][number] | GainReport['byAgent'][number]) =>
  `  ${name}: ${n(f.calls)} calls, ${n(f.tokensSent)} sent, ${n(f.tokensRaw)} raw, ${n(f.tokensSaved)} saved (${f.savedPercent}%)${f.errors > 0 ? `, ${n(f.errors)} errors` : ''}`;

/** The "wrapped" card: the period's headline figures in a few lines. */
export async function wrappedText(ctx: ToolContext, period: Period, pricing: Pricing): Promise<string> {
  const scope = { workspaceIds: scopeOf(ctx), period, nowMs: Date.now() };
  const [r, heat] = await Promise.all([
    gainReport(ctx.store, scope, pricing),
    heatmap(ctx.store, {
      workspaceIds: scope.workspaceIds,
      sinceTs: sinceTsOf(period, scope.nowMs),
      limit: 1,
    }),
  ]);
  if (r.totals.calls === 0) return `lean-ctx wrapped, ${PERIOD_WORDS[period]}: no tool calls recorded yet`;
  const busiest = [...r.byDay].sort((a, b) => b.calls - a.calls || a.day.localeCompare(b.day))[0];
  const topTool = r.byTool[0];
  const topAgent = r.byAgent[0];
  const topFile = heat.files[0];
  return [
    `lean-ctx wrapped, ${PERIOD_WORDS[period]} (workspace ${ctx.workspace.id})`,
    `  ${n(r.totals.tokensSaved)} tokens kept out of context (${r.totals.savedPercent}% of what was read) ≈ ${usdText(r.totals.savedUsd)} at ${r.model}`,
    `  ${n(r.totals.calls)} tool calls on ${r.byDay.length} day(s); score ${gainScore(r)}/100`,
    ...(topTool
      ? [`  top tool: ${topTool.tool} (${n(topTool.tokensSaved)} saved in ${n(topTool.calls)} calls)`]
      : []),
    ...(topAgent ? [`  top agent: ${topAgent.agentId} (${n(topAgent.tokensSaved)} saved)`] : []),
    ...(topFile ? [`  most-read file: ${topFile.path} (${n(topFile.reads)} reads)`] : []),
    ...(busiest ? [`  busiest day: ${busiest.day} (${n(busiest.calls)} calls)`] : []),
  ].join('\n');
}

export const ctxGain = defineTool({
  name: 'ctx_gain',
  description:
    'Token economics of this workspace: tokens sent vs the raw size of what was read, saved % and USD, per tool, agent, day; score, cost, tasks, heatmap, wrapped card.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    action: z.enum(GAIN_ACTIONS).default('report'),
    period: z.enum(PERIODS).default('all').describe('week = last 7 days, month = last 30, all'),
    model: z.string().max(64).optional().describe("price at this model; default the profile's"),
    limit: z.number().int().min(1).max(100).default(10).describe('rows per list'),
  }),
  async run(args, ctx) {
    const pricing = await pricingOf(ctx, args.model);
    if (args.action === 'wrapped') return wrappedText(ctx, args.period, pricing);
    const nowMs = Date.now();
    const scope = { workspaceIds: scopeOf(ctx), period: args.period, nowMs };
    if (args.action === 'heatmap') {
      const heat = await heatmap(ctx.store, {
        workspaceIds: scope.workspaceIds,
        sinceTs: sinceTsOf(args.period, nowMs),
        limit: args.limit,
      });
      if (heat.files.length === 0) return `no file reads recorded in ${PERIOD_WORDS[args.period]}`;
      return [
        `most-read files, ${PERIOD_WORDS[args.period]}:`,
        ...heat.files.map(
          (f) => `  ${f.path}: ${n(f.reads)} reads, ${n(f.tokensSent)} sent of ${n(f.tokensRaw)} raw`,
        ),
      ].join('\n');
    }
    if (args.action === 'tasks') {
      const fb = await ctx.store.usage.feedbackSummary({
        workspaceIds: scope.workspaceIds,
        ...(args.period !== 'all' ? { sinceTs: sinceTsOf(args.period, nowMs) as string } : {}),
      });
      if (fb.entries === 0) {
        return 'no tasks yet: tasks are the intents agents report with ctx_feedback (action=record, intent=…)';
      }
      return [
        `LLM round trips by task (intent), ${PERIOD_WORDS[args.period]}:`,
        ...fb.byIntent
          .slice(0, args.limit)
          .map(
            (t) =>
              `  ${t.intent || '(no intent)'}: ${n(t.entries)} round trips, ${n(t.inputTokens)} in / ${n(t.outputTokens)} out tok, ${n(t.avgLatencyMs)} ms avg`,
          ),
      ].join('\n');
    }
    const r = await gainReport(ctx.store, scope, pricing);
    const t = r.totals;
    switch (args.action) {
      case 'json':
        return JSON.stringify(r);
      case 'status':
        return statusLine(r, ctx.workspace.id);
      case 'score':
        return `score ${gainScore(r)}/100: ${t.savedPercent}% of what was read was not sent; ${n(t.errors)} of ${n(t.calls)} calls failed`;
      case 'cost':
        return `${PERIOD_WORDS[r.period]}: sent ${n(t.tokensSent)} tok = ${usdText(t.sentUsd)}; saved ${n(t.tokensSaved)} tok = ${usdText(t.savedUsd)}; without the savings ${usdText(t.sentUsd + t.savedUsd)} (${r.model}, $${r.usdPerMillionTokens}/M input tokens)`;
      case 'agents':
        return r.byAgent.length === 0
          ? statusLine(r, ctx.workspace.id)
          : [
              `by agent, ${PERIOD_WORDS[r.period]}:`,
              ...r.byAgent.slice(0, args.limit).map((a) => figuresLine(a.agentId, a)),
            ].join('\n');
      default:
        return [
          statusLine(r, ctx.workspace.id),
          ...(r.byTool.length > 0
            ? ['by tool:', ...r.byTool.slice(0, args.limit).map((x) => figuresLine(x.tool, x))]
            : []),
          ...(r.byDay.length > 0
            ? [
                'by day:',
                ...r.byDay
                  .slice(-args.limit)
                  .map(
                    (d) =>
                      `  ${d.day}: ${n(d.calls)} calls, ${n(d.tokensSent)} sent, ${n(d.tokensSaved)} saved`,
                  ),
              ]
            : []),
        ].join('\n');
    }
  },
});
