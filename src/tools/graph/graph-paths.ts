import type { CodeGraph } from '../../engine/graph/code-graph.ts';
import { ToolError } from '../../errors.ts';
import type { ToolContext } from '../define-tool.ts';
import { editDistance } from '../meta/rank-names.ts';
import { nearestNames } from './graph-of.ts';

/** The workspace file a path argument names, or a ToolError listing the nearest indexed paths. */
export function requireIndexedFile(graph: CodeGraph, ctx: ToolContext, path: string): string {
  const rel = ctx.workspace.jail.resolve(path).rel;
  if (graph.store.file(rel)) return rel;
  const near = nearestNames(rel, graph.store.stats().keys());
  throw new ToolError(
    `"${rel}" is not in the code graph${near.length > 0 ? `; nearest paths: ${near.join(', ')}` : ''}`,
  );
}

/** Every directory holding an indexed file, its ancestors included. */
function indexedDirectories(graph: CodeGraph): Set<string> {
  const dirs = new Set<string>();
  for (const path of graph.store.stats().keys()) {
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) dirs.add(path.slice(0, i));
  }
  return dirs;
}

/**
 * The workspace directory a path argument names (`''` for the root), or a ToolError listing
 * the nearest directories that hold indexed files.
 */
export function requireIndexedDirectory(graph: CodeGraph, ctx: ToolContext, path: string): string {
  const rel = ctx.workspace.jail.resolve(path).rel.replace(/\/+$/, '');
  if (rel === '' || rel === '.') return '';
  const dirs = indexedDirectories(graph);
  if (dirs.has(rel)) return rel;
  // by edit distance alone: a parent directory is a substring of every wrong child
  const near = [...dirs]
    .map((d) => ({ d, cost: editDistance(rel, d) }))
    .filter((x) => x.cost <= Math.max(3, rel.length / 2))
    .sort((a, b) => a.cost - b.cost || (a.d < b.d ? -1 : 1))
    .slice(0, 5)
    .map((x) => x.d);
  throw new ToolError(
    `no indexed file under "${rel}/"${near.length > 0 ? `; nearest directories: ${near.join(', ')}` : ''}`,
  );
}
