import { z } from 'zod';
import type { CodeGraph } from '../../engine/graph/code-graph.ts';
import { dependentsOf, relatedTo } from '../../engine/graph/query-graph.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { ToolError } from '../../errors.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { formatGraphStatus } from './ctx-index.ts';
import { currentGraph, formatProgress, nearestNames, requireDefinitions, tokensOfFiles } from './graph-of.ts';

const MAX_DEPTH = 10;
const MAX_LISTED = 200;

/** The workspace file a path argument names, or a ToolError listing the nearest indexed paths. */
export function indexedFile(graph: CodeGraph, ctx: ToolContext, path: string): string {
  const rel = ctx.workspace.jail.resolve(path).rel;
  if (graph.store.file(rel)) return rel;
  const near = nearestNames(rel, graph.store.stats().keys());
  throw new ToolError(
    `"${rel}" is not in the code graph${near.length > 0 ? `; nearest paths: ${near.join(', ')}` : ''}`,
  );
}

function listByDistance(files: Map<string, number>): string[] {
  const sorted = [...files].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  const lines = sorted.slice(0, MAX_LISTED).map(([f, d]) => `  ${f} (${d} hop${d === 1 ? '' : 's'})`);
  if (sorted.length > MAX_LISTED) lines.push(`  … ${sorted.length - MAX_LISTED} more`);
  return lines;
}

export const ctxGraph = defineTool({
  name: 'ctx_graph',
  description:
    'The code graph of the workspace: `status`, `symbol` (where a name is defined), `related` (files near a file) or `impact` (files that depend on a file).',
  scope: 'graph',
  readOnly: true,
  input: z.object({
    action: z.enum(['status', 'symbol', 'related', 'impact']),
    path: z
      .string()
      .max(INPUT_LIMITS.globChars)
      .optional()
      .describe('A file, `file::symbol`, or (symbol) a name'),
    depth: z.number().int().min(1).max(MAX_DEPTH).optional().describe('Hops to follow (related 2, impact 5)'),
  }),
  async run(args, ctx) {
    const { graph, progress } = await currentGraph(ctx);
    if (args.action === 'status') return formatGraphStatus(progress, graph.store.counts);
    if (!args.path) throw new ToolError(`action "${args.action}" needs path`);
    if (args.action === 'symbol') {
      const [file, name] = args.path.includes('::') ? args.path.split('::', 2) : [undefined, args.path];
      const defs = requireDefinitions(graph, progress, name ?? '', file && indexedFile(graph, ctx, file));
      const body = [
        ...defs.map(
          (d) =>
            `${d.path}:${d.startLine}-${d.endLine} ${d.kind} ${d.qualified}${d.exported ? ' (exported)' : ''}\n  ${d.signature}`,
        ),
        formatProgress(progress),
      ].join('\n');
      return withSavingsFooter(
        body,
        tokensOfFiles(
          graph,
          defs.map((d) => d.path),
        ),
      );
    }
    const rel = indexedFile(graph, ctx, args.path.split('::')[0]!);
    const impact = args.action === 'impact';
    const files = impact
      ? dependentsOf(graph.store, rel, args.depth ?? 5)
      : relatedTo(graph.store, rel, args.depth ?? 2);
    const body = [
      impact ? `${files.size} file(s) depend on ${rel}:` : `${files.size} file(s) related to ${rel}:`,
      ...listByDistance(files),
      formatProgress(progress),
    ].join('\n');
    return withSavingsFooter(body, tokensOfFiles(graph, [rel, ...files.keys()]));
  },
});
