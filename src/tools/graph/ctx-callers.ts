import { z } from 'zod';
import { callersOf } from '../../engine/graph/query-graph.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { formatDefinitions, formatEdges } from './format-edges.ts';
import { currentGraph, formatProgress, requireDefinitions, tokensOfFiles } from './graph-of.ts';

export const graphSymbolInput = z.object({
  symbol: z.string().min(1).max(INPUT_LIMITS.nameChars).describe('A name, or Class.method'),
  file: z.string().max(INPUT_LIMITS.globChars).optional().describe('Only the definition in this file'),
});

export const ctxCallers = defineTool({
  name: 'ctx_callers',
  description:
    'Who calls a function or method: `file:line → calling symbol` from the code graph, resolved through imports.',
  scope: 'graph',
  readOnly: true,
  input: graphSymbolInput,
  async run(args, ctx) {
    const { graph, progress } = await currentGraph(ctx);
    const file = args.file === undefined ? undefined : ctx.workspace.jail.resolve(args.file).rel;
    const defs = requireDefinitions(graph, progress, args.symbol, file);
    const edges = callersOf(graph.store, defs);
    const body = [
      `${edges.length} caller(s) of '${args.symbol}' (defined ${formatDefinitions(defs)}):`,
      ...formatEdges(edges, 'caller'),
      formatProgress(progress),
    ].join('\n');
    return withSavingsFooter(
      body,
      tokensOfFiles(
        graph,
        edges.map((e) => e.path),
      ),
    );
  },
});
