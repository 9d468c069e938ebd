import { z } from 'zod';
import { readForContext } from '../../engine/read/read-file.ts';
import { defineTool } from '../define-tool.ts';

export const ctxRead = defineTool({
  name: 'ctx_read',
  description:
    'Read a file compactly. mode: auto (default), full, map, signatures, diff, aggressive, entropy, task, reference, lines:N-M (e.g. lines:5,10-20). Re-reads in this session may answer "unchanged"; fresh=true re-sends.',
  scope: 'search',
  core: true,
  readOnly: true,
  input: z.object({
    path: z.string().describe('Path relative to the workspace root'),
    mode: z.string().optional(),
    start_line: z.number().int().min(1).optional().describe('Lines from here to the end'),
    fresh: z.boolean().optional(),
    task: z.string().optional().describe('For mode task'),
  }),
  async run(args, ctx) {
    const r = await readForContext(ctx, {
      path: args.path,
      mode: args.mode,
      fresh: args.fresh,
      startLine: args.start_line,
      task: args.task,
    });
    return r.text;
  },
});
