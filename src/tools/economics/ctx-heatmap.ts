import { z } from 'zod';
import { walkFiles } from '../../engine/walker.ts';
import { ToolError } from '../../errors.ts';
import { HEATMAP_MAX_FILES, type HeatRow, heatmap, PERIODS, sinceTsOf } from '../../reports/economics.ts';
import { defineTool } from '../define-tool.ts';
import { n, PERIOD_WORDS, scopeOf } from './economics-context.ts';

const HEATMAP_ACTIONS = ['status', 'directory', 'dirs', 'cold', 'json'] as const;

const line = (r: HeatRow) =>
  `  ${r.path}: ${n(r.reads)} reads, ${n(r.tokensSent)} tok sent of ${n(r.tokensRaw)} raw`;

export const ctxHeatmap = defineTool({
  name: 'ctx_heatmap',
  description:
    'Which files and directories of this workspace agents read most (reads, tokens sent vs raw); `cold` lists files nobody has read.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    action: z.enum(HEATMAP_ACTIONS).default('status'),
    path: z.string().max(200).optional().describe('directory for directory and cold; default the root'),
    period: z.enum(PERIODS).default('all'),
    limit: z.number().int().min(1).max(500).default(20),
  }),
  async run(args, ctx) {
    const sinceTs = sinceTsOf(args.period, Date.now());
    const when = PERIOD_WORDS[args.period];
    const start = () => {
      if (args.path === undefined) return '';
      const { rel } = ctx.workspace.jail.resolve(args.path);
      return rel === '.' ? '' : rel;
    };
    const hot = (limit: number, under = '') =>
      heatmap(ctx.store, { workspaceIds: scopeOf(ctx), sinceTs, limit, ...(under ? { under } : {}) });
    switch (args.action) {
      case 'json':
        return JSON.stringify(await hot(args.limit));
      case 'dirs': {
        const { dirs } = await hot(args.limit);
        if (dirs.length === 0) return `no reads below the root in ${when}`;
        return [`most-read directories, ${when}:`, ...dirs.map(line)].join('\n');
      }
      case 'directory': {
        const dir = start();
        const { files } = await hot(args.limit, dir);
        if (files.length === 0) return `no file under ${dir || '.'} was read in ${when}`;
        return [`most-read files under ${dir || '.'}, ${when}:`, ...files.map(line)].join('\n');
      }
      case 'cold': {
        const dir = start();
        const { files } = await walkFiles(ctx.workspace.root, dir, {
          signal: ctx.signal,
          exclude: ctx.workspace.jail.excluded,
        });
        if (files.length === 0)
          throw new ToolError(`no files under "${args.path ?? '.'}"; ctx_tree lists what exists`);
        const read = new Set((await hot(HEATMAP_MAX_FILES, dir)).files.map((f) => f.path));
        const cold = files.filter((f) => !read.has(f));
        return [
          `${n(cold.length)} of ${n(files.length)} files under ${dir || '.'} never read in ${when}${cold.length > args.limit ? ` (first ${args.limit})` : ''}:`,
          ...cold.slice(0, args.limit).map((f) => `  ${f}`),
        ].join('\n');
      }
      default: {
        const { files } = await hot(args.limit);
        if (files.length === 0) return `no file reads recorded in ${when}`;
        return [`most-read files, ${when}:`, ...files.map(line)].join('\n');
      }
    }
  },
});
