import { z } from 'zod';
import { dependentsOf, relatedTo } from '../../engine/graph/query-graph.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { buildGraph } from './build-graph.ts';
import { formatGraphStatus } from './ctx-index.ts';
import { answerDiagram, diagramKind, MAX_DIAGRAM_DEPTH } from './diagram-answer.ts';
import { enrichFile, enrichGraph, fileContext } from './file-context.ts';
import { currentGraph, formatProgress, requireDefinitions, tokensOfFiles } from './graph-of.ts';
import { requireIndexedFile } from './graph-paths.ts';
import { projectSummary } from './graph-summary.ts';
import { projectRootArg, withProjectRoot } from './project-root.ts';

const MAX_DEPTH = 10;
const MAX_LISTED = 200;

function listByDistance(files: Map<string, number>): string[] {
  const sorted = [...files].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  const lines = sorted.slice(0, MAX_LISTED).map(([f, d]) => `  ${f} (${d} hop${d === 1 ? '' : 's'})`);
  if (sorted.length > MAX_LISTED) lines.push(`  … ${sorted.length - MAX_LISTED} more`);
  return lines;
}

export const ctxGraph = defineTool({
  name: 'ctx_graph',
  description:
    'The code graph: `status`, `build` (counts, languages, most imported), `symbol` (where a name is defined), `related` (files near a file), `impact` (files depending on it), `context` (imports, dependents, tests, commits of a file), `enrich` (tests and commits as nodes), `diagram` (Mermaid).',
  scope: 'graph',
  scopesFor: (args) => (args.action === 'build' ? ['graph', 'index'] : ['graph']),
  readOnly: (args) => args.action !== 'build',
  input: z.object({
    action: z.enum(['status', 'build', 'symbol', 'related', 'impact', 'context', 'enrich', 'diagram']),
    path: z
      .string()
      .max(INPUT_LIMITS.globChars)
      .optional()
      .describe('A file, `file::symbol`, or (symbol) a name'),
    depth: z
      .number()
      .int()
      .min(1)
      .max(MAX_DEPTH)
      .optional()
      .describe('Hops to follow (related 2, impact 5, enrich 2, diagram 2)'),
    kind: diagramKind,
    project_root: projectRootArg,
  }),
  async run(args, outer) {
    const ctx = withProjectRoot(outer, args.project_root);
    if (args.action === 'diagram') {
      return answerDiagram(
        { file: args.path, depth: Math.min(args.depth ?? 2, MAX_DIAGRAM_DEPTH), kind: args.kind },
        ctx,
      );
    }
    if (args.action === 'build') {
      const { progress, ms } = await buildGraph(ctx, false);
      const summary = await projectSummary(ctx);
      return [
        summary.text,
        `build: ${progress.parsed} file(s) parsed in ${ms} ms`,
        formatProgress(progress),
      ].join('\n');
    }
    const { graph, progress } = await currentGraph(ctx);
    if (args.action === 'status') return formatGraphStatus(progress, graph.store.counts);
    if (args.action === 'enrich' && !args.path) {
      const { text } = await enrichGraph(ctx);
      return [...text, formatProgress(progress)].join('\n');
    }
    if (!args.path) throw new ToolError(`action "${args.action}" needs path`);
    if (args.action === 'context' || args.action === 'enrich') {
      const rel = requireIndexedFile(graph, ctx, args.path.split('::')[0]!);
      const { text, files } =
        args.action === 'context'
          ? await fileContext(graph, ctx, rel)
          : await enrichFile(graph, ctx, rel, args.depth ?? 2);
      return withSavingsFooter(
        [...text, formatProgress(progress)].join('\n'),
        await tokensOfFiles(graph, files),
      );
    }
    if (args.action === 'symbol') {
      const [file, name] = args.path.includes('::') ? args.path.split('::', 2) : [undefined, args.path];
      const defs = requireDefinitions(
        graph,
        progress,
        name ?? '',
        file && requireIndexedFile(graph, ctx, file),
      );
      const body = [
        ...defs.map(
          (d) =>
            `${d.path}:${d.startLine}-${d.endLine} ${d.kind} ${d.qualified}${d.exported ? ' (exported)' : ''}\n  ${d.signature}`,
        ),
        formatProgress(progress),
      ].join('\n');
      return withSavingsFooter(
        body,
        await tokensOfFiles(
          graph,
          defs.map((d) => d.path),
        ),
      );
    }
    const rel = requireIndexedFile(graph, ctx, args.path.split('::')[0]!);
    const impact = args.action === 'impact';
    const files = impact
      ? dependentsOf(graph.store, rel, args.depth ?? 5)
      : relatedTo(graph.store, rel, args.depth ?? 2);
    const body = [
      impact ? `${files.size} file(s) depend on ${rel}:` : `${files.size} file(s) related to ${rel}:`,
      ...listByDistance(files),
      formatProgress(progress),
    ].join('\n');
    return withSavingsFooter(body, await tokensOfFiles(graph, [rel, ...files.keys()]));
  },
});
