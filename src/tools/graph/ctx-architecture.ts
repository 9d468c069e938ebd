import { z } from 'zod';
import type { ArchitectureData, ArchitectureSection } from '../../engine/graph/architecture-task.ts';
import { churn } from '../../engine/graph/git-state.ts';
import { importLines } from '../../engine/graph/import-lines.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import { ToolError } from '../../errors.ts';
import type { GraphStore } from '../../store/graph.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { currentGraph, formatProgress, graphFileOf, tokensOfFiles } from './graph-of.ts';
import { requireIndexedDirectory } from './graph-paths.ts';
import { toJsonAnswer } from './json-answer.ts';
import { packageEntries } from './package-entries.ts';
import { projectRootArg, withProjectRoot } from './project-root.ts';

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

/** What the worker computes for each action. */
const SECTIONS: Record<Action, ArchitectureSection[]> = {
  overview: ['clusters', 'layers', 'communities', 'entrypoints', 'hotspots'],
  clusters: ['clusters'],
  communities: ['communities'],
  layers: ['layers'],
  cycles: ['cycles'],
  entrypoints: ['entrypoints'],
  hotspots: ['hotspots'],
  health: ['health'],
  module: ['module'],
};

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

async function cyclesReport(d: ArchitectureData, ctx: ToolContext, store: GraphStore): Promise<Report> {
  const { cycles, examples } = d.cycles!;
  const steps = examples.flatMap((c) => c.slice(0, -1).map((from, i) => ({ from, to: c[i + 1]! })));
  const lines = await importLines(ctx.workspace.root, store, steps.slice(0, LINED_EDGES));
  const inCycles = cycles.reduce((sum, c) => sum + c.length, 0);
  const text = [
    cycles.length === 0
      ? `no import cycles among ${n(d.files)} files (Tarjan SCC over ${n(d.imports)} imports)`
      : `${cycles.length} import cycle(s), ${n(inCycles)} of ${n(d.files)} files in them (Tarjan SCC over ${n(d.imports)} imports):`,
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
  if (cycles.length > examples.length) text.push(`+${cycles.length - examples.length} more cycle(s)`);
  return { json: { cycles, examples }, text, files: cycles.flat() };
}

function clustersReport(d: ArchitectureData): Report {
  const { depth, clusters } = d.clusters!;
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

function communitiesReport(d: ArchitectureData): Report {
  const r = d.communities!;
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

function layersReport(d: ArchitectureData): Report {
  const layers = d.layers!;
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

async function entrypointsReport(d: ArchitectureData, ctx: ToolContext, store: GraphStore): Promise<Report> {
  const e = d.entrypoints!;
  const declared = await packageEntries(ctx, store);
  const text = [
    `${e.files.length} file(s) nothing imports that import others (plus ${e.tests} test file(s)):`,
    ...capped(e.files, (f) => `${f.path} (imports ${f.imports})`),
    declared.length === 0 ? 'package.json: no bin, main or module entries' : 'package.json entries:',
    ...capped(
      declared,
      (x) => `${x.manifest} ${x.field}: ${x.target}${x.indexed ? '' : ' (not in the code graph)'}`,
    ),
  ];
  return { json: { ...e, declared }, text, files: e.files.slice(0, LISTED).map((f) => f.path) };
}

type Churn = Awaited<ReturnType<typeof churn>>;

function hotspotsReport(d: ArchitectureData, history: Churn): Report {
  const hot = d.hotspots!;
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
  return { json: { formula, hotspots: hot }, text, files: hot.slice(0, LISTED).map((h) => h.path) };
}

function healthReport(d: ArchitectureData): Report {
  const h = d.health!;
  const text = [
    `${n(h.files)} files, ${n(h.imports)} imports between them (${(h.imports / Math.max(1, h.files)).toFixed(1)} per file)`,
    `cycles: ${h.cycles}${h.cycles > 0 ? `, ${n(h.filesInCycles)} files in them (${pct(h.filesInCycles, h.files)}); ctx_architecture action=cycles lists them` : ''}`,
    `layers: ${h.layers} (the longest chain of imports, cycles condensed)`,
    `isolated: ${n(h.orphans)} file(s) import nothing and nothing imports them`,
    ...(h.maxFanIn ? [`most imported: ${h.maxFanIn.path} (${h.maxFanIn.count} importers)`] : []),
    ...(h.maxFanOut ? [`most importing: ${h.maxFanOut.path} (${h.maxFanOut.count} imports)`] : []),
    `cross-directory imports: ${n(h.crossDirectoryImports)} of ${n(h.imports)} (${pct(h.crossDirectoryImports, h.imports)}) at directory depth ${h.clusterDepth}`,
    `communities: ${h.communities}, modularity ${h.modularity.toFixed(3)} (1 = cleanly separated, 0 = no better than chance)`,
    `unresolved relative imports: ${n(h.unresolvedRelativeImports)}`,
    `outlined by regex (tree-sitter could not parse): ${n(h.regexOutlined)}`,
  ];
  const files = [h.maxFanIn?.path, h.maxFanOut?.path].filter((p): p is string => !!p);
  return { json: { ...h }, text, files };
}

async function moduleReport(d: ArchitectureData, ctx: ToolContext, store: GraphStore): Promise<Report> {
  const m = d.module!;
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
  d: ArchitectureData,
  history: Churn,
  ctx: ToolContext,
  store: GraphStore,
): Promise<Report> {
  const parts: [Action, Report][] = [
    ['clusters', clustersReport(d)],
    ['layers', layersReport(d)],
    ['communities', communitiesReport(d)],
    ['entrypoints', await entrypointsReport(d, ctx, store)],
    ['hotspots', hotspotsReport(d, history)],
  ];
  const head = `${n(d.files)} files, ${n(d.imports)} imports, ${d.layerCount} layers, ${d.cycleCount} import cycle(s) with ${n(d.filesInCycles ?? 0)} files`;
  const text = [head];
  for (const [action, part] of parts) {
    text.push(...part.text.slice(0, 6));
    if (part.text.length > 6) text.push(`  … ctx_architecture action=${action} lists all`);
  }
  return {
    json: {
      files: d.files,
      imports: d.imports,
      layerCount: d.layerCount,
      cycles: d.cycleCount,
      filesInCycles: d.filesInCycles,
      ...Object.fromEntries(parts.map(([a, p]) => [a, p.json])),
    },
    text,
    files: parts.flatMap(([, p]) => p.files).slice(0, 50),
  };
}

async function reportFor(
  action: Action,
  d: ArchitectureData,
  history: Churn,
  ctx: ToolContext,
  store: GraphStore,
): Promise<Report> {
  switch (action) {
    case 'module':
      return moduleReport(d, ctx, store);
    case 'clusters':
      return clustersReport(d);
    case 'entrypoints':
      return entrypointsReport(d, ctx, store);
    case 'hotspots':
      return hotspotsReport(d, history);
    case 'communities':
      return communitiesReport(d);
    case 'layers':
      return layersReport(d);
    case 'cycles':
      return cyclesReport(d, ctx, store);
    case 'health':
      return healthReport(d);
    default:
      return overviewReport(d, history, ctx, store);
  }
}

const NO_CHURN: Churn = { ok: false, reason: 'not asked' };

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
    root: projectRootArg,
  }),
  async run(args, outer) {
    const ctx = withProjectRoot(outer, args.root);
    const action: Action = args.action;
    const { graph, progress } = await currentGraph(ctx);
    const { store } = graph;
    if (action === 'module' && args.path === undefined) {
      throw new ToolError('action "module" needs path: a directory, e.g. "src/engine"');
    }
    const dir = args.path === undefined ? '' : requireIndexedDirectory(graph, ctx, args.path);
    const sections = SECTIONS[action];
    const history = sections.includes('hotspots') ? await churn(ctx.workspace.root, ctx.signal) : NO_CHURN;
    const data = await runEngineTask(
      'architecture',
      {
        file: graphFileOf(ctx.workspace),
        dir,
        sections,
        ...(history.ok ? { churn: history.value.byFile } : {}),
      },
      { signal: ctx.signal },
    );
    const report = await reportFor(action, data, history, ctx, store);
    if (args.format === 'json') {
      return toJsonAnswer({ action, path: dir || '.', ...report.json, progress });
    }
    const scope = dir && action !== 'module' ? `[inside ${dir}/] ` : '';
    return withSavingsFooter(
      [`${scope}${report.text[0]}`, ...report.text.slice(1), formatProgress(progress)].join('\n'),
      await tokensOfFiles(graph, report.files),
    );
  },
});
