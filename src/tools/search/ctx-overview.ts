import { z } from 'zod';
import { rankFilesForTask } from '../../engine/bm25/rank-files.ts';
import { languageOf } from '../../engine/languages/index.ts';
import { walkFiles } from '../../engine/walker.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { bm25Of } from './bm25-of.ts';

const INDEX_BUDGET_MS = 8_000;
const MAX_DIRS = 25;
const MAX_FILES = 12;
const ENTRY_NAMES =
  /(^|\/)(README\.md|package\.json|go\.mod|Cargo\.toml|pyproject\.toml|setup\.py|pom\.xml|main\.\w+|index\.\w+|app\.\w+)$/i;

function countBy<T>(items: readonly T[], key: (t: T) => string | undefined): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** The directory two levels below `start` that holds `file`. */
function dirOf(file: string, start: string): string | undefined {
  const parts = (start === '' ? file : file.slice(start.length + 1)).split('/');
  if (parts.length === 1) return undefined;
  return `${start === '' ? '' : `${start}/`}${parts.slice(0, Math.min(2, parts.length - 1)).join('/')}/`;
}

export const ctxOverview = defineTool({
  name: 'ctx_overview',
  description:
    'Project map: languages, main directories, entry files; with a task, the files and definitions most relevant to it.',
  scope: 'search',
  core: true,
  readOnly: true,
  input: z.object({
    task: z.string().max(INPUT_LIMITS.taskChars).optional().describe('What you are about to do'),
    path: z.string().default('.'),
  }),
  async run(args, ctx) {
    const { rel } = ctx.workspace.jail.resolve(args.path);
    const start = rel === '.' ? '' : rel;
    const { files } = await walkFiles(ctx.workspace.root, start, {
      signal: ctx.signal,
      exclude: ctx.workspace.jail.excluded,
    });
    if (files.length === 0) throw new ToolError(`no files under "${args.path}"; ctx_tree lists what exists`);
    const langs = countBy(files, (f) => languageOf(f));
    const dirs = countBy(files, (f) => dirOf(f, start));
    const lines = [
      `${start || '.'}: ${files.length} files${
        langs.length
          ? ` — ${langs
              .slice(0, 8)
              .map(([l, n]) => `${l} ${n}`)
              .join(', ')}`
          : ''
      }`,
      `dirs: ${dirs
        .slice(0, MAX_DIRS)
        .map(([d, n]) => `${d} (${n})`)
        .join(', ')}${dirs.length > MAX_DIRS ? `, +${dirs.length - MAX_DIRS} more (ctx_tree)` : ''}`,
    ];
    const entries = files
      .filter((f) => ENTRY_NAMES.test(f))
      .sort((a, b) => a.split('/').length - b.split('/').length);
    if (entries.length > 0) lines.push(`entry files: ${entries.slice(0, 8).join(', ')}`);
    if (args.task?.trim()) {
      const index = bm25Of(ctx.workspace);
      const report = await index.update(start, INDEX_BUDGET_MS);
      const ranked = await rankFilesForTask(index, files, args.task, {
        prefix: start,
        limit: MAX_FILES,
        signal: ctx.signal,
      });
      lines.push(`relevant to ${JSON.stringify(args.task)}:`);
      if (ranked.length === 0)
        lines.push('  (no file matches the task words; try other words or ctx_search)');
      for (const f of ranked) {
        const symbols = f.chunks
          .filter((c) => c.kind !== 'module')
          .slice(0, 4)
          .map((c) => `${c.symbol} L${c.startLine}`);
        lines.push(`  ${f.path}${symbols.length ? ` — ${symbols.join(', ')}` : ''}`);
      }
      if (report.pending > 0) {
        lines.push(`[index incomplete: ${report.pending} files still indexing; ask again for full coverage]`);
      }
    }
    return lines.join('\n');
  },
});
