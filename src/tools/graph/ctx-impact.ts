import { z } from 'zod';
import { changedFiles } from '../../engine/graph/git-state.ts';
import {
  type ChainStep,
  formerImporters,
  type ImpactedFile,
  impactOf,
  importChain,
} from '../../engine/graph/impact.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { ToolError } from '../../errors.ts';
import type { GraphStore } from '../../store/graph.ts';
import { defineTool, type ToolContext, type ToolOutput } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { buildGraph } from './build-graph.ts';
import { formatGraphStatus } from './ctx-index.ts';
import { currentGraph, formatProgress, GRAPH_QUERY_BUDGET_MS, graphOf, tokensOfFiles } from './graph-of.ts';
import { requireIndexedFile } from './graph-paths.ts';
import { toJsonAnswer } from './json-answer.ts';
import { projectRootArg, withProjectRoot } from './project-root.ts';

const MAX_DEPTH = 10;
/** Files listed in one answer; the rest are counted. */
const MAX_LISTED = 200;
/** Dependents listed per changed file in a diff. */
const MAX_PER_CHANGE = 50;
/** Changed files a diff looks at; past that the rest are counted. */
const MAX_CHANGES = 100;

const input = z.object({
  action: z.enum(['analyze', 'diff', 'chain', 'build', 'update', 'status']).default('analyze'),
  path: z
    .string()
    .max(INPUT_LIMITS.globChars * 2 + 2)
    .optional()
    .describe('analyze: a file; chain: `from->to`'),
  depth: z.number().int().min(1).max(MAX_DEPTH).default(5).describe('Import hops to follow'),
  format: z.enum(['text', 'json']).default('text'),
  root: projectRootArg,
});
type Args = z.output<typeof input>;

const hops = (n: number) => `${n} hop${n === 1 ? '' : 's'}`;
const at = (path: string, line: number | undefined) => (line === undefined ? path : `${path}:${line}`);

/** `  src/b.ts:3 (1 hop, imports src/a.ts)`: the importing line, and through what when not direct. */
function impactLines(files: readonly ImpactedFile[], limit: number, indent = '  '): string[] {
  const lines = files
    .slice(0, limit)
    .map((f) => `${indent}${at(f.path, f.line)} (${hops(f.hops)}${f.hops > 1 ? `, via ${f.via}` : ''})`);
  if (files.length > limit) lines.push(`${indent}+${files.length - limit} more`);
  return lines;
}

const chainLines = (steps: readonly ChainStep[]) => steps.map((s) => `  ${at(s.from, s.line)} → ${s.to}`);

async function answer(
  args: Args,
  json: Record<string, unknown>,
  text: string[],
  paths: Iterable<string>,
  ctx: ToolContext,
) {
  const graph = graphOf(ctx.workspace);
  if (args.format === 'json') return toJsonAnswer(json);
  return withSavingsFooter(text.join('\n'), await tokensOfFiles(graph, paths));
}

async function analyze(args: Args, ctx: ToolContext): Promise<ToolOutput> {
  if (!args.path) throw new ToolError('action "analyze" needs path: the file whose dependents you want');
  const { graph, progress } = await currentGraph(ctx);
  const rel = requireIndexedFile(graph, ctx, args.path);
  const files = await impactOf(ctx.workspace.root, graph.store, rel, args.depth);
  return answer(
    args,
    { action: 'analyze', path: rel, depth: args.depth, total: files.length, files, progress },
    [
      `${files.length} file(s) depend on ${rel} within ${hops(args.depth)}:`,
      ...impactLines(files, MAX_LISTED),
      formatProgress(progress),
    ],
    [rel, ...files.map((f) => f.path)],
    ctx,
  );
}

async function chain(args: Args, ctx: ToolContext): Promise<ToolOutput> {
  const [fromArg, toArg, ...rest] = (args.path ?? '').split('->').map((s) => s.trim());
  if (!fromArg || !toArg || rest.length > 0) {
    throw new ToolError('action "chain" needs path as `from->to`, e.g. "src/app.ts->src/db.ts"');
  }
  const { graph, progress } = await currentGraph(ctx);
  const from = requireIndexedFile(graph, ctx, fromArg);
  const to = requireIndexedFile(graph, ctx, toArg);
  const found = await importChain(ctx.workspace.root, graph.store, from, to);
  const text = found.found
    ? [`${from} depends on ${to} in ${hops(found.steps.length)}:`, ...chainLines(found.steps)]
    : [
        `no import chain from ${from} to ${to}: ${found.reason}`,
        ...(found.reverse
          ? [
              `the other way, ${to} depends on ${from} in ${hops(found.reverse.length)}:`,
              ...chainLines(found.reverse),
            ]
          : []),
      ];
  const steps = found.found ? found.steps : (found.reverse ?? []);
  return answer(
    args,
    { action: 'chain', from, to, ...found, progress },
    [...text, formatProgress(progress)],
    [from, to, ...steps.map((s) => s.from)],
    ctx,
  );
}

/** The files still importing a deleted file, and what depends on them, within `depth` hops of it. */
async function throughImporters(
  ctx: ToolContext,
  store: GraphStore,
  importers: readonly ImpactedFile[],
  depth: number,
): Promise<ImpactedFile[]> {
  const all = new Map(importers.map((f) => [f.path, f]));
  if (depth > 1) {
    for (const importer of importers) {
      for (const f of await impactOf(ctx.workspace.root, store, importer.path, depth - 1)) {
        const known = all.get(f.path);
        if (!known || known.hops > f.hops + 1) all.set(f.path, { ...f, hops: f.hops + 1 });
      }
    }
  }
  return [...all.values()].sort((a, b) => a.hops - b.hops || (a.path < b.path ? -1 : 1));
}

async function diff(args: Args, ctx: ToolContext): Promise<ToolOutput> {
  const changes = await changedFiles(ctx.workspace.root, ctx.signal);
  if (!changes.ok) {
    throw new ToolError(
      `action "diff" needs git: ${changes.reason}; use action "analyze" with the path of the file you changed`,
    );
  }
  const { graph, progress } = await currentGraph(ctx);
  const changed = new Set(changes.value.map((c) => c.path));
  const affected = new Set<string>();
  const text: string[] = [];
  const report = [];
  const considered = changes.value.slice(0, MAX_CHANGES);
  const deleted = considered.filter((c) => c.status === 'deleted').map((c) => c.path);
  const former = await formerImporters(ctx.workspace.root, graph.store, deleted);
  for (const change of considered) {
    const importers = former.get(change.path);
    const indexed = graph.store.file(change.path) !== undefined;
    const files = importers
      ? await throughImporters(ctx, graph.store, importers, args.depth)
      : indexed
        ? await impactOf(ctx.workspace.root, graph.store, change.path, args.depth)
        : [];
    for (const f of files) if (!changed.has(f.path)) affected.add(f.path);
    report.push({ ...change, indexed, dependents: files });
    if (importers) {
      text.push(
        importers.length === 0
          ? `${change.path} (deleted): no file imports it`
          : `${change.path} (deleted): ${importers.length} file(s) still import it (now unresolved), ${files.length} dependent file(s)`,
      );
      text.push(...impactLines(files, MAX_PER_CHANGE));
    } else if (!indexed) {
      text.push(`${change.path} (${change.status}): not in the code graph`);
    } else {
      text.push(`${change.path} (${change.status}): ${files.length} dependent file(s)`);
      text.push(...impactLines(files, MAX_PER_CHANGE));
    }
  }
  const more = changes.value.length - MAX_CHANGES;
  if (more > 0) text.push(`+${more} more changed file(s) not analyzed`);
  const head =
    changes.value.length === 0
      ? 'no changes against HEAD (staged, unstaged or untracked)'
      : `${changes.value.length} changed file(s) against HEAD (staged, unstaged, untracked); ${affected.size} other file(s) affected within ${hops(args.depth)}:`;
  return answer(
    args,
    { action: 'diff', depth: args.depth, changed: report, affected: affected.size, progress },
    [head, ...text, formatProgress(progress)],
    [...changes.value.map((c) => c.path), ...affected],
    ctx,
  );
}

async function build(args: Args, ctx: ToolContext): Promise<ToolOutput> {
  const graph = graphOf(ctx.workspace);
  if (args.action === 'status') {
    const progress = await graph.refresh(GRAPH_QUERY_BUDGET_MS);
    if (args.format === 'json')
      return JSON.stringify({ action: 'status', counts: graph.store.counts(), progress });
    return formatGraphStatus(progress, graph.store.counts);
  }
  const { progress, ms } = await buildGraph(ctx, args.action === 'build');
  if (args.format === 'json') {
    return JSON.stringify({ action: args.action, ms, counts: graph.store.counts(), progress });
  }
  return [
    `${args.action}: ${progress.parsed} file(s) parsed in ${ms} ms`,
    formatGraphStatus(progress, graph.store.counts),
  ].join('\n');
}

export const ctxImpact = defineTool({
  name: 'ctx_impact',
  description:
    'Blast radius over the import graph: `analyze` (files depending on `path`), `diff` (per file changed vs git HEAD), `chain` (`from->to`); `build`/`update`/`status` of the graph.',
  scope: 'graph',
  scopesFor: (args) => (args.action === 'build' || args.action === 'update' ? ['graph', 'index'] : ['graph']),
  readOnly: (args) => args.action !== 'build' && args.action !== 'update',
  input,
  run(args, outer) {
    const ctx = withProjectRoot(outer, args.root);
    switch (args.action) {
      case 'analyze':
        return analyze(args, ctx);
      case 'chain':
        return chain(args, ctx);
      case 'diff':
        return diff(args, ctx);
      default:
        return build(args, ctx);
    }
  },
});
