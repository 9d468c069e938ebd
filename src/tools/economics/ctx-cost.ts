import { z } from 'zod';
import { ToolError } from '../../errors.ts';
import { type CostReport, costReport } from '../../reports/economics.ts';
import { defineTool } from '../define-tool.ts';
import { n, pricingOf, scopeOf, usdText } from './economics-context.ts';

const COST_ACTIONS = ['report', 'agent', 'tools', 'json', 'reset', 'status'] as const;
/** `agent_id` for a reset of every agent of the workspace (needs the `audit` scope). */
const ALL_AGENTS = '*';

const row = (name: string, r: Omit<CostReport['byTool'][number], 'tool'>) =>
  `  ${name}: ${n(r.calls)} calls, ${n(r.tokensSent)} tok sent = ${usdText(r.sentUsd)}, ${n(r.tokensSaved)} saved = ${usdText(r.savedUsd)}`;

function statusLine(r: CostReport, who: string): string {
  const t = r.totals;
  const since = r.resets.length > 0 ? `since reset ${r.resets.map((x) => x.resetAt).sort()[0]}` : 'all time';
  return `cost of ${who} (${since}): ${n(t.tokensSent)} tok sent = ${usdText(t.sentUsd)} at ${r.model} ($${r.usdPerMillionTokens}/M input tokens); savings kept ${usdText(t.savedUsd)} off the bill (${usdText(t.withoutSavingsUsd)} without them)`;
}

function llmLine(r: CostReport): string[] {
  const l = r.llm;
  if (l.entries === 0) return ['LLM: no round trips reported; ctx_feedback action=record adds them'];
  return [
    `LLM (${n(l.entries)} round trips reported): ${n(l.inputTokens)} in / ${n(l.outputTokens)} out tok, ${n(l.avgLatencyMs)} ms avg; input ${usdText(l.inputUsd)}, ${usdText(l.inputUsdWithoutSavings)} without the savings (${l.savedShareOfInput}% less)`,
  ];
}

export const ctxCost = defineTool({
  name: 'ctx_cost',
  description:
    "What this workspace's tool answers cost as model input and what their savings kept off the bill, per agent and tool; reset starts your own count afresh.",
  scope: 'search',
  readOnly: (args) => args.action !== 'reset',
  input: z.object({
    action: z.enum(COST_ACTIONS).default('report'),
    agent_id: z
      .string()
      .max(64)
      .optional()
      .describe(
        `agent (token id) for agent and reset; default you; "${ALL_AGENTS}" resets every agent (audit scope)`,
      ),
    limit: z.number().int().min(1).max(100).default(10),
  }),
  async run(args, ctx) {
    const pricing = await pricingOf(ctx, undefined);
    if (args.action === 'reset') {
      const target = args.agent_id ?? ctx.agentId;
      if (target !== ctx.agentId && !ctx.scopes.has('audit')) {
        throw new ToolError(
          `resetting ${target === ALL_AGENTS ? 'every agent' : `agent "${target}"`} needs the audit scope; without it, reset your own count (omit agent_id)`,
        );
      }
      const at = new Date().toISOString();
      const agentId = target === ALL_AGENTS ? undefined : target;
      await ctx.store.usage.resetCost({ workspaceId: ctx.workspace.id, agentId, by: ctx.agentId, at });
      return `cost counts of ${agentId === undefined ? 'every agent' : `agent ${agentId}`} in workspace ${ctx.workspace.id} start afresh at ${at}; usage rows, reports over a week or month, and the audit log are kept`;
    }
    const agentId = args.action === 'agent' ? (args.agent_id ?? ctx.agentId) : undefined;
    const r = await costReport(
      ctx.store,
      {
        workspaceIds: scopeOf(ctx),
        period: 'all',
        nowMs: Date.now(),
        ...(agentId !== undefined ? { agentId } : {}),
      },
      pricing,
    );
    const who = agentId !== undefined ? `agent ${agentId}` : `workspace ${ctx.workspace.id}`;
    switch (args.action) {
      case 'json':
        return JSON.stringify(r);
      case 'status':
        return statusLine(r, who);
      case 'tools':
        return [
          statusLine(r, who),
          'by tool:',
          ...r.byTool.slice(0, args.limit).map((t) => row(t.tool, t)),
        ].join('\n');
      default:
        return [
          statusLine(r, who),
          ...(agentId === undefined && r.byAgent.length > 0
            ? ['by agent:', ...r.byAgent.slice(0, args.limit).map((a) => row(a.agentId, a))]
            : []),
          ...(r.byTool.length > 0
            ? ['by tool:', ...r.byTool.slice(0, args.limit).map((t) => row(t.tool, t))]
            : []),
          ...llmLine(r),
        ].join('\n');
    }
  },
});
