import { z } from 'zod';
import {
  clustersOf,
  communitiesOf,
  cyclesOf,
  cycleThrough,
  entrypointsOf,
  hotspotsOf,
  layersOf,
  moduleOf,
} from '../../engine/graph/architecture.ts';
import { type FileGraph, loadFileGraph } from '../../engine/graph/file-graph.ts';
import { churn } from '../../engine/graph/git-state.ts';
import type { GraphStructure } from '../../engine/graph/graph-structure.ts';
import { importLines } from '../../engine/graph/import-lines.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import { ToolError } from '../../errors.ts';
import type { GraphStore } from '../../store/graph.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { currentGraph, formatProgress, tokensOfFiles } from './graph-of.ts';
import { requireIndexedDirectory } from './graph-paths.ts';
import { toJsonAnswer } from './json-answer.ts';
import { packageEntries } from './package-entries.ts';

/** Rows of one list in an answer; the rest are counted. */
const LISTED = 20;
/** Edges given a line from the importing file's text. */
const LINED_EDGES = 100;

const ACTIONS = [
  'overview',
  'clusters',
  'communities',
  'layers',
  'cycles',
  'entrypoints',
  'hotspots',
  'health',
  'module',
] as const;
type Action = (typeof ACTIONS)[number];

const n = (v: number) => v.toLocaleString('en-US');
const pct = (part: number, whole: number) => (whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`);
const at = (path: string, line: number | undefined) => (line === undefined ? path : `${path}:${line}`);

function capped<T>(items: readonly T[], show: (t: T) => string, limit = LISTED): string[] {
  const lines = items.slice(0, limit).map((t) => `  ${show(t)}`);
  if (items.length > limit) lines.push(`  +${items.length - limit} more`);
  return lines;
}

interface Report {
  json: Record<string, unknown>;
  text: string[];
  /** Files the answer names: what an agent would have read to learn the same. */
  files: string[];
}

const layerCount = (s: GraphStructure) => s.layer.reduce((max, l) => Math.max(max, l + 1), 0);

/** The worker's cycles, layers and communities of this graph. */
const structureOf = (g: FileGraph, ctx: ToolContext): Promise<GraphStructure> =>
  runEngineTask('graphStructure', { out: g.out }, { signal: ctx.signal });

async function cyclesReport(
  g: FileGraph,
  s: GraphStructure,
  ctx: ToolContext,
  store: GraphStore,
): Promise<Report> {
  const cycles = cyclesOf(g, s);
  const examples = cycles.slice(0, LISTED).map((files) => cycleThrough(g, files));
  const steps = examples.flatMap((c) => c.slice(0, -1).map((from, i) => ({ from, to: c[i + 1]! })));
  const lines = await importLines(ctx.workspace.root, store, steps.slice(0, LINED_EDGES));
  const inCycles = cycles.reduce((sum, c) => sum + c.length, 0);
  const text = [
    cycles.length === 0
      ? `no import cycles among ${n(g.paths.length)} files (Tarjan SCC over ${n(g.edges)} imports)`
      : `${cycles.length} import cycle(s), ${n(inCycles)} of ${n(g.paths.length)} files in them (Tarjan SCC over ${n(g.edges)} imports):`,
  ];
  examples.forEach((cycle, i) => {
    const files = cycles[i]!;
    const shown = cycle
      .slice(0, -1)
      .map((from, k) => at(from, lines.get(`${from}\0${cycle[k + 1]}`)))
      .join(' → ');
    text.push(`cycle ${i + 1} (${files.length} files): ${shown} → ${cycle[0]}`);
    const rest = files.filter((f) => !cycle.includes(f));
    if (rest.length > 0)
      text.push(
        `  also in it: ${rest.slice(0, 10).join(', ')}${rest.length > 10 ? ` +${rest.length - 10} more` : ''}`,
      );
  });
  if (cycles.length > LISTED) text.push(`+${cycles.length - LISTED} more cycle(s)`);
  return { json: { cycles, examples }, text, files: cycles.flat() };
}

function clustersReport(g: FileGraph): Report {
  const { depth, clusters } = clustersOf(g);
  const text = [
    `${clusters.length} cluster(s) by directory (depth ${depth}); cohesion = imports inside / imports made:`,
    ...capped(
      clusters,
      (c) =>
        `${c.directory}/: ${n(c.files)} files, ${n(c.lines)} lines, ${n(c.internal)} inside, ${n(c.outgoing)} out, ${n(c.incoming)} in` +
        (c.cohesion === null ? '' : `, cohesion ${c.cohesion.toFixed(2)}`) +
        (c.dependsOn.length > 0 ? `; uses ${c.dependsOn.map(([d, k]) => `${d}/ (${k})`).join(', ')}` : ''),
      40,
    ),
  ];
  return { json: { depth, clusters }, text, files: [] };
}

function communitiesReport(g: FileGraph, s: GraphStructure): Report {
  const r = communitiesOf(g, s);
  const text = [
    `${r.communities.length} communit(ies) of 2+ files by modularity (Louvain local moving over imports, ${r.rounds} rounds, modularity ${r.modularity.toFixed(3)}); ${n(r.singletons)} file(s) alone:`,
    ...capped(
      r.communities,
      (c) =>
        `${c.files.length} files, ${Math.round(c.share * 100)}% in ${c.directory}/, ${n(c.internal)} imports inside: ${c.files.slice(0, 5).join(', ')}${c.files.length > 5 ? ` +${c.files.length - 5} more` : ''}`,
    ),
  ];
  return { json: r, text, files: r.communities.slice(0, LISTED).flatMap((c) => c.files.slice(0, 5)) };
}

function layersReport(g: FileGraph, s: GraphStructure): Report {
  const layers = layersOf(g, s);
  const text = [
    `${layers.length} layer(s): layer 0 imports nothing in the graph, each layer imports only from layers below (a cycle shares one layer):`,
    ...capped(
      layers,
      (l) =>
        `L${l.layer} (${n(l.files.length)} files; ${l.directories
          .slice(0, 3)
          .map(([d, k]) => `${d}/ ${k}`)
          .join(
            ', ',
          )}): ${l.files.slice(0, 5).join(', ')}${l.files.length > 5 ? ` +${l.files.length - 5} more` : ''}`,
      40,
    ),
  ];
  return { json: { layers }, text, files: layers.flatMap((l) => l.files.slice(0, 5)) };
}

async function entrypointsReport(g: FileGraph, ctx: ToolContext, store: GraphStore): Promise<Report> {
  const e = entrypointsOf(g);
  const declared = await packageEntries(ctx, store);
  const text = [
    `${e.files.length} file(s) nothing imports that import others (plus ${e.tests} test file(s)):`,
    ...capped(e.files, (f) => `${f.path} (imports ${f.imports})`),
    declared.length === 0 ? 'package.json: no bin, main or module entries' : 'package.json entries:',
    ...capped(
      declared,
      (d) => `${d.manifest} ${d.field}: ${d.target}${d.indexed ? '' : ' (not in the code graph)'}`,
    ),
  ];
  return { json: { ...e, declared }, text, files: e.files.slice(0, LISTED).map((f) => f.path) };
}

async function hotspotsReport(g: FileGraph, ctx: ToolContext): Promise<Report> {
  const history = await churn(ctx.workspace.root, ctx.signal);
  const hot = hotspotsOf(g, history.ok ? history.value.byFile : undefined);
  const formula = history.ok
    ? `score = fan-in × commits (of the last ${n(history.value.commits)}) × lines`
    : `score = fan-in × lines (no commit counts: ${history.reason})`;
  const text = [
    `${Math.min(hot.length, LISTED)} hotspot(s), ${formula}:`,
    ...capped(
      hot,
      (h) =>
        `${h.path}: ${n(h.score)} = ${h.fanIn} importers${h.commits === null ? '' : ` × ${h.commits} commits`} × ${n(h.lines)} lines`,
    ),
  ];
  return {
    json: { formula, hotspots: hot.slice(0, 100) },
    text,
    files: hot.slice(0, LISTED).map((h) => h.path),
  };
}

function healthReport(g: FileGraph, s: GraphStructure, store: GraphStore): Report {
  const cycles = cyclesOf(g, s);
  const inCycles = cycles.reduce((sum, c) => sum + c.length, 0);
  const layers = layerCount(s);
  const orphans = g.paths.filter((_, v) => g.in[v]!.length === 0 && g.out[v]!.length === 0).length;
  const top = (deg: number[][]) => {
    let best = -1;
    deg.forEach((d, v) => {
      if (best === -1 || d.length > deg[best]!.length) best = v;
    });
    return best === -1 ? undefined : { path: g.paths[best]!, count: deg[best]!.length };
  };
  const fanIn = top(g.in);
  const fanOut = top(g.out);
  const { depth, clusters } = clustersOf(g);
  const crossing = clusters.reduce((sum, c) => sum + c.outgoing, 0);
  const inside = new Set(g.paths);
  const unresolved = store
    .imports()
    .filter((i) => inside.has(i.from) && i.target === null && /^\.{1,2}(\/|$)/.test(i.specifier)).length;
  const regex = g.files.filter((f) => f.parser === 'regex').length;
  const communities = communitiesOf(g, s);
  const figures = {
    files: g.paths.length,
    imports: g.edges,
    cycles: cycles.length,
    filesInCycles: inCycles,
    layers,
    orphans,
    maxFanIn: fanIn,
    maxFanOut: fanOut,
    crossDirectoryImports: crossing,
    clusterDepth: depth,
    modularity: communities.modularity,
    communities: communities.communities.length,
    unresolvedRelativeImports: unresolved,
    regexOutlined: regex,
  };
  const text = [
    `${n(g.paths.length)} files, ${n(g.edges)} imports between them (${(g.edges / Math.max(1, g.paths.length)).toFixed(1)} per file)`,
    `cycles: ${cycles.length}${cycles.length > 0 ? `, ${n(inCycles)} files in them (${pct(inCycles, g.paths.length)}); ctx_architecture action=cycles lists them` : ''}`,
    `layers: ${layers} (the longest chain of imports, cycles condensed)`,
    `isolated: ${n(orphans)} file(s) import nothing and nothing imports them`,
    ...(fanIn ? [`most imported: ${fanIn.path} (${fanIn.count} importers)`] : []),
    ...(fanOut ? [`most importing: ${fanOut.path} (${fanOut.count} imports)`] : []),
    `cross-directory imports: ${n(crossing)} of ${n(g.edges)} (${pct(crossing, g.edges)}) at directory depth ${depth}`,
    `communities: ${communities.communities.length}, modularity ${communities.modularity.toFixed(3)} (1 = cleanly separated, 0 = no better than chance)`,
    `unresolved relative imports: ${n(unresolved)}`,
    `outlined by regex (tree-sitter could not parse): ${n(regex)}`,
  ];
  return { json: figures, text, files: [fanIn?.path, fanOut?.path].filter((p): p is string => !!p) };
}

async function moduleReport(g: FileGraph, dir: string, ctx: ToolContext, store: GraphStore): Promise<Report> {
  const m = moduleOf(g, dir);
  const edges = [...m.incoming.slice(0, LISTED), ...m.outgoing.slice(0, LISTED)].map(([from, to]) => ({
    from,
    to,
  }));
  const lines = await importLines(ctx.workspace.root, store, edges);
  const edge = ([from, to]: [string, string]) => `${at(from, lines.get(`${from}\0${to}`))} → ${to}`;
  const importers = new Set(m.incoming.map(([f]) => f));
  const used = new Set(m.outgoing.map(([, t]) => t));
  const text = [
    `${m.directory}/: ${n(m.files)} files, ${n(m.internal)} imports inside; ${n(m.incoming.length)} in from ${importers.size} file(s), ${n(m.outgoing.length)} out to ${used.size} file(s)`,
    `in (${m.incoming.length}):`,
    ...capped(m.incoming, edge),
    `out (${m.outgoing.length}):`,
    ...capped(m.outgoing, edge),
  ];
  return { json: { ...m }, text, files: [...importers, ...used].slice(0, 2 * LISTED) };
}

async function overviewReport(
  g: FileGraph,
  s: GraphStructure,
  ctx: ToolContext,
  store: GraphStore,
): Promise<Report> {
  const parts: [Action, Report][] = [
    ['clusters', clustersReport(g)],
    ['layers', layersReport(g, s)],
    ['communities', communitiesReport(g, s)],
    ['entrypoints', await entrypointsReport(g, ctx, store)],
    ['hotspots', await hotspotsReport(g, ctx)],
  ];
  const cycles = cyclesOf(g, s);
  const inCycles = cycles.reduce((sum, c) => sum + c.length, 0);
  const head = `${n(g.paths.length)} files, ${n(g.edges)} imports, ${layerCount(s)} layers, ${cycles.length} import cycle(s) with ${n(inCycles)} files`;
  const text = [head];
  for (const [action, part] of parts) {
    text.push(...part.text.slice(0, 6));
    if (part.text.length > 6) text.push(`  … ctx_architecture action=${action} lists all`);
  }
  return {
    json: {
      files: g.paths.length,
      imports: g.edges,
      cycles: cycles.length,
      ...Object.fromEntries(parts.map(([a, p]) => [a, p.json])),
    },
    text,
    files: parts.flatMap(([, p]) => p.files).slice(0, 50),
  };
}

async function reportFor(
  action: Action,
  g: FileGraph,
  dir: string,
  ctx: ToolContext,
  store: GraphStore,
): Promise<Report> {
  switch (action) {
    case 'module':
      return moduleReport(g, dir, ctx, store);
    case 'clusters':
      return clustersReport(g);
    case 'entrypoints':
      return entrypointsReport(g, ctx, store);
    case 'hotspots':
      return hotspotsReport(g, ctx);
  }
  const s = await structureOf(g, ctx);
  switch (action) {
    case 'communities':
      return communitiesReport(g, s);
    case 'layers':
      return layersReport(g, s);
    case 'cycles':
      return cyclesReport(g, s, ctx, store);
    case 'health':
      return healthReport(g, s, store);
    default:
      return overviewReport(g, s, ctx, store);
  }
}

export const ctxArchitecture = defineTool({
  name: 'ctx_architecture',
  description:
    'Structure of the import graph: `overview`, `clusters` (by directory), `communities`, `layers`, `cycles`, `entrypoints`, `hotspots` (fan-in × churn × size), `health`, `module` (a directory’s edges).',
  scope: 'graph',
  readOnly: true,
  input: z.object({
    action: z.enum(ACTIONS).default('overview'),
    path: z
      .string()
      .max(INPUT_LIMITS.globChars)
      .optional()
      .describe('A directory: module looks at it, the others only inside it'),
    format: z.enum(['text', 'json']).default('text'),
  }),
  async run(args, ctx) {
    const action: Action = args.action;
    const { graph, progress } = await currentGraph(ctx);
    const { store } = graph;
    if (action === 'module' && args.path === undefined) {
      throw new ToolError('action "module" needs path: a directory, e.g. "src/engine"');
    }
    const dir = args.path === undefined ? '' : requireIndexedDirectory(graph, ctx, args.path);
    const g = loadFileGraph(store, action === 'module' || dir === '' ? undefined : dir);
    const report = await reportFor(action, g, dir, ctx, store);
    if (args.format === 'json') {
      return toJsonAnswer({ action, path: dir || '.', ...report.json, progress });
    }
    const scope = dir && action !== 'module' ? `[inside ${dir}/] ` : '';
    return withSavingsFooter(
      [`${scope}${report.text[0]}`, ...report.text.slice(1), formatProgress(progress)].join('\n'),
      tokensOfFiles(graph, report.files),
    );
  },
});
