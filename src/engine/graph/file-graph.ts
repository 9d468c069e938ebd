import type { GraphFile } from '../../store/graph.ts';

/**
 * The import graph between files as numbered nodes: what whole-graph analyses (cycles,
 * layers, communities) and the worker threads they run on take.
 */
export interface FileGraph {
  /** Node i's path; sorted. */
  paths: string[];
  files: GraphFile[];
  indexOf: Map<string, number>;
  /** out[i]: the files node i imports. */
  out: number[][];
  /** in[i]: the files that import node i. */
  in: number[][];
  edges: number;
}

/** Files whose path looks like a test: test dirs, `*.test.*`, `*.spec.*`, `test_*.py`, `*_test.go`. */
export const looksLikeTest = (path: string) =>
  /(^|\/)(tests?|__tests__|specs?|testing)\//.test(path) ||
  /[._-](test|spec)s?\.[a-z]+$/i.test(path) ||
  /(^|\/)test_[^/]+\.py$/.test(path) ||
  /_test\.[a-z]+$/.test(path);

/** `src/engine/graph/x.ts` → `src/engine` (the first `depth` directories; `.` at the root). */
export function directoryOf(path: string, depth = 2): string {
  const parts = path.split('/').slice(0, -1).slice(0, depth);
  return parts.length === 0 ? '.' : parts.join('/');
}

/** The files (under `dir/` when given) and the import edges between them. */
export function buildFileGraph(
  allFiles: readonly GraphFile[],
  allEdges: readonly { from: string; to: string }[],
  dir?: string,
): FileGraph {
  const inside = (p: string) => dir === undefined || p.startsWith(`${dir}/`);
  const files = allFiles.filter((f) => inside(f.path));
  const paths = files.map((f) => f.path);
  const indexOf = new Map(paths.map((p, i) => [p, i]));
  const out: number[][] = paths.map(() => []);
  const inn: number[][] = paths.map(() => []);
  let edges = 0;
  for (const e of allEdges) {
    const a = indexOf.get(e.from);
    const b = indexOf.get(e.to);
    if (a === undefined || b === undefined) continue;
    out[a]!.push(b);
    inn[b]!.push(a);
    edges++;
  }
  return { paths, files, indexOf, out, in: inn, edges };
}

/** Nodes reachable from `start` by `next` within `depth` hops: node → [hops, the node it was reached from]. */
export function reachWithin(
  start: number,
  depth: number,
  next: (n: number) => readonly number[],
): Map<number, { hops: number; via: number }> {
  const seen = new Map<number, { hops: number; via: number }>([[start, { hops: 0, via: start }]]);
  let frontier = [start];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const reached: number[] = [];
    for (const n of frontier) {
      for (const m of next(n)) {
        if (seen.has(m)) continue;
        seen.set(m, { hops: d, via: n });
        reached.push(m);
      }
    }
    frontier = reached;
  }
  seen.delete(start);
  return seen;
}
