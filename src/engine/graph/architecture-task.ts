import { readGraphSnapshot } from '../../store/sqlite/graph-snapshot.ts';
import {
  type Cluster,
  type Community,
  clustersOf,
  communitiesOf,
  cyclesOf,
  cycleThrough,
  type Entrypoints,
  entrypointsOf,
  type Hotspot,
  hotspotsOf,
  type Layer,
  layersOf,
  type ModuleReport,
  moduleOf,
} from './architecture.ts';
import { buildFileGraph, type FileGraph } from './file-graph.ts';
import { graphStructure } from './graph-structure.ts';

export type ArchitectureSection =
  | 'clusters'
  | 'communities'
  | 'layers'
  | 'cycles'
  | 'entrypoints'
  | 'hotspots'
  | 'health'
  | 'module';

export interface ArchitectureInput {
  /** The workspace's graph.sqlite. */
  file: string;
  /** Only files under this directory (`''`: all); `module` reports on it over the whole graph. */
  dir: string;
  sections: readonly ArchitectureSection[];
  /** Commits per file, for hotspots; absent when git cannot say. */
  churn?: Map<string, number>;
}

/** Cycle examples and hotspots returned at most. */
const MAX_EXAMPLES = 20;
const MAX_HOTSPOTS = 100;

export interface HealthFigures {
  files: number;
  imports: number;
  cycles: number;
  filesInCycles: number;
  layers: number;
  orphans: number;
  maxFanIn: { path: string; count: number } | undefined;
  maxFanOut: { path: string; count: number } | undefined;
  crossDirectoryImports: number;
  clusterDepth: number;
  modularity: number;
  communities: number;
  unresolvedRelativeImports: number;
  regexOutlined: number;
}

export interface ArchitectureData {
  files: number;
  imports: number;
  /** Present when any section needed the structure (cycles, layers, communities). */
  layerCount?: number;
  cycleCount?: number;
  filesInCycles?: number;
  clusters?: { depth: number; clusters: Cluster[] };
  communities?: { communities: Community[]; singletons: number; modularity: number; rounds: number };
  layers?: Layer[];
  cycles?: { cycles: string[][]; examples: string[][] };
  entrypoints?: Entrypoints;
  hotspots?: Hotspot[];
  health?: HealthFigures;
  module?: ModuleReport;
}

function widest(g: FileGraph, deg: number[][]) {
  let best = -1;
  deg.forEach((d, v) => {
    if (best === -1 || d.length > deg[best]!.length) best = v;
  });
  return best === -1 ? undefined : { path: g.paths[best]!, count: deg[best]!.length };
}

/** The sections asked for, computed on a worker thread from the graph file. */
export function analyzeArchitecture(input: ArchitectureInput): ArchitectureData {
  const snapshot = readGraphSnapshot(input.file);
  const want = new Set(input.sections);
  const dir = input.dir === '' || want.has('module') ? undefined : input.dir;
  const g = buildFileGraph(snapshot.files, snapshot.edges, dir);
  const data: ArchitectureData = { files: g.paths.length, imports: g.edges };
  if (want.has('module')) data.module = moduleOf(g, input.dir);
  if (want.has('clusters') || want.has('health')) data.clusters = clustersOf(g);
  if (want.has('entrypoints')) data.entrypoints = entrypointsOf(g);
  if (want.has('hotspots')) data.hotspots = hotspotsOf(g, input.churn).slice(0, MAX_HOTSPOTS);
  if (!['communities', 'layers', 'cycles', 'health'].some((s) => want.has(s as ArchitectureSection))) {
    return data;
  }
  const s = graphStructure({ out: g.out });
  const cycles = cyclesOf(g, s);
  data.layerCount = s.layer.reduce((max, l) => Math.max(max, l + 1), 0);
  data.cycleCount = cycles.length;
  data.filesInCycles = cycles.reduce((sum, c) => sum + c.length, 0);
  if (want.has('communities') || want.has('health')) data.communities = communitiesOf(g, s);
  if (want.has('layers')) data.layers = layersOf(g, s);
  if (want.has('cycles')) {
    data.cycles = { cycles, examples: cycles.slice(0, MAX_EXAMPLES).map((c) => cycleThrough(g, c)) };
  }
  if (want.has('health')) {
    const inside = new Set(g.paths);
    data.health = {
      files: g.paths.length,
      imports: g.edges,
      cycles: cycles.length,
      filesInCycles: data.filesInCycles,
      layers: data.layerCount,
      orphans: g.paths.filter((_, v) => g.in[v]!.length === 0 && g.out[v]!.length === 0).length,
      maxFanIn: widest(g, g.in),
      maxFanOut: widest(g, g.out),
      crossDirectoryImports: data.clusters!.clusters.reduce((sum, c) => sum + c.outgoing, 0),
      clusterDepth: data.clusters!.depth,
      modularity: data.communities!.modularity,
      communities: data.communities!.communities.length,
      unresolvedRelativeImports: snapshot.unresolvedRelative.filter((f) => inside.has(f)).length,
      regexOutlined: g.files.filter((f) => f.parser === 'regex').length,
    };
  }
  return data;
}
