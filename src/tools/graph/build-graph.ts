import type { GraphProgress } from '../../engine/graph/code-graph.ts';
import type { ToolContext } from '../define-tool.ts';
import { graphOf } from './graph-of.ts';

/** How long a build call waits before it answers and lets the build go on in the background. */
const BUILD_BUDGET_MS = 30_000;

export interface BuildOutcome {
  progress: GraphProgress;
  ms: number;
}

/**
 * A build (`full`: every file parsed again) or an update (what changed since the last sweep);
 * emits `graph_built` when it finished within the budget.
 */
export async function buildGraph(ctx: ToolContext, full: boolean): Promise<BuildOutcome> {
  const graph = graphOf(ctx.workspace);
  const started = Date.now();
  const progress = await graph.rebuild(full, BUILD_BUDGET_MS);
  const ms = Date.now() - started;
  if (!progress.building) {
    ctx.emit('graph_built', { files: progress.indexed, parsed: progress.parsed, ms });
  }
  return { progress, ms };
}
