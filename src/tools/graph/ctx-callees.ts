import { calleesOf } from '../../engine/graph/query-graph.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { defineTool } from '../define-tool.ts';
import { graphSymbolInput } from './ctx-callers.ts';
import { formatDefinitions, formatEdges } from './format-edges.ts';
import { currentGraph, formatProgress, requireDefinitions, tokensOfFiles } from './graph-of.ts';

export const ctxCallees = defineTool({
  name: 'ctx_callees',
  description:
    'What a function or method calls: `file:line → callee (where it is defined)` from the code graph.',
  scope: 'graph',
  readOnly: true,
  input: graphSymbolInput,
  async run(args, ctx) {
    const { graph, progress } = await currentGraph(ctx);
    const file = args.file === undefined ? undefined : ctx.workspace.jail.resolve(args.file).rel;
    const defs = requireDefinitions(graph, progress, args.symbol, file);
    const edges = calleesOf(graph.store, defs);
    const body = [
      `${edges.length} call(s) made by '${args.symbol}' (defined ${formatDefinitions(defs)}):`,
      ...formatEdges(edges, 'callee'),
      formatProgress(progress),
    ].join('\n');
    const read = [...defs.map((d) => d.path), ...edges.flatMap((e) => (e.target ? [e.target.path] : []))];
    return withSavingsFooter(body, tokensOfFiles(graph, read));
  },
});
