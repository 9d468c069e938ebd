import { z } from 'zod';
import { type ArchiveMeta, archiveOf } from '../../engine/archive.ts';
import { compileClientPattern, MAX_PATTERN_CHARS } from '../../engine/search/compile-pattern.ts';
import { matchLinesPaced } from '../../engine/search/match-lines.ts';
import { createPacer } from '../../engine/workers/pacer.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

/** Lines per page when a whole archive is asked for; the reply names the next page. */
const PAGE_LINES = 400;
const MAX_SEARCH_HITS = 200;

const numbered = (n: number, text: string) => `${String(n).padStart(6)}|${text}`;

function listing(metas: ArchiveMeta[]): string {
  if (metas.length === 0) return 'No archived outputs (they expire after 48 h).';
  const rows = metas
    .slice(0, 50)
    .map(
      (m) =>
        `${m.id} ${m.tool} ${JSON.stringify(m.label)} ${m.lines}L ${m.tokens === undefined ? `${m.chars} chars` : `${m.tokens} tok`} ${m.createdAt}`,
    );
  const more = metas.length > 50 ? `\n[${metas.length - 50} older not shown]` : '';
  return `${rows.join('\n')}${more}`;
}

export const ctxExpand = defineTool({
  name: 'ctx_expand',
  description:
    'Get the full text of a cut, archived output (the id in its "ctx_expand id=" note): a line range, matching lines, or action=list.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    id: z.string().max(64).optional().describe('Archive id from a cut reply'),
    action: z.enum(['retrieve', 'list']).default('retrieve'),
    start_line: z.number().int().min(1).optional(),
    end_line: z.number().int().min(1).optional(),
    search: z.string().max(MAX_PATTERN_CHARS).optional().describe('Regex (RE2 syntax): only matching lines'),
  }),
  async run(args, ctx) {
    const archive = archiveOf(ctx.workspace);
    if (args.action === 'list') return listing(await archive.list());
    if (!args.id) throw new ToolError('id is required to retrieve; action=list shows the ids');
    const found = await archive.get(args.id);
    if (!found) {
      throw new ToolError(
        `no archived output with id "${args.id}"; action=list shows what exists (kept 48 h)`,
      );
    }
    const lines = found.text.split('\n');
    const head = `[${found.meta.tool} ${JSON.stringify(found.meta.label)}: ${lines.length} lines]`;
    if (args.search !== undefined) {
      const pattern = await compileClientPattern(args.search, { signal: ctx.signal });
      const out: string[] = [];
      let total = 0;
      const onHit = (n: number, text: string) => {
        total++;
        if (out.length < MAX_SEARCH_HITS) out.push(numbered(n, text));
        return true;
      };
      await matchLinesPaced(found.text, pattern, onHit, createPacer(ctx.signal));
      const more =
        total > out.length
          ? `\n[${out.length} of ${total} matching lines; narrow search or use start_line]`
          : '';
      return `${head}\n${out.length === 0 ? `no lines match ${JSON.stringify(args.search)}` : out.join('\n')}${more}`;
    }
    const from = args.start_line ?? 1;
    if (from > lines.length)
      throw new ToolError(`start_line ${from} is past the end (${lines.length} lines)`);
    if (args.end_line !== undefined && args.end_line < from) {
      throw new ToolError(`end_line ${args.end_line} is before start_line ${from}`);
    }
    const to = Math.min(lines.length, args.end_line ?? from + PAGE_LINES - 1);
    const body = lines.slice(from - 1, to);
    const whole = from === 1 && to === lines.length;
    if (whole && args.start_line === undefined && args.end_line === undefined) return found.text;
    const next =
      to < lines.length && args.end_line === undefined
        ? `\n[lines ${from}-${to} of ${lines.length}; next: ctx_expand id="${args.id}" start_line=${to + 1}]`
        : '';
    return `${head}\n${body.map((t, i) => numbered(from + i, t)).join('\n')}${next}`;
  },
});
