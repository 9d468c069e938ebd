import { z } from 'zod';
import type { GraphProgress } from '../../engine/graph/code-graph.ts';
import { defineTool } from '../define-tool.ts';
import { formatProgress, GRAPH_QUERY_BUDGET_MS, graphOf } from './graph-of.ts';
import { projectRootArg, withProjectRoot } from './project-root.ts';

/** How long a build call waits before it answers and lets the build go on in the background. */
const BUILD_BUDGET_MS = 30_000;

export function formatGraphStatus(
  progress: GraphProgress,
  counts: ReturnType<typeof graphOf>['store']['counts'],
) {
  const c = counts();
  return [
    `Code graph: ${c.files} files, ${c.symbols} symbols, ${c.imports} imports, ${c.calls} call sites` +
      (c.regexFiles > 0 ? ` (${c.regexFiles} outlined by regex)` : ''),
    formatProgress(progress),
    ...freshnessLine(progress),
  ].join('\n');
}

/** How the next query finds changed files: from its watches, or by a stat sweep of every file. */
function freshnessLine(p: GraphProgress): string[] {
  if (p.sweepReason) return [`Changes: found by a stat sweep of every file per query (${p.sweepReason})`];
  if (p.watchedDirs) return [`Changes: ${p.watchedDirs.toLocaleString('en-US')} directories watched`];
  return [];
}

export const ctxIndex = defineTool({
  name: 'ctx_index',
  description:
    'The code graph index: `status`, `build` (incremental, what changed) or `build-full` (parse every file again).',
  scope: 'graph',
  scopesFor: (args) => (args.action === 'status' ? ['graph'] : ['graph', 'index']),
  readOnly: (args) => args.action === 'status',
  input: z.object({
    action: z.enum(['status', 'build', 'build-full']).default('status'),
    project_root: projectRootArg,
  }),
  async run(args, outer) {
    const ctx = withProjectRoot(outer, args.project_root);
    const graph = graphOf(ctx.workspace);
    const started = Date.now();
    const progress =
      args.action === 'status'
        ? await graph.refresh(GRAPH_QUERY_BUDGET_MS)
        : await graph.rebuild(args.action === 'build-full', BUILD_BUDGET_MS);
    if (args.action !== 'status' && !progress.building) {
      ctx.emit('graph_built', { files: progress.indexed, parsed: progress.parsed, ms: Date.now() - started });
    }
    const head =
      args.action === 'status'
        ? []
        : [`${args.action}: ${progress.parsed} file(s) parsed in ${Date.now() - started} ms`];
    return [...head, formatGraphStatus(progress, graph.store.counts)].join('\n');
  },
});
