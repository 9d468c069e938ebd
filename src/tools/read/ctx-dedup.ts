import { z } from 'zod';
import { DUPLICATE_WINDOW, findDuplicates } from '../../engine/dedup/find-duplicates.ts';
import { sharedBlocksOf } from '../../engine/dedup/shared-blocks.ts';
import { contextScope } from '../../engine/read/cache.ts';
import { countTokens } from '../../engine/tokens.ts';
import { walkFiles } from '../../engine/walker.ts';
import { defineTool } from '../define-tool.ts';

const MAX_FILES = 5000;
const MAX_REPORTED = 30;

export const ctxDedup = defineTool({
  name: 'ctx_dedup',
  description: `Find duplicate code blocks (${DUPLICATE_WINDOW}+ identical non-blank lines) repeated across files, and the most repeated imports. action=apply registers them as shared blocks: later compressed reads (aggressive, entropy) in this context send each block once, then a one-line reference.`,
  scope: 'search',
  // apply changes what later reads in this context send
  readOnly: (args) => args.action === 'analyze',
  input: z.object({
    path: z.string().default('.').describe('Directory to scan'),
    action: z.enum(['analyze', 'apply']).default('analyze'),
  }),
  async run(args, ctx) {
    const { rel: start } = ctx.workspace.jail.resolve(args.path);
    const { files } = await walkFiles(ctx.workspace.root, start === '.' ? '' : start, {
      signal: ctx.signal,
      exclude: ctx.workspace.jail.excluded,
    });
    const report = await findDuplicates(ctx.workspace.root, files.slice(0, MAX_FILES), ctx.signal);
    const { groups } = report;
    const out = [
      `${report.scanned} files scanned, ${groups.length} groups of files share blocks of ${DUPLICATE_WINDOW}+ lines`,
    ];
    if (args.action === 'apply') {
      const scope = contextScope(ctx.agentId, ctx.contextId);
      if (scope === undefined) {
        out.push(
          'not applied: shared blocks belong to a context; call again with an MCP session or a contextId',
        );
        return out.join('\n');
      }
      const blocks = sharedBlocksOf(ctx.workspace).register(
        scope,
        groups.flatMap((g) => g.blocks),
      );
      out.push(
        `${blocks.length} shared blocks registered for this context: compressed reads send each once, then "[shared block Bn: …]" with its ctx_expand id`,
      );
      for (const b of blocks.slice(0, MAX_REPORTED)) {
        out.push(
          `${b.id}: ${b.lines.length} lines, ~${countTokens(b.lines.join('\n'))} tok, ctx_expand id="${b.archiveId}"`,
        );
      }
      if (blocks.length > MAX_REPORTED) out.push(`… ${blocks.length - MAX_REPORTED} more`);
      return out.join('\n');
    }
    for (const g of groups.slice(0, MAX_REPORTED)) {
      const tokens = countTokens(g.blocks[0]?.slice(0, DUPLICATE_WINDOW).join('\n') ?? '');
      out.push(
        `${g.places.map((p) => `${p.rel}:${p.line}`).join(' ↔ ')} (${g.windows + DUPLICATE_WINDOW - 1}+ lines, ~${tokens * g.places.length} tok)`,
      );
    }
    if (groups.length > MAX_REPORTED)
      out.push(`… ${groups.length - MAX_REPORTED} more groups (narrow with path)`);
    const topImports = [...report.imports.entries()]
      .filter(([, n]) => n > 1)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10);
    if (topImports.length > 0) {
      out.push('most repeated imports:');
      for (const [line, n] of topImports) out.push(`  ${n}× ${line}`);
    }
    return out.join('\n');
  },
});
