import { z } from 'zod';
import { readForContext } from '../../engine/read/read-file.ts';
import { type Savings, sumSavings } from '../../engine/savings.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

const MAX_FILES = 50;

export const ctxMultiRead = defineTool({
  name: 'ctx_multi_read',
  description: 'Read several files in one call, same modes as ctx_read; fresh=true re-sends all.',
  scope: 'search',
  core: true,
  readOnly: true,
  input: z.object({
    paths: z.array(z.string()).min(1).max(MAX_FILES),
    mode: z.string().optional(),
    fresh: z.boolean().optional(),
  }),
  async run(args, ctx) {
    const parts: string[] = [];
    const reads: Savings[] = [];
    let failed = 0;
    for (const [i, path] of args.paths.entries()) {
      try {
        const r = await readForContext(ctx, { path, mode: args.mode, fresh: args.fresh, ref: i + 1 });
        parts.push(r.text);
        reads.push(r);
      } catch (err) {
        if (!(err instanceof ToolError)) throw err;
        failed++;
        parts.push(`ERROR ${path}: ${err.message}`);
      }
    }
    const errors = failed > 0 ? `, ${failed} failed` : '';
    const saved = sumSavings(reads);
    const text = `${parts.join('\n---\n')}\n---\nRead ${args.paths.length - failed} files${errors} | ${saved.tokensSaved} tokens saved`;
    return { text, ...saved };
  },
});
