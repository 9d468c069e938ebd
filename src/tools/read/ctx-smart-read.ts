import { z } from 'zod';
import { readForContext } from '../../engine/read/read-file.ts';
import { defineTool } from '../define-tool.ts';

export const ctxSmartRead = defineTool({
  name: 'ctx_smart_read',
  description:
    'Read a file in the mode that suits it: whole when small, signatures or map when large. The header names the mode chosen: `[auto:<mode>]`.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    path: z.string().describe('Path relative to the workspace root'),
    fresh: z.boolean().optional(),
  }),
  run: (args, ctx) => readForContext(ctx, { path: args.path, mode: 'auto', fresh: args.fresh }),
});
