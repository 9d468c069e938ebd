import { z } from 'zod';
import { ToolError } from '../../errors.ts';
import { costReport } from '../../reports/economics.ts';
import { defineTool } from '../define-tool.ts';
import { n, pricingOf, scopeOf, usdText } from './economics-context.ts';

const FEEDBACK_ACTIONS = ['record', 'report', 'json', 'reset', 'status'] as const;
const MAX_TOKENS = 100_000_000;

export const ctxFeedback = defineTool({
  name: 'ctx_feedback',
  description:
    "Record an LLM round trip's real input/output tokens and latency, so the cost report shows what the savings did to the bill; report, status, reset yours.",
  scope: 'search',
  readOnly: (args) => args.action === 'report' || args.action === 'json' || args.action === 'status',
  input: z.object({
    action: z.enum(FEEDBACK_ACTIONS).default('record'),
    llm_input_tokens: z
      .number()
      .int()
      .min(0)
      .max(MAX_TOKENS)
      .optional()
      .describe('the request’s input tokens, as the LLM billed them'),
    llm_output_tokens: z.number().int().min(0).max(MAX_TOKENS).optional(),
    latency_ms: z.number().min(0).max(86_400_000).optional(),
    model: z.string().max(64).optional(),
    intent: z.string().max(200).optional().describe('the task, for ctx_gain action=tasks'),
    note: z.string().max(500).optional(),
  }),
  async run(args, ctx) {
    const mine = { workspaceId: ctx.workspace.id, agentId: ctx.agentId };
    if (args.action === 'record') {
      if (args.llm_input_tokens === undefined || args.llm_output_tokens === undefined) {
        const missing = args.llm_input_tokens === undefined ? 'llm_input_tokens' : 'llm_output_tokens';
        throw new ToolError(
          `record needs ${missing}: the token counts your LLM API reported for the round trip`,
        );
      }
      await ctx.store.usage.recordFeedback({
        ...mine,
        contextId: ctx.contextId,
        model: args.model,
        inputTokens: args.llm_input_tokens,
        outputTokens: args.llm_output_tokens,
        latencyMs: args.latency_ms,
        intent: args.intent,
        note: args.note,
      });
      return `recorded: ${n(args.llm_input_tokens)} in / ${n(args.llm_output_tokens)} out tok${args.latency_ms !== undefined ? `, ${n(args.latency_ms)} ms` : ''}${args.model ? `, ${args.model}` : ''}`;
    }
    if (args.action === 'reset') {
      const deleted = await ctx.store.usage.deleteFeedback(mine);
      return `deleted your ${n(deleted)} feedback entries in workspace ${ctx.workspace.id}; usage and audit are kept`;
    }
    const r = await costReport(
      ctx.store,
      { workspaceIds: scopeOf(ctx), period: 'all', nowMs: Date.now() },
      await pricingOf(ctx, undefined),
    );
    if (args.action === 'json') return JSON.stringify({ llm: r.llm, tools: r.totals, model: r.model });
    const l = r.llm;
    if (l.entries === 0)
      return 'no LLM round trips recorded yet; call ctx_feedback with llm_input_tokens and llm_output_tokens after each one';
    const head = `${n(l.entries)} LLM round trips: ${n(l.inputTokens)} in / ${n(l.outputTokens)} out tok, ${n(l.avgLatencyMs)} ms avg`;
    if (args.action === 'status') return head;
    const fb = await ctx.store.usage.feedbackSummary({ workspaceIds: scopeOf(ctx) });
    return [
      head,
      `input cost ${usdText(l.inputUsd)} at ${r.model}; without the ${n(r.totals.tokensSaved)} tok the tools saved it would have been ${n(l.inputTokensWithoutSavings)} tok = ${usdText(l.inputUsdWithoutSavings)} (${l.savedShareOfInput}% less)`,
      ...(fb.byModel.length > 1 || fb.byModel[0]?.model
        ? [
            'by model:',
            ...fb.byModel.map(
              (m) =>
                `  ${m.model || '(unnamed)'}: ${n(m.entries)} trips, ${n(m.inputTokens)} in / ${n(m.outputTokens)} out`,
            ),
          ]
        : []),
    ].join('\n');
  },
});
