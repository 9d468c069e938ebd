import { z } from 'zod';
import { readForContext } from '../../engine/read/read-file.ts';
import { type Savings, sumSavings } from '../../engine/savings.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

/** From most to least detail; a file steps down this ladder until the batch fits. */
const LADDER = ['full', 'signatures', 'map', 'reference'] as const;

export const ctxFill = defineTool({
  name: 'ctx_fill',
  description:
    'Read many files within a token budget: each file gets the most detailed mode (full, signatures, map, reference) that fits; task keeps matching lines.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    paths: z.array(z.string()).min(1).max(200),
    budget: z.number().int().min(50),
    task: z.string().optional(),
  }),
  async run(args, ctx) {
    // price every step without touching this context's cache: nothing is sent yet
    const quiet = { ...ctx, contextId: undefined };
    const costs: number[][] = [];
    const errors: string[] = [];
    const files: string[] = [];
    for (const path of args.paths) {
      const row: number[] = [];
      let firstError: ToolError | undefined;
      for (const mode of LADDER) {
        try {
          const r = await readForContext(quiet, {
            path,
            mode: mode === 'full' && args.task ? 'task' : mode,
            task: args.task,
          });
          row.push(r.sentTokens);
        } catch (err) {
          if (!(err instanceof ToolError)) throw err;
          firstError ??= err;
          // a file too big for full still has a map
          row.push(Number.POSITIVE_INFINITY);
        }
      }
      if (row.every((c) => c === Number.POSITIVE_INFINITY)) {
        errors.push(`ERROR ${path}: ${firstError?.message ?? 'unreadable'}`);
        continue;
      }
      costs.push(row);
      files.push(path);
    }
    const level = files.map(() => 0);
    const total = () => level.reduce((sum, l, i) => sum + (l < LADDER.length ? (costs[i]?.[l] ?? 0) : 0), 0);
    // start each file at its most detailed readable form
    level.forEach((_, i) => {
      while ((level[i] ?? 0) < LADDER.length - 1 && costs[i]?.[level[i] ?? 0] === Number.POSITIVE_INFINITY) {
        level[i] = (level[i] ?? 0) + 1;
      }
    });
    while (total() > args.budget) {
      // step down the file whose current form is the most expensive
      let worst = -1;
      let worstCost = -1;
      level.forEach((l, i) => {
        const c = l < LADDER.length ? (costs[i]?.[l] ?? 0) : -1;
        if (c > worstCost) {
          worst = i;
          worstCost = c;
        }
      });
      if (worst < 0) break;
      level[worst] = (level[worst] ?? 0) + 1;
    }
    const parts: string[] = [];
    const reads: Savings[] = [];
    let used = 0;
    let skipped = 0;
    for (const [i, path] of files.entries()) {
      const l = level[i] ?? LADDER.length;
      if (l >= LADDER.length) {
        skipped++;
        parts.push(`SKIPPED ${path}: does not fit the budget even as a reference line`);
        continue;
      }
      const mode = LADDER[l] === 'full' && args.task ? 'task' : LADDER[l];
      const r = await readForContext(ctx, { path, mode, task: args.task, ref: i + 1 });
      used += r.sentTokens;
      parts.push(r.text);
      reads.push(r);
    }
    parts.push(...errors);
    const saved = sumSavings(reads);
    const failed = errors.length ? `, ${errors.length} failed` : '';
    const text = `${parts.join('\n---\n')}\n---\nUsed: ${used}/${args.budget} tokens, ${files.length - skipped} files, ${skipped} skipped${failed} | ${saved.tokensSaved} tokens saved`;
    return { text, ...saved };
  },
});
