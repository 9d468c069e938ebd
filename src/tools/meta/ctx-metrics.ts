import { z } from 'zod';
import { searchEngineOf } from '../../engine/search/search-engine.ts';
import { formatBudgetStatus } from '../../governance/budget-status.ts';
import { defineTool } from '../define-tool.ts';

const pct = (saved: number, sent: number) =>
  saved + sent > 0 ? Math.round((saved / (saved + sent)) * 100) : 0;

export const ctxMetrics = defineTool({
  name: 'ctx_metrics',
  description:
    'Token usage so far: calls, tokens sent and saved, per tool; for this context (default), this agent, or the workspace.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    scope: z.enum(['context', 'agent', 'workspace']).default('context'),
    since: z.string().datetime().optional().describe('ISO time; default all'),
  }),
  async run(args, ctx) {
    const filter = {
      workspaceId: ctx.workspace.id,
      ...(args.scope !== 'workspace' ? { agentId: ctx.agentId } : {}),
      ...(args.scope === 'context' && ctx.contextId !== undefined ? { contextId: ctx.contextId } : {}),
      ...(args.since ? { sinceTs: args.since } : {}),
    };
    const who =
      args.scope === 'workspace'
        ? `workspace ${ctx.workspace.id}`
        : args.scope === 'context' && ctx.contextId !== undefined
          ? `context ${ctx.contextId}`
          : `agent ${ctx.agentId}${args.scope === 'context' ? ' (no context id: all its contexts)' : ''}`;
    const s = await ctx.store.usage.summary(filter);
    const lines = [
      `${who}: ${s.calls} calls, ${s.tokensSent} tok sent, ${s.tokensSaved} tok saved (${pct(s.tokensSaved, s.tokensSent)}%)`,
    ];
    const tools = [...s.byTool].sort((a, b) => b.calls - a.calls || (a.tool < b.tool ? -1 : 1));
    for (const t of tools) {
      const errors = t.errors > 0 ? `, ${t.errors} errors` : '';
      lines.push(`  ${t.tool}: ${t.calls} calls, ${t.tokensSent} sent, ${t.tokensSaved} saved${errors}`);
    }
    const idx = searchEngineOf(ctx.workspace).indexStats();
    if (idx.files > 0) {
      lines.push(
        `search index: ${idx.files} files, ${(idx.cachedChars / 1e6).toFixed(1)}M chars cached, ${idx.watching ? `${idx.watchedDirs} dirs watched` : 'not watching (stale answers avoided by re-scanning)'}`,
      );
    }
    // the caller's own budget, when it has one: where it stands and when it resets
    const budget = await ctx.budget?.();
    if (budget && budget.uses.length > 0) lines.push(formatBudgetStatus(budget));
    return lines.join('\n');
  },
});
