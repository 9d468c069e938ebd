import { z } from 'zod';
import { sharedBlocksOf } from '../../engine/dedup/shared-blocks.ts';
import { contextScope, readCacheOf } from '../../engine/read/cache.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

export const ctxCache = defineTool({
  name: 'ctx_cache',
  description:
    'The read cache: status, clear (this session forgets what it read, so the next reads send full content), or invalidate one path for every session.',
  scope: 'search',
  readOnly: (args) => args.action === 'status',
  input: z.object({
    action: z.enum(['status', 'clear', 'invalidate']),
    path: z.string().optional().describe('For invalidate'),
  }),
  async run(args, ctx) {
    const cache = readCacheOf(ctx.workspace);
    const scope = contextScope(ctx.agentId, ctx.contextId);
    if (args.action === 'status') {
      const s = cache.status();
      const mine = scope === undefined ? 0 : cache.entries(scope).length;
      return `read cache: ${s.contexts} sessions, ${s.files} file records, ${s.chars} chars held (limits: ${s.limits.maxContexts} sessions, ${s.limits.maxFilesPerContext} files each, ${s.limits.maxChars} chars); this session: ${mine} files`;
    }
    if (args.action === 'clear') {
      if (scope === undefined) return 'No session: nothing cached for this caller.';
      sharedBlocksOf(ctx.workspace).forgetReceived(scope);
      return `cleared: this session forgot ${cache.forget(scope)} files; next reads send full content`;
    }
    if (!args.path)
      throw new ToolError('invalidate needs path, e.g. {"action":"invalidate","path":"src/a.ts"}');
    const { rel } = ctx.workspace.jail.resolve(args.path);
    return `invalidated ${rel}: ${cache.invalidate(rel)} session records dropped`;
  },
});
