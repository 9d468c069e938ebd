import { directoryOf, type FileGraph, looksLikeTest } from './file-graph.ts';
import type { GraphStructure } from './graph-structure.ts';

/**
 * Architecture reports over the import graph: every figure is counted from the graph (and
 * git's commit counts for hotspots), none estimated.
 */

/** Clusters listed at most: the directory depth chosen is the deepest with no more than this many. */
const MAX_CLUSTERS = 40;

const byCountDesc = <T>(m: Map<T, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

const dirAt = directoryOf;

/** The deepest directory level that splits the files into at most 40 groups. */
export function clusterDepth(paths: readonly string[]): number {
  let best = 1;
  for (let d = 1; d <= 8; d++) {
    const groups = new Set(paths.map((p) => dirAt(p, d))).size;
    if (groups > MAX_CLUSTERS) break;
    best = d;
    if (paths.every((p) => p.split('/').length - 1 <= d)) break;
  }
  return best;
}

export interface Cluster {
  directory: string;
  files: number;
  lines: number;
  internal: number;
  /** Imports from this directory into others, and from others into it. */
  outgoing: number;
  incoming: number;
  /** internal / (internal + outgoing); null when it imports nothing. */
  cohesion: number | null;
  /** The directories it imports most: [directory, imports]. */
  dependsOn: [string, number][];
}

export function clustersOf(g: FileGraph): { depth: number; clusters: Cluster[] } {
  const depth = clusterDepth(g.paths);
  const dir = g.paths.map((p) => dirAt(p, depth));
  const clusters = new Map<string, Cluster & { deps: Map<string, number> }>();
  g.paths.forEach((_, i) => {
    const d = dir[i]!;
    const c = clusters.get(d) ?? {
      directory: d,
      files: 0,
      lines: 0,
      internal: 0,
      outgoing: 0,
      incoming: 0,
      cohesion: null,
      dependsOn: [],
      deps: new Map<string, number>(),
    };
    c.files++;
    c.lines += g.files[i]!.lines;
    clusters.set(d, c);
  });
  g.out.forEach((targets, a) => {
    const ca = clusters.get(dir[a]!)!;
    for (const b of targets) {
      if (dir[a] === dir[b]) ca.internal++;
      else {
        ca.outgoing++;
        clusters.get(dir[b]!)!.incoming++;
        ca.deps.set(dir[b]!, (ca.deps.get(dir[b]!) ?? 0) + 1);
      }
    }
  });
  const list = [...clusters.values()].map(({ deps, ...c }) => ({
    ...c,
    cohesion: c.internal + c.outgoing === 0 ? null : c.internal / (c.internal + c.outgoing),
    dependsOn: byCountDesc(deps).slice(0, 5),
  }));
  return { depth, clusters: list.sort((a, b) => b.files - a.files || (a.directory < b.directory ? -1 : 1)) };
}

export interface Community {
  /** Its most common directory, and the share of its files there. */
  directory: string;
  share: number;
  files: string[];
  internal: number;
}

export function communitiesOf(
  g: FileGraph,
  s: GraphStructure,
): { communities: Community[]; singletons: number; modularity: number; rounds: number } {
  const depth = clusterDepth(g.paths);
  const members = new Map<number, number[]>();
  s.community.forEach((c, v) => {
    const list = members.get(c);
    if (list) list.push(v);
    else members.set(c, [v]);
  });
  const communities: Community[] = [];
  let singletons = 0;
  for (const [label, nodes] of members) {
    if (nodes.length < 2) {
      singletons++;
      continue;
    }
    const dirs = new Map<string, number>();
    for (const v of nodes)
      dirs.set(dirAt(g.paths[v]!, depth), (dirs.get(dirAt(g.paths[v]!, depth)) ?? 0) + 1);
    const [directory, count] = byCountDesc(dirs)[0]!;
    let internal = 0;
    for (const v of nodes) for (const w of g.out[v]!) if (s.community[w] === label) internal++;
    const degree = (v: number) => g.in[v]!.length + g.out[v]!.length;
    communities.push({
      directory,
      share: count / nodes.length,
      files: nodes
        .map((v) => g.paths[v]!)
        .sort((a, b) => degree(g.indexOf.get(b)!) - degree(g.indexOf.get(a)!) || (a < b ? -1 : 1)),
      internal,
    });
  }
  communities.sort((a, b) => b.files.length - a.files.length || (a.directory < b.directory ? -1 : 1));
  return { communities, singletons, modularity: s.modularity, rounds: s.rounds };
}

/** Import cycles: components of more than one file, largest first (files sorted). */
export function cyclesOf(g: FileGraph, s: GraphStructure): string[][] {
  return s.components
    .filter((c) => c.length > 1)
    .map((c) => c.map((v) => g.paths[v]!).sort())
    .sort((a, b) => b.length - a.length || (a[0]! < b[0]! ? -1 : 1));
}

/** A shortest cycle through the first file of a component: [a, b, …, a]. */
export function cycleThrough(g: FileGraph, files: readonly string[]): string[] {
  const inside = new Set(files.map((f) => g.indexOf.get(f)!));
  const start = g.indexOf.get(files[0]!)!;
  const parent = new Map<number, number>();
  let frontier = [start];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const v of frontier) {
      for (const w of g.out[v]!) {
        if (!inside.has(w)) continue;
        if (w === start) {
          const chain: number[] = [];
          for (let at = v; at !== start; at = parent.get(at)!) chain.unshift(at);
          return [start, ...chain, start].map((n) => g.paths[n]!);
        }
        if (parent.has(w)) continue;
        parent.set(w, v);
        next.push(w);
      }
    }
    frontier = next;
  }
  return [files[0]!];
}

export interface Layer {
  layer: number;
  files: string[];
  /** Directories of its files, the most common first. */
  directories: [string, number][];
}

/** Layer 0 imports nothing in the graph; each layer above imports only from those below (cycles share one). */
export function layersOf(g: FileGraph, s: GraphStructure): Layer[] {
  const depth = clusterDepth(g.paths);
  const layers = new Map<number, number[]>();
  s.layer.forEach((l, v) => {
    const list = layers.get(l);
    if (list) list.push(v);
    else layers.set(l, [v]);
  });
  return [...layers]
    .sort((a, b) => a[0] - b[0])
    .map(([layer, nodes]) => {
      const dirs = new Map<string, number>();
      for (const v of nodes)
        dirs.set(dirAt(g.paths[v]!, depth), (dirs.get(dirAt(g.paths[v]!, depth)) ?? 0) + 1);
      return {
        layer,
        files: nodes.sort((a, b) => g.in[b]!.length - g.in[a]!.length || a - b).map((v) => g.paths[v]!),
        directories: byCountDesc(dirs),
      };
    });
}

export interface Entrypoints {
  /** Files nothing imports that import others, the widest importers first (tests apart). */
  files: { path: string; imports: number }[];
  tests: number;
}

export function entrypointsOf(g: FileGraph): Entrypoints {
  const roots = g.paths
    .map((path, v) => ({ path, imports: g.out[v]!.length, importers: g.in[v]!.length }))
    .filter((f) => f.importers === 0 && f.imports > 0);
  const tests = roots.filter((f) => looksLikeTest(f.path)).length;
  return {
    files: roots
      .filter((f) => !looksLikeTest(f.path))
      .sort((a, b) => b.imports - a.imports || (a.path < b.path ? -1 : 1))
      .map(({ path, imports }) => ({ path, imports })),
    tests,
  };
}

export interface Hotspot {
  path: string;
  score: number;
  fanIn: number;
  /** Commits that touched it; null when git cannot say. */
  commits: number | null;
  lines: number;
}

/** fan-in × commits × lines (fan-in × lines without git), highest first; files nothing imports score 0 and are left out. */
export function hotspotsOf(g: FileGraph, churn: Map<string, number> | undefined): Hotspot[] {
  return g.paths
    .map((path, v) => {
      const fanIn = g.in[v]!.length;
      const lines = g.files[v]!.lines;
      const commits = churn ? (churn.get(path) ?? 0) : null;
      return { path, fanIn, commits, lines, score: fanIn * (commits ?? 1) * lines };
    })
    .filter((h) => h.score > 0)
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1));
}

export interface ModuleReport {
  directory: string;
  files: number;
  internal: number;
  /** Edges into the module from outside, and out of it: [from, to]. */
  incoming: [string, string][];
  outgoing: [string, string][];
}

export function moduleOf(g: FileGraph, dir: string): ModuleReport {
  const inside = (p: string) => dir === '' || p.startsWith(`${dir}/`);
  const report: ModuleReport = { directory: dir || '.', files: 0, internal: 0, incoming: [], outgoing: [] };
  g.paths.forEach((path, v) => {
    const a = inside(path);
    if (a) report.files++;
    for (const w of g.out[v]!) {
      const b = inside(g.paths[w]!);
      if (a && b) report.internal++;
      else if (a) report.outgoing.push([path, g.paths[w]!]);
      else if (b) report.incoming.push([path, g.paths[w]!]);
    }
  });
  return report;
}
