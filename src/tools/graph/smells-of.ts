import type { CodeGraph } from '../../engine/graph/code-graph.ts';
import { findSmells } from '../../engine/graph/find-smells.ts';
import type { SmellRule } from '../../engine/graph/smell-rules.ts';
import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import { defineWorkspaceService, type Workspace } from '../../engine/workspace.ts';

const BATCH_FILES = 32;
/** Tasks in flight at once. */
const LANES = 4;

/** Complexity per file, reused while the graph's content hash of the file holds. */
const complexityCacheOf = defineWorkspaceService(
  'complexity cache',
  () => new Map<string, { hash: string; ranges: string; values: number[] }>(),
);

/** Complexity of line ranges per file, computed on the workers in batches, cached by content hash. */
function complexityOf(workspace: Workspace, graph: CodeGraph, signal?: AbortSignal) {
  const cache = complexityCacheOf(workspace);
  return async (files: { path: string; ranges: [number, number][] }[]): Promise<number[][]> => {
    const out: number[][] = files.map(() => []);
    const todo: { i: number; path: string; hash: string; ranges: [number, number][] }[] = [];
    files.forEach((f, i) => {
      const hash = graph.store.file(f.path)?.hash ?? '';
      const hit = cache.get(f.path);
      if (hit && hit.hash === hash && hit.ranges === JSON.stringify(f.ranges)) out[i] = hit.values;
      else todo.push({ i, path: f.path, hash, ranges: f.ranges });
    });
    const batches: (typeof todo)[] = [];
    for (let i = 0; i < todo.length; i += BATCH_FILES) batches.push(todo.slice(i, i + BATCH_FILES));
    // a few tasks in flight, so a large workspace cannot fill the pool's queue
    let next = 0;
    const lane = async () => {
      for (let batch = batches[next++]; batch; batch = batches[next++]) {
        const files = batch.flatMap((f) => {
          try {
            return [{ rel: f.path, abs: workspace.jail.resolve(f.path).abs, ranges: f.ranges }];
          } catch {
            return [];
          }
        });
        const values = await runEngineTask('complexityOfFiles', files, { signal });
        const byPath = new Map(files.map((f, j) => [f.rel, values[j] ?? []]));
        for (const f of batch) {
          out[f.i] = byPath.get(f.path) ?? [];
          cache.set(f.path, { hash: f.hash, ranges: JSON.stringify(f.ranges), values: out[f.i]! });
        }
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    return out;
  };
}

/** The smells of files `include` accepts (all rules, or one), over the whole graph's facts. */
export function smellsOf(
  workspace: Workspace,
  graph: CodeGraph,
  opts: { include: (path: string) => boolean; rule?: SmellRule; signal?: AbortSignal },
): ReturnType<typeof findSmells> {
  return findSmells(graph.store, { ...opts, complexity: complexityOf(workspace, graph, opts.signal) });
}
