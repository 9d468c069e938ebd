import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { languageOf } from '../../engine/languages/index.ts';
import { compileGlob } from '../../engine/search/compile-glob.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { bm25Of } from './bm25-of.ts';

/** How long one call may spend (re)indexing before it answers from what is indexed. */
const UPDATE_BUDGET_MS = 15_000;
const SNIPPET_LINES = 5;

async function snippet(root: string, path: string, from: number, to: number): Promise<string> {
  const text = await readFile(`${root}/${path}`, 'utf8').catch(() => '');
  return text
    .split('\n')
    .slice(from - 1, Math.min(to, from - 1 + SNIPPET_LINES))
    .map((l, i) => `${String(from + i).padStart(4)}| ${l}`)
    .join('\n');
}

export const ctxSemanticSearch = defineTool({
  name: 'ctx_semantic_search',
  description:
    'Ranked search by meaning-bearing words over functions, classes and other definitions (BM25). Use when you know what code does, not its exact text.',
  scope: 'search',
  scopesFor: (args) => [
    'search',
    ...(args.action === 'reindex' ? ['index' as const] : []),
    ...(args.artifacts ? ['artifacts' as const] : []),
  ],
  // reindex rebuilds the index from scratch
  readOnly: (args) => args.action === 'search',
  input: z.object({
    query: z
      .string()
      .max(INPUT_LIMITS.taskChars)
      .default('')
      .describe('Words, e.g. "parse url query string"'),
    path: z.string().default('.'),
    top_k: z.number().int().min(1).max(50).default(10),
    action: z.enum(['search', 'reindex']).default('search'),
    mode: z
      .enum(['bm25', 'dense', 'hybrid'])
      .default('bm25')
      .describe('bm25; dense and hybrid need an embedding model, which is not configured'),
    languages: z
      .array(z.string().max(INPUT_LIMITS.nameChars))
      .max(INPUT_LIMITS.listItems)
      .optional()
      .describe('e.g. ["python","go"]'),
    path_glob: z.string().max(INPUT_LIMITS.globChars).optional().describe('e.g. "src/**/*.ts"'),
    artifacts: z.boolean().default(false).describe('Also search registered artifacts'),
  }),
  async run(args, ctx) {
    if (args.artifacts) {
      throw new ToolError('artifact search is not available in this workspace yet; call without artifacts');
    }
    const { rel } = ctx.workspace.jail.resolve(args.path);
    const info = await stat(`${ctx.workspace.root}/${rel}`).catch(() => undefined);
    if (!info) throw new ToolError(`no such path: "${args.path}"; ctx_tree lists what exists`);
    const target = rel === '.' ? '' : rel;
    const prefix = info.isFile() ? target.slice(0, Math.max(0, target.lastIndexOf('/'))) : target;
    const index = bm25Of(ctx.workspace);
    if (args.action === 'reindex') index.clear(prefix);
    const started = performance.now();
    const report = await index.update(prefix, UPDATE_BUDGET_MS);
    const coverage =
      report.pending > 0
        ? `[index incomplete: ${report.indexed} files indexed, ${report.pending} still indexing in the background; call again for full coverage]`
        : '';
    if (args.action === 'reindex') {
      const ms = Math.round(performance.now() - started);
      return [
        `Reindexed ${report.parsed} files under ${target || '.'} in ${ms} ms (${report.indexed} indexed).`,
        coverage,
      ]
        .filter(Boolean)
        .join('\n');
    }
    if (args.query.trim() === '') throw new ToolError('query is required to search (or action=reindex)');
    const langs = args.languages?.map((l) => l.toLowerCase());
    const glob = args.path_glob ? compileGlob(args.path_glob) : undefined;
    const accept = (path: string) =>
      (!info.isFile() || path === target) &&
      (!langs || langs.includes(languageOf(path) ?? '')) &&
      (!glob || glob(path));
    const ranked = await index.search(args.query, { prefix, topK: args.top_k, accept, signal: ctx.signal });
    const lines: string[] = [];
    if (args.mode !== 'bm25') {
      lines.push(`[mode=${args.mode}: no embedding model is configured, so results are ranked by BM25 only]`);
    }
    if (coverage) lines.push(coverage);
    if (ranked.length === 0) {
      lines.push(`0 results for ${JSON.stringify(args.query)} in ${report.indexed} files`);
      return lines.join('\n');
    }
    for (const [i, { chunk, score }] of ranked.entries()) {
      lines.push(`--- Result ${i + 1} (score: ${score.toFixed(2)}) ---`);
      lines.push(`${chunk.path} :: ${chunk.symbol} [${chunk.kind}] (L${chunk.startLine}-${chunk.endLine})`);
      lines.push(await snippet(ctx.workspace.root, chunk.path, chunk.startLine, chunk.endLine));
    }
    return lines.join('\n');
  },
});
