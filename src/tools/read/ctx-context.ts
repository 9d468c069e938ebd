import { z } from 'zod';
import { contextScope, readCacheOf } from '../../engine/read/cache.ts';
import { defineTool } from '../define-tool.ts';

export const ctxContext = defineTool({
  name: 'ctx_context',
  description:
    'What this session has received: files with F-number, reads, last mode, and whether it holds the full text.',
  scope: 'search',
  readOnly: true,
  input: z.object({}),
  async run(_args, ctx) {
    const scope = contextScope(ctx.agentId, ctx.contextId);
    if (scope === undefined) {
      return 'No session: this caller sent no contextId, so every read returns full content and nothing is cached.';
    }
    const entries = readCacheOf(ctx.workspace)
      .entries(scope)
      .sort((a, b) => a[1].ref - b[1].ref);
    const lines = entries.map(
      ([rel, d]) =>
        `F${d.ref}=${rel} ${d.lines}L reads=${d.reads} last=${d.lastMode || '-'} ${d.fullHash ? `full text held (read #${d.fullAt})` : 'views only'}`,
    );
    const tokens = entries.reduce((s, [, d]) => s + (d.fullHash ? d.tokens : 0), 0);
    return [
      `session ${ctx.contextId}: ${entries.length} files seen, ~${tokens} tok of full text held`,
      ...lines,
    ].join('\n');
  },
});
