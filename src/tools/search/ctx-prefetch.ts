import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { rankFilesForTask } from '../../engine/bm25/rank-files.ts';
import { searchEngineOf } from '../../engine/search/search-engine.ts';
import { countTokens } from '../../engine/tokens.ts';
import { walkFiles } from '../../engine/walker.ts';
import { ToolError } from '../../errors.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { bm25Of } from './bm25-of.ts';

const INDEX_BUDGET_MS = 8_000;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Files whose import-like lines name one of the changed files (by base name). */
async function dependents(ctx: ToolContext, changed: string[], start: string): Promise<string[]> {
  const names = [...new Set(changed.map((f) => f.slice(f.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '')))];
  if (names.length === 0) return [];
  const pattern = `(import|from|require|include|use)\\b.*\\b(${names.map(escapeRegex).join('|')})\\b`;
  const out = await searchEngineOf(ctx.workspace).search({
    pattern,
    path: start,
    exts: [],
    ignoreGitignore: false,
    maxHits: 2000,
    signal: ctx.signal,
  });
  return [...new Set(out.hits.map((h) => h.path))];
}

export const ctxPrefetch = defineTool({
  name: 'ctx_prefetch',
  description:
    'Warm the indexes for the files a change touches (changed files, their importers, task matches) within a token budget; lists them.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    path: z.string().default('.'),
    task: z.string().optional(),
    changed_files: z.array(z.string()).default([]),
    budget_tokens: z.number().int().min(100).max(200_000).default(3000),
    max_files: z.number().int().min(1).max(100).default(10),
  }),
  async run(args, ctx) {
    if (!args.task?.trim() && args.changed_files.length === 0) {
      throw new ToolError('give changed_files, a task, or both');
    }
    const { rel } = ctx.workspace.jail.resolve(args.path);
    const start = rel === '.' ? '' : rel;
    const changed = args.changed_files.map((f) => ctx.workspace.jail.resolve(f).rel);
    const candidates = [...changed, ...(await dependents(ctx, changed, start))];
    if (args.task?.trim()) {
      const { files } = await walkFiles(ctx.workspace.root, start, {
        signal: ctx.signal,
        exclude: ctx.workspace.jail.excluded,
      });
      const index = bm25Of(ctx.workspace);
      await index.update(start, INDEX_BUDGET_MS);
      candidates.push(
        ...rankFilesForTask(index, files, args.task, { prefix: start, limit: args.max_files }).map(
          (f) => f.path,
        ),
      );
    }
    searchEngineOf(ctx.workspace)
      .warm()
      .catch(() => {});
    const picked: string[] = [];
    const skipped: string[] = [];
    let used = 0;
    for (const path of [...new Set(candidates)]) {
      if (picked.length >= args.max_files) {
        skipped.push(path);
        continue;
      }
      const text = await readFile(`${ctx.workspace.root}/${path}`, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const tokens = countTokens(text);
      if (used + tokens > args.budget_tokens) {
        skipped.push(path);
        continue;
      }
      used += tokens;
      picked.push(`${path} (${tokens} tok)`);
    }
    const lines = [
      `Prefetched ${picked.length} files, ${used} of ${args.budget_tokens} budget tokens (BM25 index updated, search index warming; nothing sent to your context):`,
      ...picked.map((p) => `  ${p}`),
    ];
    if (skipped.length > 0)
      lines.push(
        `over budget or max_files: ${skipped.slice(0, 20).join(', ')}${skipped.length > 20 ? ` +${skipped.length - 20}` : ''}`,
      );
    return lines.join('\n');
  },
});
