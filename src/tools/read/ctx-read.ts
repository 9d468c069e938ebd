import { z } from 'zod';
import { readForContext } from '../../engine/read/read-file.ts';
import { defineTool } from '../define-tool.ts';

export const ctxRead = defineTool({
  name: 'ctx_read',
  description:
    'Read a file. mode: auto (default)|full|map|signatures|diff|aggressive|entropy|task|reference|lines:5,10-20. A re-read in the same session may answer "unchanged"; fresh=true re-sends.',
  scope: 'search',
  core: true,
  readOnly: true,
  input: z.object({
    path: z.string(),
    mode: z.string().optional(),
    start_line: z.number().int().min(1).optional(),
    fresh: z.boolean().optional(),
    task: z.string().optional(),
  }),
  run: (args, ctx) =>
    readForContext(ctx, {
      path: args.path,
      mode: args.mode,
      fresh: args.fresh,
      startLine: args.start_line,
      task: args.task,
    }),
});
