import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { rankFilesForTask } from '../../engine/bm25/rank-files.ts';
import { outlineFile } from '../../engine/languages/index.ts';
import { countTokens, countTokensAsync } from '../../engine/tokens.ts';
import { walkFiles } from '../../engine/walker.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { bm25Of } from './bm25-of.ts';

const INDEX_BUDGET_MS = 8_000;
const MAX_FILES = 5;
const SIGNATURES_PER_FILE = 3;

export const ctxPreload = defineTool({
  name: 'ctx_preload',
  description:
    'Digest for a task: the few most relevant files with their imports and matching signatures, to decide what to read.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    task: z.string().max(INPUT_LIMITS.taskChars).describe('What you are about to do'),
    path: z.string().default('.'),
  }),
  async run(args, ctx) {
    if (args.task.trim() === '') throw new ToolError('task is required, e.g. "add retry to the http client"');
    const { rel } = ctx.workspace.jail.resolve(args.path);
    const start = rel === '.' ? '' : rel;
    const { files } = await walkFiles(ctx.workspace.root, start, {
      signal: ctx.signal,
      exclude: ctx.workspace.jail.excluded,
    });
    const index = bm25Of(ctx.workspace);
    const report = await index.update(start, INDEX_BUDGET_MS);
    const ranked = await rankFilesForTask(index, files, args.task, {
      prefix: start,
      limit: MAX_FILES,
      signal: ctx.signal,
    });
    const lines = [`[task: ${args.task}]`];
    if (ranked.length === 0) lines.push('no file matches the task words; try other words or ctx_search');
    let fullTokens = 0;
    for (const file of ranked) {
      const text = await readFile(`${ctx.workspace.root}/${file.path}`, 'utf8').catch(() => '');
      fullTokens += await countTokensAsync(text, ctx.signal);
      const outline = await outlineFile(file.path, text, ctx.signal);
      // Best-ranked definitions first, in the order BM25 ranked their chunks.
      const sigs = file.chunks
        .map((c) => outline.symbols.find((s) => s.startLine === c.startLine && c.kind !== 'module'))
        .filter((s) => s !== undefined)
        .slice(0, SIGNATURES_PER_FILE)
        .map(
          (s) =>
            `  L${s.startLine} ${s.signature.length > 160 ? `${s.signature.slice(0, 160)}…` : s.signature}`,
        );
      const imports = outline.imports.slice(0, 6);
      lines.push(`${file.path}${imports.length ? ` (imports: ${imports.join(', ')})` : ''}`, ...sigs);
    }
    if (report.pending > 0) lines.push(`[index incomplete: ${report.pending} files still indexing]`);
    const body = lines.join('\n');
    return `${body}\n[digest ${countTokens(body)} tok for files totalling ${fullTokens} tok; ctx_read what you need]`;
  },
});
