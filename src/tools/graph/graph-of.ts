import { join } from 'node:path';
import { type CodeGraph, createCodeGraph, type GraphProgress } from '../../engine/graph/code-graph.ts';
import { definitionsOf } from '../../engine/graph/query-graph.ts';
import { defineWorkspaceService, type Workspace } from '../../engine/workspace.ts';
import { ToolError } from '../../errors.ts';
import type { GraphSymbol } from '../../store/graph.ts';
import { createSqliteGraphStore } from '../../store/sqlite/graph-store.ts';
import type { ToolContext } from '../define-tool.ts';
import { closestNames } from '../meta/rank-names.ts';

/** How long a query waits for the sweep before it answers from what is indexed. */
export const GRAPH_QUERY_BUDGET_MS = 5_000;

/** Where a workspace keeps its graph: `graph.sqlite` in its data dir. */
export const graphFileOf = (workspace: Workspace) => join(workspace.dataDir(), 'graph.sqlite');

/** The workspace's one code graph, kept in `graph.sqlite` in its data dir. */
export const graphOf = defineWorkspaceService(
  'code graph',
  (workspace): CodeGraph =>
    createCodeGraph(workspace.root, {
      store: createSqliteGraphStore(graphFileOf(workspace)),
      exclude: workspace.jail.excluded,
    }),
);

const n = (v: number) => v.toLocaleString('en-US');

/** `indexed 4,210 / 13,611 files`, with what is still building or was skipped. */
export function formatProgress(p: GraphProgress): string {
  const parts = [`indexed ${n(p.indexed)} / ${n(Math.max(p.total, p.indexed))} files`];
  if (p.building) parts.push('build running, answers cover the indexed part');
  if (p.skipped > 0) parts.push(`${n(p.skipped)} skipped (binary, huge or generated)`);
  return `[${parts.join('; ')}]`;
}

/** The graph brought up to date by a stat sweep (within the query budget), and how far it got. */
export async function currentGraph(ctx: ToolContext): Promise<{ graph: CodeGraph; progress: GraphProgress }> {
  const graph = graphOf(ctx.workspace);
  return { graph, progress: await graph.refresh(GRAPH_QUERY_BUDGET_MS) };
}

/** The closest of many names to `wanted`; names far longer or shorter are not compared. */
export function nearestNames(wanted: string, names: Iterable<string>): string[] {
  const near: string[] = [];
  for (const n of names) if (Math.abs(n.length - wanted.length) <= wanted.length) near.push(n);
  return closestNames(wanted, near);
}

/** The definitions a symbol argument names, or a ToolError listing the nearest names. */
export function requireDefinitions(
  graph: CodeGraph,
  progress: GraphProgress,
  symbol: string,
  file?: string,
): GraphSymbol[] {
  const defs = definitionsOf(graph.store, symbol, file);
  if (defs.length > 0) return defs;
  const near = nearestNames(symbol.slice(symbol.lastIndexOf('.') + 1), graph.store.symbolNames());
  const where = file ? ` in ${file}` : '';
  const hint = near.length > 0 ? `nearest names: ${near.join(', ')}` : "ctx_outline lists a file's symbols";
  const partial = progress.building ? ` ${formatProgress(progress)}` : '';
  throw new ToolError(`no symbol "${symbol}"${where} in the code graph; ${hint}${partial}`);
}

/** Tokens of the files an answer stands in for: what an agent would have read to find it. */
export function tokensOfFiles(graph: CodeGraph, paths: Iterable<string>): Promise<number> {
  return graph.tokensOf(paths);
}
