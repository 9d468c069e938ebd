import { z } from 'zod';
import { readForContext } from '../../engine/read/read-file.ts';
import { defineTool } from '../define-tool.ts';

export const ctxSmartRead = defineTool({
  name: 'ctx_smart_read',
  description:
    'Read a file in the mode that suits it: whole when small, signatures or map when large. The answer names the mode chosen.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    path: z.string().describe('Path relative to the workspace root'),
    fresh: z.boolean().optional(),
  }),
  async run(args, ctx) {
    const r = await readForContext(ctx, { path: args.path, mode: 'auto', fresh: args.fresh });
    return `[auto:${r.mode}] ${r.text}`;
  },
});
