import { z } from 'zod';
import { MAX_PATTERN_CHARS } from '../../engine/search/compile-pattern.ts';
import { formatHits } from '../../engine/search/format-hits.ts';
import { searchEngineOf } from '../../engine/search/search-engine.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';

/** Hits kept for ctx_expand past the ones shown; beyond this the reply says it stopped counting. */
const MAX_COLLECTED_HITS = 5000;

/** `ts`, `.ts`, `*.ts`, `ts,tsx` → ['ts', 'tsx']. */
export function parseExts(ext: string | undefined): string[] {
  if (ext === undefined || ext.trim() === '') return [];
  return ext.split(',').map((raw) => {
    const e = raw.trim().replace(/^\*?\./, '');
    if (!/^[A-Za-z0-9_+-]+(\.[A-Za-z0-9_+-]+)*$/.test(e)) {
      throw new ToolError(`bad ext "${raw.trim()}": give extensions like "ts" or "ts,tsx"`);
    }
    return e;
  });
}

export const ctxSearch = defineTool({
  name: 'ctx_search',
  description:
    'Regex search over files (.gitignore-aware, secret files skipped). Returns `path:line text`, sorted; extra hits via ctx_expand.',
  scope: 'search',
  core: true,
  readOnly: true,
  input: z.object({
    pattern: z
      .string()
      .max(MAX_PATTERN_CHARS)
      .describe('Regex (ripgrep/RE2 syntax; no lookaround or backreferences)'),
    path: z.string().default('.').describe('Directory or file'),
    ext: z.string().max(INPUT_LIMITS.globChars).optional().describe('e.g. "ts,tsx"'),
    max_results: z.number().int().min(1).max(500).default(20),
    ignore_gitignore: z.boolean().default(false),
  }),
  async run(args, ctx) {
    const { rel } = ctx.workspace.jail.resolve(args.path);
    const outcome = await searchEngineOf(ctx.workspace).search({
      pattern: args.pattern,
      path: rel === '.' ? '' : rel,
      exts: parseExts(args.ext),
      ignoreGitignore: args.ignore_gitignore,
      maxHits: MAX_COLLECTED_HITS,
      signal: ctx.signal,
    });
    return formatHits(ctx.workspace, outcome, {
      pattern: args.pattern,
      maxResults: args.max_results,
      tool: 'ctx_search',
    });
  },
});
